import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ReadRouteDeps } from './index.js';
import { compareIds, compareRuns } from './runs-compare.js';
import { contentDisposition, downloadAs, findRun, runDetail } from './runs-detail.js';
import { answerError, missing } from './runs-errors.js';
import { listExperiments, listRunsPage } from './runs-list.js';
import { onlyKnown, type Query } from './runs-query.js';
import { listModels, modelDetail } from './runs-registry.js';

const NONE: ReadonlySet<string> = new Set();

/** Runs the handler, answering its bad input as a 4xx naming the field; anything else is the server's 500 or 503. */
const answered = async (reply: FastifyReply, handle: () => Promise<unknown>): Promise<unknown> => {
  try {
    return await handle();
  } catch (e) {
    return answerError(reply, e);
  }
};

/**
 * The runs and registry read routes the dashboard's Runs, Run and Models pages read (GET only, under
 * the `read` scope): everything the CLI's `runs` and `models` commands show, as JSON.
 */
export function registerRunsReadRoutes(app: FastifyInstance, deps: ReadRouteDeps): void {
  const { store } = deps;
  type Q = { Querystring: Query };

  app.get<Q>('/v1/experiments', (request, reply) =>
    answered(reply, async () => {
      onlyKnown(request.query, NONE);
      return listExperiments(store);
    }),
  );
  app.get<Q>('/v1/runs', (request, reply) => answered(reply, () => listRunsPage(store, request.query)));
  app.get<Q>('/v1/runs/compare', (request, reply) =>
    answered(reply, async () => {
      onlyKnown(request.query, new Set(['ids']));
      return compareRuns(store, compareIds(request.query['ids']));
    }),
  );
  app.get<Q & { Params: { id: string } }>('/v1/runs/:id', (request, reply) => answered(reply, async () => runDetail(store, await findRun(store, request.params.id))));
  app.get<Q & { Params: { id: string; name: string } }>('/v1/runs/:id/metrics/:name', (request, reply) =>
    answered(reply, async () => {
      const run = await findRun(store, request.params.id);
      const { name } = request.params;
      const history = await store.tracking.metricHistory(run.id, name);
      if (history.length === 0) throw missing('name', `run ${run.id} has no metric '${name}'`, `one of its metrics: ${Object.keys(run.metrics).join(', ') || '(it has none)'}`);
      // NaN (a diverged loss) is sent as null: JSON has no NaN.
      return { runId: run.id, name, points: history.map((p) => ({ step: p.step, value: Number.isNaN(p.value) ? null : p.value, timestamp: p.timestamp })) };
    }),
  );
  app.get<Q & { Params: { id: string; name: string } }>('/v1/runs/:id/artifacts/:name', (request, reply) =>
    answered(reply, async () => {
      const run = await findRun(store, request.params.id);
      const { name } = request.params;
      const artifact = run.artifacts.find((a) => a.name === name);
      if (artifact === undefined) throw missing('name', `run ${run.id} has no artifact '${name}'`, `one of its artifacts: ${run.artifacts.map((a) => a.name).join(', ') || '(it has none)'}`);
      if (!(await store.artifacts.has(artifact.sha256))) throw missing('name', `the bytes of artifact '${name}' (${artifact.sha256}) are no longer in the store (garbage-collected?)`, 'an artifact whose blob is stored');
      const bytes = await store.artifacts.get(artifact.sha256);
      const as = downloadAs(name);
      // An attachment, never rendered in the API's origin: report.html is HTML the run wrote.
      return reply
        .type(as.type)
        .header('content-disposition', contentDisposition(as.file))
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "sandbox; default-src 'none'")
        .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    }),
  );
  app.get<Q>('/v1/registry/models', (request, reply) =>
    answered(reply, async () => {
      onlyKnown(request.query, NONE);
      return listModels(store);
    }),
  );
  app.get<Q & { Params: { name: string } }>('/v1/registry/models/:name', (request, reply) => answered(reply, () => modelDetail(store, request.params.name)));
}
