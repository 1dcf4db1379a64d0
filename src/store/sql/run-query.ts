import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { HyperplaneError } from '../../errors.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { Database } from '../db/schema.js';
import type { JsonValue } from '../json.js';
import { METRIC_OPS, type MetricCondition, type RunFilter, type RunQuery, type RunStatus, type RunSummary, type SortDirection } from '../tracking.js';
import { KNOWN_SHOWN, UnknownRunFieldError } from '../unknown-field.js';
import { checkLimit, chunks } from '../validate.js';
import { checkStatus, type Db } from './run-rows.js';

/** `auc > 0.9`, `loss<=0.2`, `f1 != 1`: the CLI's --metric syntax. */
export function parseMetricCondition(text: string): MetricCondition {
  for (const op of METRIC_OPS) {
    const at = text.indexOf(op);
    if (at <= 0) continue;
    const metric = text.slice(0, at).trim();
    const raw = text.slice(at + op.length).trim();
    const value = Number(raw);
    if (metric === '' || raw === '' || Number.isNaN(value) || /[<>=!]/.test(metric)) break;
    return { metric, op, value };
  }
  throw new HyperplaneError(`'${text}' is not a metric condition like 'auc > 0.9' (operators: ${METRIC_OPS.join(' ')})`, { field: 'metric' });
}


/** Refuses a metric or tag name no run has, listing those some run has. One indexed lookup per name. */
async function checkKnown(db: Db, kind: 'metric' | 'tag', names: readonly string[]): Promise<void> {
  for (const name of new Set(names)) {
    const found =
      kind === 'metric'
        ? await db.selectFrom('run_latest_metrics').select('name').where('name', '=', name).limit(1).executeTakeFirst()
        : await db.selectFrom('run_tags').select('key as name').where('key', '=', name).limit(1).executeTakeFirst();
    if (found !== undefined) continue;
    const known =
      kind === 'metric'
        ? await db.selectFrom('run_latest_metrics').select('name').distinct().orderBy('name').limit(KNOWN_SHOWN + 1).execute()
        : await db.selectFrom('run_tags').select('key as name').distinct().orderBy('key').limit(KNOWN_SHOWN + 1).execute();
    throw new UnknownRunFieldError(kind, name, known.map((k) => k.name));
  }
}

/** The filter as WHERE conditions on `runs`; each is an indexed lookup. Operators come from METRIC_OPS only. */
export async function filterConditions(db: Db, filter: RunFilter, sortMetric?: string): Promise<RawBuilder<SqlBool>[]> {
  await checkKnown(db, 'metric', [...(filter.metrics ?? []).map((c) => c.metric), ...(sortMetric === undefined ? [] : [sortMetric])]);
  await checkKnown(db, 'tag', Object.keys(filter.tags ?? {}));
  const conditions: RawBuilder<SqlBool>[] = [];
  if (filter.experiment !== undefined) {
    const experiment = await db.selectFrom('experiments').select('id').where('name', '=', filter.experiment).executeTakeFirst();
    if (experiment === undefined) throw new HyperplaneError(`no experiment named '${filter.experiment}'`, { field: 'experiment' });
    conditions.push(sql<SqlBool>`runs.experiment_id = ${experiment.id}`);
  }
  if (filter.status !== undefined) {
    const statuses: readonly RunStatus[] = typeof filter.status === 'string' ? [filter.status] : filter.status;
    statuses.forEach(checkStatus);
    if (statuses.length > 0) conditions.push(sql<SqlBool>`runs.status in (${sql.join(statuses)})`);
  }
  if (filter.parent !== undefined) conditions.push(sql<SqlBool>`runs.parent_id = ${filter.parent}`);
  for (const [key, value] of Object.entries(filter.tags ?? {})) {
    conditions.push(sql<SqlBool>`exists (select 1 from run_tags t where t.run_id = runs.id and t.key = ${key} and t.value = ${value})`);
  }
  for (const c of filter.metrics ?? []) {
    if (!METRIC_OPS.includes(c.op) || typeof c.value !== 'number' || Number.isNaN(c.value)) {
      throw new HyperplaneError(`metric condition on '${c.metric}' needs an operator (${METRIC_OPS.join(' ')}) and a number`, { field: 'metric' });
    }
    const op = sql.raw(c.op === '!=' ? '<>' : c.op);
    conditions.push(sql<SqlBool>`exists (select 1 from run_latest_metrics m where m.run_id = runs.id and m.name = ${c.metric} and m.value ${op} ${c.value})`);
  }
  return conditions;
}

export async function countRuns(db: Db, filter: RunFilter): Promise<number> {
  const conditions = await filterConditions(db, filter);
  const row = await db
    .selectFrom('runs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where((eb) => eb.and(conditions))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * One page of runs, keyset-paged: the cursor holds the last row's sort key and id, so a page costs
 * the same at run 9,900 as at run 0 and stays stable while runs are added.
 */
export async function listRuns(db: Db, query: RunQuery): Promise<{ runs: RunSummary[]; nextCursor: string | null }> {
  const limit = checkLimit(query.limit, 100, 10_000);
  const order = query.orderBy ?? { by: 'startTime' };
  const direction: SortDirection = order.direction ?? 'desc';
  if (direction !== 'asc' && direction !== 'desc') throw new HyperplaneError(`sort direction must be asc or desc, got '${String(direction)}'`, { field: 'orderBy' });
  const signature = order.by === 'metric' ? `metric ${order.metric} ${direction}` : `startTime ${direction}`;
  const conditions = await filterConditions(db, query, order.by === 'metric' ? order.metric : undefined);
  const cmp = direction === 'asc' ? '>' : '<';

  let q = db
    .selectFrom('runs')
    .leftJoin('run_latest_metrics as sort_metric', (join) =>
      // Ordered by start time, the join matches nothing: a name no metric has ('' is refused as a name), looked up
      // by the primary key for each row of the page. (`on false` was not dropped by SQLite's planner: it scanned
      // the whole metrics index for every run, 0.3 s a page at 100,000 runs.)
      join.onRef('sort_metric.run_id', '=', 'runs.id').on('sort_metric.name', '=', order.by === 'metric' ? order.metric : ''),
    )
    .select(['runs.id', 'runs.experiment_id', 'runs.name', 'runs.status', 'runs.start_time', 'runs.end_time', 'sort_metric.value as sort_value'])
    .where((eb) => eb.and(conditions));

  if (order.by === 'metric') {
    if (query.cursor !== undefined) {
      const { key, id } = decodeCursor(query.cursor, signature, 'metric');
      // Runs without the metric sort last in both directions.
      q = q.where((eb) =>
        key === null
          ? eb.and([eb('sort_metric.value', 'is', null), eb('runs.id', cmp, id)])
          : eb.or([eb('sort_metric.value', cmp, key), eb.and([eb('sort_metric.value', '=', key), eb('runs.id', cmp, id)]), eb('sort_metric.value', 'is', null)]),
      );
    }
    q = q.orderBy(sql`case when sort_metric.value is null then 1 else 0 end`).orderBy('sort_metric.value', direction).orderBy('runs.id', direction);
  } else {
    if (query.cursor !== undefined) {
      const { key, id } = decodeCursor(query.cursor, signature, 'integer');
      q = q.where((eb) => eb.or([eb('runs.start_time', cmp, key), eb.and([eb('runs.start_time', '=', key), eb('runs.id', cmp, id)])]));
    }
    q = q.orderBy('runs.start_time', direction).orderBy('runs.id', direction);
  }
  const rows = await q.limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor =
    rows.length > limit && last !== undefined
      ? encodeCursor({ order: signature, key: order.by === 'metric' ? last.sort_value : last.start_time, id: last.id })
      : null;
  return { runs: await summaries(db, page, query.params), nextCursor };
}

type PageRow = Pick<Database['runs'], 'id' | 'experiment_id' | 'name' | 'status' | 'start_time' | 'end_time'> & { sort_value: number | null };

async function summaries(db: Db, rows: readonly PageRow[], paramKeys?: readonly string[]): Promise<RunSummary[]> {
  const metrics = new Map<string, Record<string, number>>();
  const tags = new Map<string, Record<string, string>>();
  const params = new Map<string, Record<string, JsonValue>>();
  for (const r of rows) {
    metrics.set(r.id, {});
    tags.set(r.id, {});
    params.set(r.id, {});
  }
  const wanted = paramKeys !== undefined && paramKeys.length > 0 ? [...new Set(paramKeys)] : undefined;
  if (wanted !== undefined)
    for (const ids of chunks(rows.map((r) => r.id), 5000)) {
      for (const row of await db.selectFrom('run_params').select(['run_id', 'key', 'value']).where('run_id', 'in', ids).where('key', 'in', wanted).execute()) params.get(row.run_id)![row.key] = JSON.parse(row.value) as JsonValue;
    }
  for (const ids of chunks(rows.map((r) => r.id), 5000)) {
    const [m, t] = await Promise.all([
      db.selectFrom('run_latest_metrics').select(['run_id', 'name', 'value']).where('run_id', 'in', ids).execute(),
      db.selectFrom('run_tags').select(['run_id', 'key', 'value']).where('run_id', 'in', ids).execute(),
    ]);
    for (const row of m) metrics.get(row.run_id)![row.name] = row.value ?? NaN;
    for (const row of t) tags.get(row.run_id)![row.key] = row.value;
  }
  return rows.map((r) => ({
    id: r.id,
    experimentId: r.experiment_id,
    name: r.name,
    status: r.status as RunStatus,
    startTime: r.start_time,
    endTime: r.end_time,
    metrics: metrics.get(r.id)!,
    tags: tags.get(r.id)!,
    ...(wanted !== undefined ? { params: params.get(r.id)! } : {}),
  }));
}
