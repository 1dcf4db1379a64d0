import duckdb from '@duckdb/node-bindings';
import type { Column, Table } from '../table.js';
import { connect, sqlIdentifier, sqlString } from '../duckdb-connection.js';
import { appendVarchars } from './duckdb-strings.js';
import { freeNativeGarbage } from './native-memory.js';
import { DEFAULT_MAX_LINE_SIZE, MISSING_MARKERS, type ColumnReadType, type ReadOptions, type SourceFormat } from './options.js';

/** How a source column reaches JavaScript: numbers and datetimes as doubles, the rest as strings. */
type Transfer = 'number' | 'datetime' | 'string';

export interface SourceColumn {
  name: string;
  /** The type DuckDB sniffed or the file declared, e.g. BIGINT, VARCHAR, DATE. */
  sourceType: string;
}

export interface DuckDBReadResult {
  table: Table;
  columns: SourceColumn[];
}

const DUCKDB_TYPE: Record<ColumnReadType, string> = {
  string: 'VARCHAR',
  number: 'DOUBLE',
  integer: 'BIGINT',
  boolean: 'BOOLEAN',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
};

/** DuckDB's default type candidates less BOOLEAN. */
const AUTO_TYPES = ['VARCHAR', 'BIGINT', 'DOUBLE', 'TIME', 'DATE', 'TIMESTAMP'];

/** The table function call that reads `path` in `format` with the user's overrides. */
export function scanExpression(path: string, format: SourceFormat, options: ReadOptions): string {
  const p = sqlString(path);
  switch (format) {
    case 'parquet':
      return `read_parquet(${p})`;
    case 'json':
      return `read_json(${p}, format = 'auto')`;
    case 'ndjson':
      return `read_json(${p}, format = 'newline_delimited')`;
    case 'csv':
    case 'tsv': {
      const args = [
        p,
        'auto_detect = true',
        `nullstr = [${MISSING_MARKERS.map(sqlString).join(', ')}]`,
        `max_line_size = ${options.maxLineSize ?? DEFAULT_MAX_LINE_SIZE}`,
        'strict_mode = true',
        'sample_size = 20480',
        // The first line is the header or data, never a preamble the sniffer may skip, and no line is
        // a comment: rows that disagree with the header are errors, not silently dropped.
        'skip = 0',
        "comment = ''",
        // No BOOLEAN: DuckDB would turn Yes/No, Y/N, t/f into true/false (and Yes and yes into one value);
        // as text, Hyperplane's own inference keeps the spellings found in the data.
        `auto_type_candidates = [${AUTO_TYPES.map(sqlString).join(', ')}]`,
      ];
      const delimiter = options.delimiter ?? (format === 'tsv' ? '\t' : undefined);
      if (delimiter !== undefined) args.push(`delim = ${sqlString(delimiter)}`);
      if (options.quote !== undefined) args.push(`quote = ${sqlString(options.quote)}`);
      if (options.header !== undefined) args.push(`header = ${options.header}`);
      if (options.columnTypes !== undefined && Object.keys(options.columnTypes).length > 0) {
        const entries = Object.entries(options.columnTypes).map(([name, t]) => `${sqlString(name)}: ${sqlString(DUCKDB_TYPE[t])}`);
        args.push(`types = {${entries.join(', ')}}`);
      }
      return `read_csv(${args.join(', ')})`;
    }
  }
}

/** The CSV dialect DuckDB's sniffer settles on for a file, with the options a read passes. */
export interface CsvDialect {
  delimiter: string;
  /** '' when fields are never quoted. */
  quote: string;
  /** '' when none; the quote itself for RFC 4180's doubled quotes; e.g. a backslash otherwise. */
  escape: string;
  header: boolean;
}

/** Asks DuckDB which dialect it reads `path` with: our own record count must use the same one. */
export async function sniffCsvDialect(path: string, format: SourceFormat, options: ReadOptions): Promise<CsvDialect> {
  const read = scanExpression(path, format, options);
  // sniff_csv takes read_csv's options except the types it would only check afterwards.
  const scan = read.replace(/^read_csv\(/, 'sniff_csv(').replace(/, auto_type_candidates = \[[^\]]*\]/, '').replace(/, types = \{[^}]*\}/, '');
  const connection = await connect();
  try {
    const result = await duckdb.query(connection, `SELECT Delimiter, Quote, Escape, CAST(HasHeader AS VARCHAR) FROM ${scan}`);
    const [delimiter, quote, escape, header] = [0, 1, 2, 3].map((c) => readStringColumn(result, c)[0] ?? '');
    const none = (v: string): string => (v === '(empty)' ? '' : v);
    return { delimiter: delimiter!, quote: none(quote!), escape: none(escape!), header: header === 'true' };
  } finally {
    duckdb.disconnect_sync(connection);
  }
}

function transferOf(sourceType: string): Transfer {
  const t = sourceType.toUpperCase();
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/.test(t)) return 'number';
  if (/^(DATE|TIMESTAMP)/.test(t)) return 'datetime';
  return 'string';
}

/** Each column converted in SQL so that JavaScript only ever copies doubles or reads strings. */
function projection(col: SourceColumn, transfer: Transfer): string {
  const id = sqlIdentifier(col.name);
  switch (transfer) {
    case 'number':
      return `coalesce(CAST(${id} AS DOUBLE), 'NaN'::DOUBLE)`;
    case 'datetime':
      return `coalesce(CAST(epoch_ms(CAST(${id} AS TIMESTAMP)) AS DOUBLE), 'NaN'::DOUBLE)`;
    case 'string':
      return `CAST(${id} AS VARCHAR)`;
  }
}

/**
 * Runs `select * from <scan>` and gathers the result into columns. DuckDB's errors are passed on as
 * they are; the caller knows the source and turns them into messages. The result is materialized by DuckDB
 * (parsed in parallel) and then copied chunk by chunk: streaming with an await per 2,048-row chunk
 * costs more than the parse itself. A large result is freed as the copy goes and once it is done.
 */
export async function readWithDuckDB(scan: string, freeFromBytes = LARGE_RESULT_BYTES): Promise<DuckDBReadResult> {
  const connection = await connect();
  try {
    const described = await duckdb.query(connection, `DESCRIBE SELECT * FROM ${scan}`);
    const names = readStringColumn(described, 0);
    const types = readStringColumn(described, 1);
    const columns: SourceColumn[] = names.map((name, i) => ({ name: name ?? '', sourceType: types[i] ?? 'VARCHAR' }));
    const transfers = columns.map((c) => transferOf(c.sourceType));
    const sql = `SELECT ${columns.map((c, i) => projection(c, transfers[i]!)).join(', ')} FROM ${scan}`;
    const { doubles, strings, nRows, large } = await gather(await duckdb.query(connection, sql), transfers, freeFromBytes);
    // The result (as big as the table) is garbage now; free it before the caller trains on the table.
    if (large) await freeNativeGarbage('major');
    const tableColumns = columns.map((c, i): Column => {
      const t = transfers[i]!;
      if (t === 'string') return { kind: 'text', name: c.name, values: strings[i]! };
      const values = doubles[i]!;
      return t === 'number' ? { kind: 'numeric', name: c.name, values } : { kind: 'datetime', name: c.name, values };
    });
    return { table: { nRows, columns: tableColumns }, columns };
  } finally {
    duckdb.disconnect_sync(connection);
  }
}

/** Results at least this big (8 bytes a cell) are freed as soon as they are copied, and their chunks as they go (see native-memory.ts). */
const LARGE_RESULT_BYTES = 64 * 1024 * 1024;
/** Chunks (2,048 rows each) copied between two frees of the copied ones. */
const CHUNKS_PER_FREE = 8;

/**
 * Copies a materialized result out chunk by chunk. `result_get_chunk` builds a fresh chunk on every
 * call, so each chunk is fetched once and all columns are taken from it. Numbers were coalesced to NaN
 * in SQL, so a chunk's raw buffer is the whole story and is copied in one go. The chunks copied so far are
 * freed every few chunks of a large result: left to themselves they stay until a collection that may never
 * come (docs/benchmarks.md, "`train` end to end"). `large`: the result is at least `freeFromBytes`.
 */
async function gather(
  result: duckdb.Result,
  transfers: readonly Transfer[],
  freeFromBytes: number,
): Promise<{ doubles: (Float64Array | undefined)[]; strings: ((string | null)[] | undefined)[]; nRows: number; large: boolean }> {
  const nChunks = duckdb.result_chunk_count(result);
  // The row count first, so the doubles go straight into arrays of the right size; chunks are then
  // fetched one at a time and dropped, so at most one copy is alive beside DuckDB's result.
  const nRows = duckdb.row_count(result);
  const doubles = transfers.map((t) => (t === 'string' ? undefined : new Float64Array(nRows)));
  const strings: ((string | null)[] | undefined)[] = transfers.map((t) => (t === 'string' ? [] : undefined));
  const large = nRows * transfers.length * 8 >= freeFromBytes;
  let offset = 0;
  for (let k = 0; k < nChunks; k++) {
    if (large && k % CHUNKS_PER_FREE === CHUNKS_PER_FREE - 1) await freeNativeGarbage('minor');
    const chunk = duckdb.result_get_chunk(result, k);
    const n = duckdb.data_chunk_get_size(chunk);
    if (n === 0) continue;
    if (offset + n > nRows) throw new Error(`DuckDB returned more rows than its row count (${nRows})`);
    for (let c = 0; c < transfers.length; c++) {
      const vector = duckdb.data_chunk_get_vector(chunk, c);
      const out = doubles[c];
      if (out !== undefined) {
        const raw = duckdb.vector_get_data(vector, n * 8);
        out.set(raw.byteOffset % 8 === 0 ? new Float64Array(raw.buffer, raw.byteOffset, n) : new Float64Array(raw.slice().buffer), offset);
      } else {
        appendVarchars(vector, n, strings[c]!);
      }
    }
    offset += n;
  }
  return { doubles, strings, nRows, large };
}

function readStringColumn(result: duckdb.Result, column: number): (string | null)[] {
  const out: (string | null)[] = [];
  const nChunks = duckdb.result_chunk_count(result);
  for (let k = 0; k < nChunks; k++) {
    const chunk = duckdb.result_get_chunk(result, k);
    const n = duckdb.data_chunk_get_size(chunk);
    if (n > 0) appendVarchars(duckdb.data_chunk_get_vector(chunk, column), n, out);
  }
  return out;
}

/** Converts a CSV file to Parquet with DuckDB (used by `synth` and by tests that compare formats). */
export async function copyCsvToParquet(csvPath: string, parquetPath: string): Promise<void> {
  const connection = await connect();
  try {
    await duckdb.query(connection, `COPY (SELECT * FROM read_csv(${sqlString(csvPath)})) TO ${sqlString(parquetPath)} (FORMAT parquet)`);
  } finally {
    duckdb.disconnect_sync(connection);
  }
}

/** The files a glob names, sorted by path (DuckDB's own glob, so the same files its readers would read); none: []. */
export async function globFiles(pattern: string): Promise<string[]> {
  const connection = await connect();
  try {
    const result = await duckdb.query(connection, `SELECT file FROM glob(${sqlString(pattern)}) ORDER BY file`);
    return readStringColumn(result, 0).filter((f): f is string => f !== null);
  } finally {
    duckdb.disconnect_sync(connection);
  }
}
