import type SqliteDatabase from 'better-sqlite3';
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import { HyperplaneError } from '../../errors.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { Database } from '../db/schema.js';
import type { JsonValue } from '../json.js';
import { isEncoded, type Prediction, type PredictionLog, type PredictionQuery, type PredictionRecord, type PredictionWithFeedback, type WindowCount } from '../serving.js';
import { checkInteger, checkLimit, checkName, chunks, rowsPerInsert } from '../validate.js';

type Row = Database['prediction_log'];

/** Loads rows in bulk with PostgreSQL's COPY (prediction-copy.ts), skipping ids already stored. */
export type CopyRows = (rows: readonly Row[]) => Promise<void>;

/** How large a batch must be for COPY: its staging table costs a few round trips that a small INSERT does not. */
export const COPY_MIN_ROWS = 200;

/** The database's own handles, for the bulk loads the query builder cannot express. */
export interface BulkLoaders {
  /** SQLite's handle: a prepared statement per row in one transaction. */
  sqlite?: SqliteDatabase.Database | undefined;
  /** PostgreSQL's COPY, for batches of COPY_MIN_ROWS or more. */
  copyRows?: CopyRows | undefined;
}

export class SqlPredictionLog implements PredictionLog {
  private readonly fastInsert: ((rows: readonly Row[]) => void) | undefined;
  private readonly copyRows: CopyRows | undefined;

  /** The shipper loads every prediction through insert(): each backend gets its fastest bulk path. */
  constructor(
    private readonly db: Kysely<Database>,
    bulk: BulkLoaders = {},
  ) {
    this.copyRows = bulk.copyRows;
    this.fastInsert = bulk.sqlite === undefined ? undefined : sqliteInsert(bulk.sqlite);
  }

  async insert(batch: readonly PredictionRecord[]): Promise<void> {
    if (batch.length === 0) return;
    // Checked and converted here, before either path, so both refuse the same records with the same errors.
    const rows: Row[] = batch.map((p) => ({
      id: checkName(p.id, 'prediction id'),
      model: checkName(p.model, 'model'),
      version: checkInteger(p.version, 'version'),
      ts: checkInteger(p.timestamp, 'timestamp'),
      request: isEncoded(p) ? checkText(p.requestJson, 'request') : JSON.stringify(p.request),
      response: isEncoded(p) ? checkText(p.responseJson, 'response') : JSON.stringify(p.response),
      latency_ms: p.latencyMs,
      arm: p.arm ?? null,
      request_id: p.requestId ?? null,
    }));
    if (this.fastInsert !== undefined) {
      const fast = this.fastInsert;
      // Through Kysely's connection, so no Kysely transaction is open on it meanwhile; better-sqlite3 runs it synchronously:
      // a prepared statement per row costs a few µs, the query builder's multi-row insert ~30.
      await this.db.connection().execute(async () => fast(rows));
      return;
    }
    if (this.copyRows !== undefined && rows.length >= COPY_MIN_ROWS) {
      await this.copyRows(rows);
      return;
    }
    await this.db.transaction().execute(async (trx) => {
      for (const part of chunks(rows, rowsPerInsert(9))) {
        await trx.insertInto('prediction_log').values(part).onConflict((oc) => oc.column('id').doNothing()).execute();
      }
    });
  }

  async get(id: string): Promise<Prediction | undefined> {
    const row = await this.db.selectFrom('prediction_log').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toPrediction(row);
  }

  async list(query: PredictionQuery = {}): Promise<{ predictions: Prediction[]; nextCursor: string | null }> {
    const limit = checkLimit(query.limit, 1000, 100_000);
    const rows = await this.paged(this.filtered(query), query.cursor).selectAll('prediction_log').limit(limit + 1).execute();
    return page(rows, limit, toPrediction);
  }

  async listWithFeedback(query: PredictionQuery = {}): Promise<{ predictions: PredictionWithFeedback[]; nextCursor: string | null }> {
    const limit = checkLimit(query.limit, 1000, 100_000);
    const rows = await this.paged(this.filtered(query), query.cursor)
      // The latest feedback only: the insert keeps one row per outcome and the newest id is the current one.
      .leftJoin('feedback as f', (join) =>
        join
          .onRef('f.prediction_id', '=', 'prediction_log.id')
          .on((eb) => eb('f.id', '=', eb.selectFrom('feedback as latest').select((e) => e.fn.max('latest.id').as('id')).whereRef('latest.prediction_id', '=', 'prediction_log.id'))),
      )
      .$if(query.labelled === true, (q) => q.where('f.id', 'is not', null))
      .selectAll('prediction_log')
      .select(['f.id as feedback_id', 'f.outcome as feedback_outcome', 'f.reward as feedback_reward', 'f.ts as feedback_ts'])
      .limit(limit + 1)
      .execute();
    return page(rows, limit, (r) => ({
      ...toPrediction(r),
      feedback:
        r.feedback_id === null || r.feedback_outcome === null || r.feedback_ts === null
          ? null
          : { id: Number(r.feedback_id), outcome: JSON.parse(r.feedback_outcome) as JsonValue, reward: r.feedback_reward === null ? null : Number(r.feedback_reward), timestamp: Number(r.feedback_ts) },
    }));
  }

  async count(query: Omit<PredictionQuery, 'limit' | 'cursor'> = {}): Promise<number> {
    const row = await this.filtered(query)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async countByWindow(query: Omit<PredictionQuery, 'limit' | 'cursor' | 'labelled'>, windowMs: number, options: { byArm?: boolean } = {}): Promise<WindowCount[]> {
    if (!(Number.isInteger(windowMs) && windowMs > 0)) throw new HyperplaneError(`windowMs ${windowMs}: expected a whole number of milliseconds above 0`, { field: 'windowMs' });
    // A literal (checked to be an integer above): PostgreSQL matches the GROUP BY to the select list by its text, parameters numbered apart.
    const start = sql<number>`(prediction_log.ts / ${sql.lit(windowMs)}) * ${sql.lit(windowMs)}`;
    if (options.byArm === true) {
      const rows = await this.filtered(query)
        .select((eb) => [start.as('start'), 'prediction_log.arm as arm', eb.fn.countAll<number>().as('n')])
        .groupBy([start, 'prediction_log.arm'])
        .execute();
      // Sorted here: SQLite and PostgreSQL put nulls at opposite ends.
      const byArm = (a: string | null, b: string | null): number => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1);
      return rows.map((r) => ({ start: Number(r.start), rows: Number(r.n), arm: r.arm })).sort((a, b) => a.start - b.start || byArm(a.arm, b.arm));
    }
    const rows = await this.filtered(query)
      .select((eb) => [start.as('start'), eb.fn.countAll<number>().as('n')])
      .groupBy(start)
      .orderBy(start)
      .execute();
    return rows.map((r) => ({ start: Number(r.start), rows: Number(r.n) }));
  }

  async models(): Promise<string[]> {
    const rows = await this.db.selectFrom('prediction_log').select('model').distinct().orderBy('model').execute();
    return rows.map((r) => r.model);
  }

  async deleteBefore(before: number, model?: string): Promise<number> {
    let q = this.db.deleteFrom('prediction_log').where('ts', '<', before);
    if (model !== undefined) q = q.where('model', '=', model);
    return Number((await q.executeTakeFirst()).numDeletedRows);
  }

  private filtered(query: Omit<PredictionQuery, 'limit' | 'cursor'>): SelectQueryBuilder<Database, 'prediction_log', object> {
    // Qualified: listWithFeedback joins feedback, which has an id and a ts too.
    let q = this.db.selectFrom('prediction_log');
    if (query.model !== undefined) q = q.where('prediction_log.model', '=', query.model);
    if (query.version !== undefined) q = q.where('prediction_log.version', '=', query.version);
    if (query.arm !== undefined) q = q.where('prediction_log.arm', '=', query.arm);
    if (query.since !== undefined) q = q.where('prediction_log.ts', '>=', query.since);
    if (query.until !== undefined) q = q.where('prediction_log.ts', '<', query.until);
    return q;
  }

  /** Oldest first, from after the cursor's position: (ts, id) orders the log totally. */
  private paged(q: SelectQueryBuilder<Database, 'prediction_log', object>, cursor: string | undefined): SelectQueryBuilder<Database, 'prediction_log', object> {
    if (cursor !== undefined) {
      const { key, id } = decodeCursor(cursor, 'ts asc', 'integer');
      // `ts >= key` alone is what an index range can start from: with only the OR, each page scanned the log from its start.
      q = q.where('prediction_log.ts', '>=', key).where((eb) => eb.or([eb('prediction_log.ts', '>', key), eb('prediction_log.id', '>', id)]));
    }
    return q.orderBy('prediction_log.ts').orderBy('prediction_log.id');
  }
}

/** A page of `limit` rows (one more was asked for, to know whether another page follows) and the cursor after its last. */
function page<R extends Row, T>(rows: readonly R[], limit: number, convert: (row: R) => T): { predictions: T[]; nextCursor: string | null } {
  const shown = rows.slice(0, limit);
  const last = shown[shown.length - 1];
  return {
    predictions: shown.map(convert),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor({ order: 'ts asc', key: last.ts, id: last.id }) : null,
  };
}

/** Rows per SQLite statement: one statement of many rows costs ~25% less a row than a statement a row (9 × 32 parameters, far below SQLite's limit). */
const SQLITE_ROWS_PER_STATEMENT = 32;
const SQLITE_COLUMNS = 9;

/** The whole batch in one transaction (BEGIN IMMEDIATE, as the Kysely driver: the write lock up front), in prepared statements of 32 rows and one for the rest. */
function sqliteInsert(raw: SqliteDatabase.Database): (rows: readonly Row[]) => void {
  const statementOf = (n: number): SqliteDatabase.Statement =>
    raw.prepare(`insert into prediction_log (id, model, version, ts, request, response, latency_ms, arm, request_id) values ${Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')} on conflict (id) do nothing`);
  const many = statementOf(SQLITE_ROWS_PER_STATEMENT);
  const one = statementOf(1);
  const args: unknown[] = new Array(SQLITE_ROWS_PER_STATEMENT * SQLITE_COLUMNS);
  const bind = (r: Row, to: unknown[], at: number): void => {
    to[at] = r.id;
    to[at + 1] = r.model;
    to[at + 2] = r.version;
    to[at + 3] = r.ts;
    to[at + 4] = r.request;
    to[at + 5] = r.response;
    to[at + 6] = r.latency_ms;
    to[at + 7] = r.arm;
    to[at + 8] = r.request_id;
  };
  const insertAll = raw.transaction((rows: readonly Row[]) => {
    let i = 0;
    // Rows in order, so of two with one id in the batch the first is kept, as one INSERT would keep it.
    for (; i + SQLITE_ROWS_PER_STATEMENT <= rows.length; i += SQLITE_ROWS_PER_STATEMENT) {
      for (let k = 0; k < SQLITE_ROWS_PER_STATEMENT; k++) bind(rows[i + k]!, args, k * SQLITE_COLUMNS);
      many.run(args);
    }
    const single: unknown[] = new Array(SQLITE_COLUMNS);
    for (; i < rows.length; i++) {
      bind(rows[i]!, single, 0);
      one.run(single);
    }
  });
  return (rows) => insertAll.immediate(rows);
}

/** Encoded JSON is trusted, not parsed again; only its kind is checked (a non-string would be stored as something else). */
function checkText(text: unknown, field: string): string {
  if (typeof text !== 'string' || text === '') throw new HyperplaneError(`a prediction's ${field} JSON must be non-empty text`, { field });
  return text;
}

const toPrediction = (r: Row): Prediction => ({
  id: r.id,
  model: r.model,
  version: r.version,
  timestamp: r.ts,
  request: JSON.parse(r.request) as JsonValue,
  response: JSON.parse(r.response) as JsonValue,
  latencyMs: r.latency_ms,
  ...(r.arm !== null ? { arm: r.arm } : {}),
  ...(r.request_id !== null ? { requestId: r.request_id } : {}),
});
