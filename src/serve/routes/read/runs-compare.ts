import type { JsonValue, Run, Store } from '../../../store/index.js';
import { findRun } from './runs-detail.js';
import { badField } from './runs-errors.js';
import { MAX_COMPARE } from './runs-limits.js';

/** One compared field: each run's value in the order of `runs` (null: the run has none), and whether they differ. */
export interface ComparedField {
  name: string;
  values: (JsonValue | null)[];
  differ: boolean;
}

/** Equal as JSON; a run without the field differs from one with it. NaN metrics compare equal to each other (both null). */
function field(name: string, values: (JsonValue | null | undefined)[]): ComparedField {
  const shown = values.map((v) => (v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? null : v));
  const texts = new Set(values.map((v) => (v === undefined ? 'undefined' : JSON.stringify(v))));
  return { name, values: shown, differ: texts.size > 1 };
}

function fields<T>(runs: readonly Run[], pick: (run: Run) => Record<string, T>): ComparedField[] {
  const names = [...new Set(runs.flatMap((r) => Object.keys(pick(r))))].sort();
  return names.map((n) => field(n, runs.map((r) => pick(r)[n] as JsonValue | undefined)));
}

/** `ids=a,b,c` (repeatable too): 2 to 50 distinct runs, by id or unique prefix. */
export function compareIds(value: string | string[] | undefined): string[] {
  const ids = (Array.isArray(value) ? value : value === undefined ? [] : [value]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  if (ids.length < 2 || ids.length > MAX_COMPARE) throw badField('ids', `${ids.length} run id${ids.length === 1 ? '' : 's'} given`, `2 to ${MAX_COMPARE} run ids, comma-separated`);
  return ids;
}

/**
 * What differs between runs, field by field: params, latest metrics, tags, data fingerprints (by role
 * and source), code and status. The curves overlay from each run's /metrics/:name.
 */
export async function compareRuns(store: Store, refs: readonly string[]): Promise<Record<string, unknown>> {
  const found: Run[] = [];
  for (const ref of refs) {
    const run = await findRun(store, ref, 'ids');
    if (!found.some((r) => r.id === run.id)) found.push(run);
  }
  if (found.length < 2) throw badField('ids', 'names one run only', `2 to ${MAX_COMPARE} different runs`);
  const experiments = new Map((await store.tracking.listExperiments()).map((e) => [e.id, e.name]));
  const params = fields(found, (r) => r.params);
  const metrics = fields(found, (r) => r.metrics);
  const tags = fields(found, (r) => r.tags);
  const data = fields(found, (r) => Object.fromEntries(r.inputs.map((i) => [`${i.role} ${i.source}`, { fingerprint: i.fingerprint, rows: i.rows }])));
  const other = [
    field('status', found.map((r) => r.status)),
    field('git.commit', found.map((r) => r.git?.commit)),
    field('git.dirty', found.map((r) => r.git?.dirty)),
    field('seed', found.map((r) => r.seed ?? undefined)),
    field('environment.node', found.map((r) => r.environment?.node)),
  ];
  return {
    runs: found.map((r) => ({ id: r.id, name: r.name, experiment: experiments.get(r.experimentId) ?? null, status: r.status, startTime: r.startTime, endTime: r.endTime })),
    params,
    metrics,
    tags,
    data,
    other,
    differ: { params: params.filter((f) => f.differ).map((f) => f.name), metrics: metrics.filter((f) => f.differ).map((f) => f.name) },
  };
}
