import type { FastifyInstance } from 'fastify';
import type { ReadRouteDeps } from './index.js';

/** The runs read routes. */
export function registerRunsReadRoutes(_app: FastifyInstance, _deps: ReadRouteDeps): void {}
