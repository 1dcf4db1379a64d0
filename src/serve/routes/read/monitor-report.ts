import type { FastifyInstance, FastifyReply } from 'fastify';
import { HyperplaneError } from '../../../errors.js';
import type { MonitorReport } from '../../../monitor/monitor.js';
import { runMonitor } from '../../../monitor/run.js';
import { watchedVersion } from '../../../pipeline/monitor-references.js';
import type { Store } from '../../../store/index.js';
import { fail } from '../../reply.js';
import { MAX_WINDOWS } from './serving-deployments.js';
import { boolOf, intOf, queryOf, sinceOf, windowOf } from './serving-query.js';

/** The furthest back a report reaches: it is computed on the serving thread. */
export const MONITOR_MAX_MS = 90 * 86_400_000;
/** How long a computed report is answered again as it is (a scheduled monitor's period is minutes). */
const CACHE_MS = 30_000;

/** Column × window drift effect, ready to draw: `effect[c][w]` (null where the window did not judge the column). */
export interface Heatmap {
  columns: string[];
  windows: string[];
  effect: (number | null)[][];
  drifted: boolean[][];
}

export function heatmapOf(report: MonitorReport): Heatmap {
  const columns = report.columns.map((c) => c.column);
  const cells = columns.map((column) => report.windows.map((w) => w.columns.find((c) => c.column === column)));
  return {
    columns,
    windows: report.windows.map((w) => w.start),
    // A window too small to judge (under the minimum rows) has no effect to draw, not an effect of 0.
    effect: cells.map((row) => row.map((c) => (c === undefined || c.test === 'too-few-rows' || !Number.isFinite(c.effect) ? null : c.effect))),
    drifted: cells.map((row) => row.map((c) => c?.drifted === true)),
  };
}

/** `GET /v1/monitor/:model` (the `hyperplane monitor --json` report, no alert evaluation) and `GET /v1/alerts`. */
export function registerMonitorRoutes(app: FastifyInstance, store: Store): void {
  const reports = new Map<string, { at: number; answer: MonitorReport & { heatmap: Heatmap } }>();
  app.get<{ Params: { model: string } }>('/v1/monitor/:model', async (request, reply) => {
    const q = queryOf(request.query, ['since', 'window', 'version']);
    const now = Date.now();
    const since = sinceOf(q['since'], now, '7d', MONITOR_MAX_MS);
    const windowMs = windowOf(q['window']);
    if ((now - since) / windowMs > MAX_WINDOWS) throw new HyperplaneError(`'${q['window']}': over ${MAX_WINDOWS.toLocaleString('en-US')} windows in the range; take longer windows`, { field: 'window' });
    const version = intOf(q['version'], 'version', 1, Number.MAX_SAFE_INTEGER);
    const resolved = await resolveVersion(store, request.params.model, version, reply);
    if (resolved === undefined) return reply;
    // Never rebuilt here (reading training data, maybe fitting a model, would hold up answers): `hyperplane monitor` or the scheduled monitor rebuilds it.
    const found = await watchedVersion(store, resolved.model, resolved.version, { cachedOnly: true });
    if ('reason' in found) return fail(reply, 422, 'no reference', `${resolved.model}/${resolved.version} cannot be monitored: ${found.reason}`);
    // The same report asked again within a short while (a page reloaded, two people looking) is not computed again.
    const key = `${resolved.model}/${resolved.version}/${Math.floor(since / CACHE_MS)}/${windowMs}`;
    const cached = reports.get(key);
    if (cached !== undefined && cached.at > now - CACHE_MS) return cached.answer;
    // No config: reading a report never raises or resolves an alert. The domain classifier runs over the
    // range only (each window's would be a model fit more on the serving thread).
    const run = await runMonitor(store, found.watched, { since, windowMs, now, multivariate: { perWindow: 0 } });
    const answer = { ...run.report, heatmap: heatmapOf(run.report) };
    for (const [k, v] of reports) if (v.at <= now - CACHE_MS) reports.delete(k);
    reports.set(key, { at: now, answer });
    return answer;
  });

  app.get('/v1/alerts', async (request) => {
    const q = queryOf(request.query, ['model', 'all', 'limit']);
    const limit = intOf(q['limit'], 'limit', 1, 10_000);
    const alerts = await store.alerts.list({ ...(q['model'] !== undefined ? { model: q['model'] } : {}), all: boolOf(q['all'], 'all'), ...(limit !== undefined ? { limit } : {}) });
    return { alerts };
  });
}

/** As `hyperplane monitor` resolves: NAME → its production alias, else its latest version; NAME@ALIAS; or `?version=`. 404 naming it when none. */
async function resolveVersion(store: Store, ref: string, version: number | undefined, reply: FastifyReply): Promise<{ model: string; version: number } | undefined> {
  if (version !== undefined && ref.includes('@')) throw new HyperplaneError(`'${ref}' names an alias: give NAME with ?version=`, { field: 'version' });
  const tries = version !== undefined ? [`${ref}/${version}`] : ref.includes('@') ? [ref] : [`${ref}@production`, `${ref}/latest`];
  let last = '';
  for (const attempt of tries) {
    try {
      const r = await store.registry.resolve(attempt);
      if (r.model !== null && r.version !== null) return { model: r.model, version: r.version };
      last = `${attempt} is a run, not a registered model version`;
    } catch (e) {
      // The registry's own errors say what is missing; the store failing is not a 404.
      if (!(e instanceof HyperplaneError)) throw e;
      last = e.message.replace(/^field 'model': /, '');
    }
  }
  fail(reply, 404, 'not found', `no model version for '${ref}'${version !== undefined ? ` version ${version}` : ''}: ${last}`);
  return undefined;
}
