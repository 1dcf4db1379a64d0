import type { FastifyInstance } from 'fastify';
import { HyperplaneError } from '../../../errors.js';
import { fail } from '../../reply.js';
import { policySpecOf } from '../../policies.js';
import type { ReadRouteDeps } from './index.js';
import { registerMonitorRoutes } from './monitor-report.js';
import { banditPosteriors, deploymentSummary, MAX_WINDOWS, shadowAgreement, trafficOf } from './serving-deployments.js';
import { registerPredictionRoutes } from './serving-predictions.js';
import { queryOf, sinceOf, timeOf, windowOf } from './serving-query.js';

/** The serving read routes: deployments, the prediction log, monitoring reports and alerts (GET only, `read` scope). */
export function registerServingReadRoutes(app: FastifyInstance, { store, unshipped }: ReadRouteDeps): void {
  app.get('/v1/deployments', async (request) => {
    queryOf(request.query, []);
    return { deployments: (await store.deployments.list()).map(deploymentSummary) };
  });

  app.get<{ Params: { name: string } }>('/v1/deployments/:name', async (request, reply) => {
    const q = queryOf(request.query, ['since', 'until', 'window']);
    const now = Date.now();
    const since = sinceOf(q['since'], now, '7d');
    const until = q['until'] === undefined ? now : timeOf(q['until'], 'until', now);
    const windowMs = windowOf(q['window']);
    if (until <= since) throw new HyperplaneError('until must be after since', { field: 'until' });
    if ((until - since) / windowMs > MAX_WINDOWS) throw new HyperplaneError(`'${q['window']}': over ${MAX_WINDOWS.toLocaleString('en-US')} windows in the range; take longer windows`, { field: 'window' });
    const d = await store.deployments.get(request.params.name);
    if (d === undefined) return fail(reply, 404, 'not found', `no deployment '${request.params.name.slice(0, 80)}'`);
    const summary = deploymentSummary(d);
    if (summary.error !== undefined) return { ...summary, since, until, windowMs };
    const spec = policySpecOf(d.name, d.policy);
    return {
      ...summary,
      since,
      until,
      windowMs,
      traffic: await trafficOf(store, spec, since, until, windowMs),
      ...(spec.kind === 'shadow' ? { shadow: await shadowAgreement(store, spec, since, until) } : {}),
      ...(spec.kind === 'bandit' ? { posteriors: await banditPosteriors(store, d.name, spec) } : {}),
    };
  });

  registerPredictionRoutes(app, store, unshipped);
  registerMonitorRoutes(app, store);
}
