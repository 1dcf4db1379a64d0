import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Database } from '../db/schema.js';

type Row = Database['prediction_log'];

const COLUMNS = 'id, model, version, ts, request, response, latency_ms, arm, request_id';
/** Text sent per write to the COPY stream: large enough that per-message costs vanish, small enough not to hold a batch twice. */
const CHUNK_CHARS = 256 * 1024;

/**
 * Loads prediction rows into PostgreSQL with COPY: ~10x the rows/s of multi-row INSERTs, whose
 * parameters PostgreSQL must bind and plan one by one.
 *
 * COPY cannot skip ids already stored, and a batch is shipped again only after a crash between its
 * insert and its segment's deletion. So the rows are copied straight into the log first, under a
 * savepoint; only when an id is already there (unique violation) does the batch go the slower way: into
 * a staging table, then on with `INSERT … SELECT … ON CONFLICT (id) DO NOTHING`. Copying straight in
 * halves PostgreSQL's work for a batch (docs/benchmarks.md).
 *
 * The staging table is a temporary table created per batch and dropped at commit, rather than one kept
 * per connection: it costs ~1 ms a batch, and nothing outlives the transaction, so a pooled connection
 * (or a pgbouncer in transaction mode) never holds one of an older schema or one another session sees.
 */
export function copyPredictions(pool: pg.Pool): (rows: readonly Row[]) => Promise<void> {
  return async (rows) => {
    const client = await pool.connect();
    let unusable: Error | undefined;
    try {
      await client.query('begin');
      await client.query('savepoint straight_in');
      try {
        await pipeline(Readable.from(copyText(rows, false)), client.query(copyFrom(`copy prediction_log (${COLUMNS}) from stdin`)));
      } catch (e) {
        if ((e as { code?: unknown }).code !== UNIQUE_VIOLATION) throw e;
        await client.query('rollback to savepoint straight_in');
        await viaStaging(client, rows);
      }
      await client.query('commit');
    } catch (e) {
      // A connection that cannot even roll back is dropped from the pool, not handed to the next query.
      await client.query('rollback').catch((rollbackError: unknown) => {
        unusable = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw e;
    } finally {
      client.release(unusable);
    }
  };
}

const UNIQUE_VIOLATION = '23505';

/** A batch some of whose ids are stored already (or repeated in it): the first of each new id is kept, as the INSERT path keeps it. */
async function viaStaging(client: pg.PoolClient, rows: readonly Row[]): Promise<void> {
  // LIKE copies the NOT NULL constraints, so a missing value fails in COPY with the class-23 code an INSERT reports.
  // `seq` keeps the batch's order, so of two rows with one id the first is kept.
  await client.query('create temp table prediction_log_staging (like prediction_log including defaults, seq integer not null) on commit drop');
  await pipeline(Readable.from(copyText(rows, true)), client.query(copyFrom(`copy prediction_log_staging (${COLUMNS}, seq) from stdin`)));
  await client.query(`insert into prediction_log (${COLUMNS}) select ${COLUMNS} from prediction_log_staging order by seq on conflict (id) do nothing`);
}

/** The rows in COPY's text format, in chunks of about CHUNK_CHARS; with `seq`, each row's place in the batch as a last column. */
export function* copyText(rows: readonly Row[], seq: boolean): Generator<string> {
  let chunk = '';
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    chunk += `${field(r.id)}\t${field(r.model)}\t${field(r.version)}\t${field(r.ts)}\t${field(r.request)}\t${field(r.response)}\t${field(r.latency_ms)}\t${field(r.arm)}\t${field(r.request_id)}${seq ? `\t${i}` : ''}\n`;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

const SPECIAL = /[\\\t\n\r]/;
const SPECIALS = /[\\\t\n\r]/g;
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * One value as `pg` would send it as a query parameter (so both paths store the same text), escaped for
 * COPY's text format: backslash, tab, newline and carriage return are the only bytes it gives a meaning
 * to, and an escaped backslash also keeps a value of `\N` or `\.` from reading as NULL or end of data.
 */
export function field(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  const text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value as number | bigint | boolean);
  return SPECIAL.test(text) ? text.replace(SPECIALS, (c) => ESCAPES[c]!) : text;
}
