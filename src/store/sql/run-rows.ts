import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { HyperplaneError } from '../../errors.js';
import type { Database } from '../db/schema.js';
import { toJson } from '../json.js';
import { currentOwner } from '../provenance.js';
import { RUN_STATUSES, type MetricInput, type RunRecord, type RunStatus } from '../tracking.js';
import { checkInteger, checkName, chunks, rowsPerInsert } from '../validate.js';

export type Db = Kysely<Database> | Transaction<Database>;

export const newRunId = (): string => randomUUID().replaceAll('-', '');

export function checkStatus(status: string): RunStatus {
  if (!(RUN_STATUSES as readonly string[]).includes(status)) {
    throw new HyperplaneError(`run status must be one of ${RUN_STATUSES.join(', ')}, got '${status}'`, { field: 'status' });
  }
  return status as RunStatus;
}

/** Creates the experiment when new (two processes creating it at once both get the same one); returns its id. */
export async function ensureExperiment(db: Db, name: string, now: number): Promise<string> {
  checkName(name, 'experiment');
  await db.insertInto('experiments').values({ id: newRunId(), name, created_at: now }).onConflict((oc) => oc.column('name').doNothing()).execute();
  const row = await db.selectFrom('experiments').select('id').where('name', '=', name).executeTakeFirstOrThrow();
  return row.id;
}

type MetricRow = Database['run_metrics'] extends infer R ? Omit<R, 'id'> : never;

export function metricRows(runId: string, metrics: readonly MetricInput[], now: number): MetricRow[] {
  return metrics.map((m, i) => {
    checkName(m.name, `metrics[${i}].name`);
    if (typeof m.value !== 'number') throw new HyperplaneError(`metric '${m.name}' must be a number, got ${typeof m.value}`, { field: m.name });
    const step = checkInteger(m.step ?? 0, `metric '${m.name}' step`);
    const ts = checkInteger(m.timestamp ?? now, `metric '${m.name}' timestamp`);
    // NaN: SQLite stores it as NULL, so every database does, and readers turn NULL back into NaN.
    return { run_id: runId, name: m.name, value: Number.isNaN(m.value) ? null : m.value, step, ts };
  });
}

/** The newest point per (run, metric): highest step, then latest timestamp, then last given. */
export function latestPerMetric(rows: readonly MetricRow[]): MetricRow[] {
  const latest = new Map<string, MetricRow>();
  for (const r of rows) {
    const key = `${r.run_id}\u0000${r.name}`;
    const cur = latest.get(key);
    if (cur === undefined || r.step > cur.step || (r.step === cur.step && r.ts >= cur.ts)) latest.set(key, r);
  }
  return [...latest.values()];
}

/** Inserts metric points and moves each run's latest value forward (never back to an older step). */
export async function writeMetrics(db: Db, rows: readonly MetricRow[]): Promise<void> {
  for (const part of chunks(rows, rowsPerInsert(5))) await db.insertInto('run_metrics').values(part).execute();
  for (const part of chunks(latestPerMetric(rows), rowsPerInsert(5))) {
    await db
      .insertInto('run_latest_metrics')
      .values(part)
      .onConflict((oc) =>
        oc
          .columns(['run_id', 'name'])
          .doUpdateSet((eb) => ({ value: eb.ref('excluded.value'), step: eb.ref('excluded.step'), ts: eb.ref('excluded.ts') }))
          .where((eb) =>
            eb.or([
              eb('excluded.step', '>', eb.ref('run_latest_metrics.step')),
              eb.and([eb('excluded.step', '=', eb.ref('run_latest_metrics.step')), eb('excluded.ts', '>=', eb.ref('run_latest_metrics.ts'))]),
            ]),
          ),
      )
      .execute();
  }
}

/** Writes whole runs (row, params, tags, inputs, metrics, warnings) in multi-row inserts. */
export async function writeRuns(db: Db, records: readonly RunRecord[], now: number): Promise<string[]> {
  const experiments = new Map<string, string>();
  for (const r of records) {
    const name = r.experiment ?? 'Default';
    if (!experiments.has(name)) experiments.set(name, await ensureExperiment(db, name, now));
  }
  const owner = currentOwner();
  const ids: string[] = [];
  const runs: Database['runs'][] = [];
  const params: Database['run_params'][] = [];
  const tags: Database['run_tags'][] = [];
  const inputs: Database['run_inputs'][] = [];
  const metrics: MetricRow[] = [];
  const warnings: Omit<Database['run_warnings'], 'id'>[] = [];
  for (const r of records) {
    const id = r.id ?? newRunId();
    if (!/^[0-9a-f]{32}$/.test(id)) throw new HyperplaneError(`run id '${id}' must be 32 lowercase hex digits`, { field: 'id' });
    ids.push(id);
    const status = checkStatus(r.status ?? 'running');
    const start = checkInteger(r.startTime ?? now, 'startTime');
    const who = r.owner ?? owner;
    runs.push({
      id,
      experiment_id: experiments.get(r.experiment ?? 'Default')!,
      name: checkName(r.name ?? `run-${id.slice(0, 8)}`, 'run name'),
      status,
      start_time: start,
      end_time: status === 'running' ? null : checkInteger(r.endTime ?? now, 'endTime'),
      seed: r.seed === undefined ? null : checkInteger(r.seed, 'seed'),
      config: toJson(r.config),
      git_commit: r.git?.commit ?? null,
      git_dirty: r.git === undefined ? null : r.git.dirty ? 1 : 0,
      environment: r.environment === undefined ? null : JSON.stringify(r.environment),
      pid: who.pid,
      hostname: who.hostname,
      heartbeat_at: start,
      parent_id: r.parent ?? null,
    });
    for (const [key, value] of Object.entries(r.params ?? {})) params.push({ run_id: id, key: checkName(key, 'param name'), value: JSON.stringify(value) });
    for (const [key, value] of Object.entries(r.tags ?? {})) tags.push({ run_id: id, key: checkName(key, 'tag name'), value: String(value) });
    for (const input of r.inputs ?? []) {
      inputs.push({ run_id: id, role: checkName(input.role, 'input role'), source: input.source, fingerprint: input.fingerprint, rows: checkInteger(input.rows, 'input rows') });
    }
    metrics.push(...metricRows(id, r.metrics ?? [], now));
    for (const message of r.warnings ?? []) warnings.push({ run_id: id, ts: now, message });
  }
  // A parent must exist (in the store, or in this batch): a trial under a run that is not there is a mistake.
  const parents = [...new Set(runs.map((x) => x.parent_id).filter((p): p is string => p !== null && !ids.includes(p)))];
  for (const part of chunks(parents, 500)) {
    const found = new Set((await db.selectFrom('runs').select('id').where('id', 'in', part).execute()).map((x) => x.id));
    const missing = part.find((p) => !found.has(p));
    if (missing !== undefined) throw new HyperplaneError(`no run '${missing}' to be the parent (give a run's full id)`, { field: 'parent' });
  }
  for (const part of chunks(runs, rowsPerInsert(15))) await db.insertInto('runs').values(part).execute();
  for (const part of chunks(params, rowsPerInsert(3))) await db.insertInto('run_params').values(part).execute();
  for (const part of chunks(tags, rowsPerInsert(3))) await db.insertInto('run_tags').values(part).execute();
  for (const part of chunks(inputs, rowsPerInsert(5))) await db.insertInto('run_inputs').values(part).execute();
  for (const part of chunks(warnings, rowsPerInsert(3))) await db.insertInto('run_warnings').values(part).execute();
  await writeMetrics(db, metrics);
  return ids;
}
