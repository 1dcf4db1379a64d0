import { parseMetricCondition, RUN_STATUSES, type MetricCondition, type RunOrder, type RunQuery, type RunStatus } from '../../../store/index.js';
import { badField } from './runs-errors.js';
import { DEFAULT_LIMIT, MAX_LIMIT } from './runs-limits.js';

export type Query = Record<string, string | string[] | undefined>;

const LIST_PARAMS = new Set(['experiment', 'parent', 'status', 'where', 'tag', 'order', 'limit', 'cursor', 'columns']);

/** The columns a runs page carries beyond id, name, status and times: metrics by name, params as `params.NAME`. */
export interface Columns {
  metrics: string[] | undefined;
  params: string[];
}

export interface ListRequest {
  query: RunQuery;
  columns: Columns;
  /** As sent, for naming the field a store error came from. */
  where: string[];
  tag: string[];
  order: string | undefined;
}

/** A parameter that may be repeated (`where=a>1&where=b<2`) as a list. */
export const many = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** A parameter that must appear once at most. */
export function once(query: Query, field: string): string | undefined {
  const value = query[field];
  if (Array.isArray(value)) throw badField(field, 'given more than once', 'one value');
  return value;
}

/** Unknown parameters are refused: a typo (`sort=` for `order=`) would otherwise be ignored in silence. */
export function onlyKnown(query: Query, known: ReadonlySet<string>): void {
  for (const key of Object.keys(query)) if (!known.has(key)) throw badField(key, 'is not a parameter of this route', [...known].join(', '));
}

/** `order=start | -start | auc | -auc`, as `hyperplane runs list --sort`: a leading '-' is descending. */
function orderOf(text: string | undefined): RunOrder | undefined {
  if (text === undefined) return undefined;
  const direction = text.startsWith('-') ? 'desc' : 'asc';
  const key = text.replace(/^[-+]/, '');
  if (key === '') throw badField('order', `'${text}' names nothing to sort by`, "start, or a metric name, either with a leading '-' for descending");
  return key === 'start' ? { by: 'startTime', direction } : { by: 'metric', metric: key, direction };
}

function limitOf(text: string | undefined): number {
  if (text === undefined) return DEFAULT_LIMIT;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isInteger(n) || n < 1 || n > MAX_LIMIT) throw badField('limit', `'${text}' is out of range`, `a whole number from 1 to ${MAX_LIMIT.toLocaleString('en-US')}`);
  return n;
}

function statusOf(text: string | undefined): RunStatus[] {
  const statuses = (text ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const s of statuses) if (!RUN_STATUSES.includes(s as RunStatus)) throw badField('status', `'${s}' is not a run status`, RUN_STATUSES.join(', '));
  return statuses as RunStatus[];
}

function tagsOf(list: readonly string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const t of list) {
    const eq = t.indexOf('=');
    if (eq <= 0) throw badField('tag', `'${t}' is not KEY=VALUE`, 'KEY=VALUE, e.g. learner=gbdt');
    tags[t.slice(0, eq)] = t.slice(eq + 1);
  }
  return tags;
}

function conditionsOf(list: readonly string[]): MetricCondition[] {
  return list.map((w) => {
    try {
      return parseMetricCondition(w);
    } catch {
      throw badField('where', `'${w}' is not a metric condition`, "a metric, an operator (>= <= != > < =) and a number, e.g. 'auc > 0.9'");
    }
  });
}

/** `columns=auc,loss,params.lr`: comma-separated, repeatable; absent, every metric and no params. */
function columnsOf(list: readonly string[]): Columns {
  const names = list.flatMap((c) => c.split(',')).map((c) => c.trim()).filter((c) => c !== '');
  if (list.length > 0 && names.length === 0) throw badField('columns', 'names no column', 'metric names and params.NAME, comma-separated');
  if (names.length > 200) throw badField('columns', `${names.length} columns`, 'at most 200');
  const params = names.filter((n) => n.startsWith('params.')).map((n) => n.slice('params.'.length));
  if (params.includes('')) throw badField('columns', "'params.' names no param", 'params.NAME');
  const metrics = names.filter((n) => !n.startsWith('params.')).map((n) => n.replace(/^metrics\./, ''));
  return { metrics: list.length === 0 ? undefined : metrics, params };
}

/** The query of `GET /v1/runs`, as `hyperplane runs list` builds its RunQuery from its flags. */
export function listRequest(query: Query): ListRequest {
  onlyKnown(query, LIST_PARAMS);
  const where = many(query['where']);
  const tag = many(query['tag']);
  const experiment = once(query, 'experiment');
  const parent = once(query, 'parent');
  const statuses = statusOf(once(query, 'status'));
  const tags = tagsOf(tag);
  const metrics = conditionsOf(where);
  const order = once(query, 'order');
  const sort = orderOf(order);
  const cursor = once(query, 'cursor');
  return {
    query: {
      ...(experiment !== undefined ? { experiment } : {}),
      ...(parent !== undefined && parent !== '' ? { parent } : {}),
      ...(statuses.length > 0 ? { status: statuses } : {}),
      ...(Object.keys(tags).length > 0 ? { tags } : {}),
      ...(metrics.length > 0 ? { metrics } : {}),
      ...(sort !== undefined ? { orderBy: sort } : {}),
      limit: limitOf(once(query, 'limit')),
      ...(cursor !== undefined && cursor !== '' ? { cursor } : {}),
    },
    columns: columnsOf(many(query['columns'])),
    where,
    tag,
    order,
  };
}
