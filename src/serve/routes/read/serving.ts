import type { FastifyInstance } from 'fastify';
import type { ReadRouteDeps } from './index.js';

/** The serving read routes. */
export function registerServingReadRoutes(_app: FastifyInstance, _deps: ReadRouteDeps): void {}
