import { HyperplaneError } from '../../errors.js';
import type { Column, Table } from '../table.js';
import type { SourceColumn } from './duckdb-reader.js';

const NUMERIC_OIDS = new Set([20, 21, 23, 26, 700, 701, 1700]);
const DATE_OID = 1082;
const TIMESTAMP_OIDS = new Set([1114, 1184]);

/** Runs `query` and returns its rows as columns. Values arrive as raw text so that no time zone is guessed. */
export async function readPostgres(url: string, query: string): Promise<{ table: Table; columns: SourceColumn[] }> {
  // Imported when needed: `pg` cost ~40 ms of every command's start.
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, types: { getTypeParser: () => (v: string) => v } });
  try {
    await client.connect();
  } catch (e) {
    throw new HyperplaneError(`cannot connect to PostgreSQL: ${(e as Error).message}`, { file: redactedHost(url) });
  }
  try {
    const result = await client.query<string[]>({ text: query, rowMode: 'array' }).catch((e: Error) => {
      throw new HyperplaneError(`the query failed: ${e.message}`, { file: redactedHost(url) });
    });
    const n = result.rows.length;
    const columns: Column[] = result.fields.map((f, j): Column => {
      if (NUMERIC_OIDS.has(f.dataTypeID)) {
        const values = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          const v = result.rows[i]![j];
          values[i] = v === null || v === undefined ? NaN : Number(v);
        }
        return { kind: 'numeric', name: f.name, values };
      }
      if (f.dataTypeID === DATE_OID || TIMESTAMP_OIDS.has(f.dataTypeID)) {
        const values = new Float64Array(n);
        for (let i = 0; i < n; i++) values[i] = parsePgTimestamp(result.rows[i]![j] ?? null);
        return { kind: 'datetime', name: f.name, values };
      }
      return { kind: 'text', name: f.name, values: result.rows.map((r) => r[j] ?? null) };
    });
    const sourceColumns = result.fields.map((f) => ({ name: f.name, sourceType: `pg:${f.dataTypeID}` }));
    return { table: { nRows: n, columns }, columns: sourceColumns };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** PostgreSQL's text form: `2020-01-02`, `2020-01-02 03:04:05[.123]` or with a `+01` offset. Naive times are UTC. */
export function parsePgTimestamp(v: string | null): number {
  if (v === null) return NaN;
  let iso = v.replace(' ', 'T');
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) iso += 'T00:00:00';
  if (/[+-]\d{2}$/.test(iso)) iso += ':00';
  else if (!/(Z|[+-]\d{2}:\d{2})$/.test(iso)) iso += 'Z';
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? NaN : ms;
}

function redactedHost(url: string): string {
  try {
    const u = new URL(url);
    return `postgres://${u.host}${u.pathname}`;
  } catch {
    return 'postgres://…';
  }
}
