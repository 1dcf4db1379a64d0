import { renameSync } from 'node:fs';
import duckdb from '@duckdb/node-bindings';
import { connect, sqlIdentifier, sqlString } from '../duckdb-connection.js';

/**
 * A column to write: numbers (NaN is missing), codes into a list of labels (−1 is missing), or
 * strings. Codes keep label columns typed: 1M labels cross into DuckDB as 4 MB of integers, not
 * 1M strings.
 */
export type OutputColumn =
  | { name: string; kind: 'number'; values: Float64Array }
  /** Epoch milliseconds (NaN is missing), written as TIMESTAMP. */
  | { name: string; kind: 'datetime'; values: Float64Array }
  | { name: string; kind: 'label'; codes: Int32Array; labels: readonly string[] }
  | { name: string; kind: 'text'; values: readonly (string | null)[] };

export type OutputFormat = 'csv' | 'parquet';

let tables = 0;

/**
 * Writes columns to a CSV (with a header; missing values empty) or Parquet file through DuckDB:
 * the typed arrays are copied into DuckDB's vectors a chunk at a time, then one `COPY` formats and
 * writes in parallel natively. Numbers are written in their shortest round-trip form. The file is
 * written beside its final path and renamed, so a reader never sees half of it.
 */
export async function writeColumns(path: string, columns: readonly OutputColumn[], format: OutputFormat): Promise<void> {
  const n = columns.length === 0 ? 0 : lengthOf(columns[0]!);
  const connection = await connect();
  const table = `hyperplane_out_${process.pid}_${++tables}`;
  try {
    const types = columns.map((c) => (c.kind === 'number' || c.kind === 'datetime' ? 'DOUBLE' : c.kind === 'label' ? 'INTEGER' : 'VARCHAR'));
    await duckdb.query(connection, `CREATE TEMP TABLE ${table} (${types.map((type, i) => `c${i} ${type}`).join(', ')})`);
    append(connection, table, columns, n);
    const select = columns.map((c, i) => `${projection(c, `c${i}`)} AS ${sqlIdentifier(c.name)}`).join(', ');
    const options = format === 'csv' ? "FORMAT csv, HEADER true, NULLSTR ''" : 'FORMAT parquet';
    const tmp = `${path}.tmp-${process.pid}-${tables}`;
    await duckdb.query(connection, `COPY (SELECT ${select} FROM ${table}) TO ${sqlString(tmp)} (${options})`);
    renameSync(tmp, path);
  } finally {
    await duckdb.query(connection, `DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    duckdb.disconnect_sync(connection);
  }
}

function lengthOf(c: OutputColumn): number {
  return c.kind === 'label' ? c.codes.length : c.values.length;
}

/** SQL turning a stored column back into what is written: labels looked up, NaN as missing. */
function projection(c: OutputColumn, column: string): string {
  if (c.kind === 'number') return `CASE WHEN isnan(${column}) THEN NULL ELSE ${column} END`;
  if (c.kind === 'datetime') return `CASE WHEN isnan(${column}) THEN NULL ELSE epoch_ms(CAST(${column} AS BIGINT)) END`;
  if (c.kind === 'text') return column;
  return `CASE WHEN ${column} >= 0 THEN (${`[${c.labels.map(sqlString).join(', ')}]`}::VARCHAR[])[${column} + 1] END`;
}

/** Copies the columns into the table one vector-sized chunk at a time. */
function append(connection: duckdb.Connection, table: string, columns: readonly OutputColumn[], n: number): void {
  const logical = columns.map((c) => duckdb.create_logical_type(c.kind === 'number' || c.kind === 'datetime' ? duckdb.Type.DOUBLE : c.kind === 'label' ? duckdb.Type.INTEGER : duckdb.Type.VARCHAR));
  const appender = duckdb.appender_create_ext(connection, 'temp', 'main', table);
  const chunk = duckdb.create_data_chunk(logical);
  const size = duckdb.vector_size();
  const validity = new Uint8Array(size / 8);
  for (let start = 0; start < n; start += size) {
    const m = Math.min(size, n - start);
    duckdb.data_chunk_reset(chunk);
    columns.forEach((c, j) => {
      const vector = duckdb.data_chunk_get_vector(chunk, j);
      if (c.kind === 'text') {
        validity.fill(0xff);
        let missing = false;
        for (let r = 0; r < m; r++) {
          const v = c.values[start + r];
          if (v !== null && v !== undefined) duckdb.vector_assign_string_element(vector, r, v);
          else {
            validity[r >> 3]! &= ~(1 << (r & 7));
            missing = true;
          }
        }
        if (missing) {
          duckdb.vector_ensure_validity_writable(vector);
          duckdb.copy_data_to_vector_validity(vector, 0, validity.buffer, 0, validity.length);
        }
        return;
      }
      const data = c.kind === 'label' ? c.codes : c.values;
      const bytes = data.BYTES_PER_ELEMENT;
      duckdb.copy_data_to_vector(vector, 0, data.buffer as ArrayBuffer, data.byteOffset + start * bytes, m * bytes);
    });
    duckdb.data_chunk_set_size(chunk, m);
    duckdb.append_data_chunk(appender, chunk);
  }
  duckdb.appender_close_sync(appender);
}
