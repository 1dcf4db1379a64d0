import type { FastifyInstance } from 'fastify';
import type { PredictionRecord, Store } from '../../../store/index.js';
import { registerRunsReadRoutes } from './runs.js';
import { registerServingReadRoutes } from './serving.js';

/**
 * The read APIs the dashboard pages use, usable without it: runs, the registry, deployments, the
 * prediction log and monitoring, each under a prefix the `read` scope guards (an admin key has it too).
 * Each family registers its routes from its own file.
 */
export const READ_PREFIXES: readonly string[] = ['/v1/runs', '/v1/experiments', '/v1/registry/', '/v1/deployments', '/v1/predictions', '/v1/monitor/', '/v1/alerts'];

export interface ReadRouteDeps {
  store: Store;
  /** The server's journal, for a prediction answered moments ago and not in the store yet. */
  unshipped?: () => { find(id: string, madeMs?: number): Promise<PredictionRecord | undefined> } | undefined;
}

export function registerReadRoutes(app: FastifyInstance, deps: ReadRouteDeps): void {
  registerRunsReadRoutes(app, deps);
  registerServingReadRoutes(app, deps);
}
