import type { JsonValue, RunFilter, RunSummary, Store } from '../../../store/index.js';
import { missing, namingTheField } from './runs-errors.js';
import { listRequest, type Columns, type Query } from './runs-query.js';

/** Every experiment with how many runs it holds. */
export async function listExperiments(store: Store): Promise<{ experiments: { id: string; name: string; createdAt: number; runs: number }[] }> {
  const experiments = [];
  for (const e of await store.tracking.listExperiments()) experiments.push({ ...e, runs: await store.tracking.countRuns({ experiment: e.name }) });
  return { experiments };
}

const pick = <T>(values: Record<string, T>, names: readonly string[]): Record<string, T> => Object.fromEntries(names.filter((n) => Object.hasOwn(values, n)).map((n) => [n, values[n]!]));

/** A page's rows with the chosen columns (the params asked for came with the page, in one query). */
function rows(runs: readonly RunSummary[], columns: Columns, experiments: Map<string, string>): Record<string, unknown>[] {
  const out = [];
  for (const r of runs) {
    const params: Record<string, JsonValue> | undefined = columns.params.length > 0 ? pick(r.params ?? {}, columns.params) : undefined;
    out.push({
      ...r,
      experiment: experiments.get(r.experimentId) ?? null,
      metrics: columns.metrics === undefined ? r.metrics : pick(r.metrics, columns.metrics),
      ...(params !== undefined ? { params } : {}),
    });
  }
  return out;
}

/**
 * `GET /v1/runs`: one page, filtered, sorted and paged by the store as `hyperplane runs list` does,
 * with the number of runs the filter matches.
 */
export async function listRunsPage(store: Store, query: Query): Promise<{ runs: Record<string, unknown>[]; nextCursor: string | null; total: number }> {
  const request = listRequest(query);
  const { experiment } = request.query;
  if (experiment !== undefined && (await store.tracking.getExperiment(experiment)) === undefined) throw missing('experiment', `no experiment named '${experiment}'`, 'a name from GET /v1/experiments');
  // The parent by id or unique prefix, as a run is named everywhere; one that is not there is a 404, not an empty page.
  if (request.query.parent !== undefined) {
    const parent = await store.tracking.getRun(request.query.parent);
    if (parent === undefined) throw missing('parent', `no run '${request.query.parent}'`, 'a run id or a unique prefix of 6+ characters');
    request.query.parent = parent.id;
  }
  const named = (e: unknown): never => {
    throw namingTheField(e, request);
  };
  const page = await store.tracking.listRuns({ ...request.query, ...(request.columns.params.length > 0 ? { params: request.columns.params } : {}) }).catch(named);
  const { orderBy: _o, limit: _l, cursor: _c, ...filter } = request.query;
  const total = await store.tracking.countRuns(filter satisfies RunFilter).catch(named);
  const experiments = new Map((await store.tracking.listExperiments()).map((e) => [e.id, e.name]));
  return { runs: rows(page.runs, request.columns, experiments), nextCursor: page.nextCursor, total };
}
