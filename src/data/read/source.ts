import { accessSync, constants, statSync } from 'node:fs';
import { extname } from 'node:path';
import { HyperplaneError } from '../../errors.js';
import type { Table } from '../table.js';
import { countCsvRecords, countCsvRecordsAsync, type CsvRecordCount } from './csv-count.js';
import { findDeepNesting, MAX_JSON_DEPTH } from './json-depth.js';
import { findInvalidUtf8Line, findLongLine, findRaggedRow, guessDelimiter } from './csv-diagnose.js';
import { readWithDuckDB, scanExpression, sniffCsvDialect, type SourceColumn } from './duckdb-reader.js';
import { translateDuckDBError } from './duckdb-errors.js';
import { DEFAULT_MAX_LINE_SIZE, type ReadOptions, type SourceFormat } from './options.js';
import { readPostgres } from './postgres-reader.js';

export interface ReadResult {
  table: Table;
  /** What was read, for messages and lineage: a path, glob or database URL without its password. */
  source: string;
  format: SourceFormat | 'postgres';
  columns: SourceColumn[];
}

const FORMAT_BY_EXTENSION: Record<string, SourceFormat> = {
  '.csv': 'csv',
  '.txt': 'csv',
  '.tsv': 'tsv',
  '.tab': 'tsv',
  '.parquet': 'parquet',
  '.pq': 'parquet',
  '.json': 'json',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
};

export function isPostgresUrl(source: string): boolean {
  return /^postgres(ql)?:\/\//i.test(source);
}

function isGlob(path: string): boolean {
  return /[*?[]/.test(path);
}

export function formatOf(path: string): SourceFormat {
  const ext = extname(path.replace(/\.(gz|zst)$/i, '')).toLowerCase();
  const format = FORMAT_BY_EXTENSION[ext];
  if (format === undefined) {
    throw new HyperplaneError(`cannot tell the format from the extension '${ext || '(none)'}'; pass --format csv|tsv|parquet|json|ndjson`, { file: path });
  }
  return format;
}

/** Reads a file, a glob or a PostgreSQL query into a Table. Every failure is a HyperplaneError naming the source. */
export async function readTable(source: string, options: ReadOptions = {}): Promise<ReadResult> {
  if (isPostgresUrl(source)) {
    if (options.query === undefined) throw new HyperplaneError('a PostgreSQL source needs --query "select …"', { file: redactUrl(source) });
    const { table, columns } = await readPostgres(source, options.query);
    return checkRows({ table, source: redactUrl(source), format: 'postgres', columns });
  }
  if (!isGlob(source)) checkFile(source);
  const format = options.format ?? formatOf(source);
  const isCsv = format === 'csv' || format === 'tsv';
  if ((format === 'json' || format === 'ndjson') && !isGlob(source) && !isCompressed(source)) checkJsonDepth(source, format);
  // Our own count of the file's records runs beside DuckDB's read (settled, never rejected, so that
  // a failed read leaves no unhandled rejection behind).
  const counted =
    isCsv && !isGlob(source) && !isCompressed(source)
      ? countCsvRecordsAsync(source, delimiterOf(source, format, options), options.quote ?? '"').then(
          (count) => ({ count }),
          (error: unknown) => ({ error }),
        )
      : undefined;
  let effective = options;
  let result = await readFile(source, format, effective);
  if (isCsv && options.delimiter === undefined && !isGlob(source) && looksMisSniffed(result)) {
    // DuckDB falls back to one column when rows disagree on their field count; read again with the
    // delimiter the header uses, so ragged rows are reported at their line instead of hidden.
    effective = { ...options, delimiter: guessDelimiter(source) };
    result = await readFile(source, format, effective);
  }
  if (counted !== undefined) {
    const c = await counted;
    if ('error' in c) throw c.error;
    await checkRecordCount(result, source, format, effective, c.count);
  }
  return checkRows(result);
}

async function readFile(path: string, format: SourceFormat, options: ReadOptions): Promise<ReadResult> {
  try {
    const { table, columns } = await readWithDuckDB(scanExpression(path, format, options));
    return { table, source: path, format, columns };
  } catch (e) {
    const exact = (format === 'csv' || format === 'tsv') && !isGlob(path) ? diagnoseCsv(e, path, format, options) : undefined;
    throw exact ?? translateDuckDBError(e, path);
  }
}

function looksMisSniffed(result: ReadResult): boolean {
  if (result.table.columns.length !== 1) return false;
  return /[,;\t|]/.test(result.table.columns[0]!.name);
}

/**
 * Replaces DuckDB's account of a CSV failure with an exact line found by our own scan, where we can.
 * A failed sniff can have any of the three causes, so each scan is tried in turn.
 */
function diagnoseCsv(e: unknown, path: string, format: SourceFormat, options: ReadOptions): HyperplaneError | undefined {
  const message = e instanceof Error ? e.message : String(e);
  const sniffFailed = /sniff|Expected Number of Columns|automatically detect/i.test(message);
  if (/Invalid unicode/i.test(message)) return invalidUtf8(path);
  if (/Maximum line size of \d+ bytes exceeded/i.test(message)) return tooLong(path, options) ?? new HyperplaneError('a line is longer than the limit; raise it with --max-line-size', { file: path });
  if (!sniffFailed) return undefined;
  const delimiter = delimiterOf(path, format, options);
  const unclosed = countCsvRecords(path, delimiter, options.quote ?? '"').unclosedQuoteLine;
  if (unclosed !== undefined) return unclosedQuote(path, unclosed);
  const ragged = findRaggedRow(path, delimiter, options.quote ?? '"');
  if (ragged) {
    return new HyperplaneError(`expected ${ragged.expected} fields as in the header, found ${ragged.found} (ragged row)`, { file: path, line: ragged.line });
  }
  return tooLong(path, options) ?? (findInvalidUtf8Line(path) !== undefined ? invalidUtf8(path) : undefined);
}

function delimiterOf(path: string, format: SourceFormat, options: ReadOptions): string {
  return options.delimiter ?? (format === 'tsv' ? '\t' : guessDelimiter(path));
}

function isCompressed(path: string): boolean {
  return /\.(gz|zst)$/i.test(path);
}

function unclosedQuote(path: string, line: number): HyperplaneError {
  return new HyperplaneError('unclosed quote: a quoted field opens here and never closes', { file: path, line });
}

/**
 * Counts the file's records on our own (one fast pass, see csv-count.ts) and checks that DuckDB read
 * each one as a row: no row is dropped, skipped or merged without an error naming the line. The count
 * guesses the dialect (the header's delimiter, '"' quotes); when it disagrees with the read, DuckDB's
 * sniffer says which dialect it used, and the file is counted again with that one before anything is
 * refused, so the extra query is paid only by files that need it.
 */
async function checkRecordCount(result: ReadResult, path: string, format: SourceFormat, options: ReadOptions, guessed: CsvRecordCount): Promise<void> {
  const columns = result.table.columns;
  const guessedDelimiter = delimiterOf(path, format, options);
  // DuckDB names the columns column0, column1, … when it finds no header.
  if (guessed.unclosedQuoteLine === undefined && agrees(result, guessed, options.header ?? !columns.every((c) => /^column\d+$/.test(c.name)))) return;
  // A sniff that fails (it should not, after a read that worked) leaves the guessed dialect.
  const dialect = await sniffCsvDialect(path, format, options).catch(() => ({ delimiter: guessedDelimiter, quote: options.quote ?? '"', escape: '', header: options.header ?? true }));
  // An escape other than the doubled quote (a backslash, as MySQL writes): our count can't follow it,
  // and DuckDB's strict mode is the check, as it is for globs and compressed files.
  if (dialect.escape !== '' && dialect.escape !== dialect.quote) return;
  const quote = options.quote ?? (dialect.quote === '' ? '"' : dialect.quote);
  const delimiter = options.delimiter ?? dialect.delimiter;
  const header = options.header ?? dialect.header;
  const count = quote === (options.quote ?? '"') && delimiter === guessedDelimiter ? guessed : countCsvRecords(path, delimiter, quote);
  if (count.unclosedQuoteLine !== undefined) throw unclosedQuote(path, count.unclosedQuoteLine);
  if (agrees(result, count, header)) return;
  const ragged = findRaggedRow(path, delimiter, quote);
  if (ragged) throw new HyperplaneError(`expected ${ragged.expected} fields as in the header, found ${ragged.found} (ragged row)`, { file: path, line: ragged.line });
  const data = count.records - (header ? 1 : 0);
  throw new HyperplaneError(
    `read ${result.table.nRows.toLocaleString('en-US')} rows but the file holds ${data.toLocaleString('en-US')} records; pass --delimiter, --quote or --no-header if the dialect was guessed wrong`,
    { file: path },
  );
}

/** Every record became a row (a one-column file's blank lines are rows with a missing value; elsewhere they are skipped). */
function agrees(result: ReadResult, count: CsvRecordCount, header: boolean): boolean {
  const read = result.table.nRows + (header ? 1 : 0);
  return read === count.records || (result.table.columns.length === 1 && read > count.records && read <= count.records + count.blank);
}

/** Refuses nesting DuckDB cannot take (it crashes the process past a few thousand levels). */
function checkJsonDepth(path: string, format: SourceFormat): void {
  const line = findDeepNesting(path, MAX_JSON_DEPTH, format === 'ndjson');
  if (line !== undefined) {
    throw new HyperplaneError(`nested more than ${MAX_JSON_DEPTH.toLocaleString('en-US')} levels deep; Hyperplane reads tables, and nesting this deep is not one`, { file: path, line });
  }
}

function invalidUtf8(path: string): HyperplaneError {
  const line = findInvalidUtf8Line(path);
  return new HyperplaneError('invalid UTF-8: the file is not UTF-8 encoded (convert it, e.g. with iconv)', line === undefined ? { file: path } : { file: path, line });
}

function tooLong(path: string, options: ReadOptions): HyperplaneError | undefined {
  const limit = options.maxLineSize ?? DEFAULT_MAX_LINE_SIZE;
  const long = findLongLine(path, limit);
  if (long === undefined) return undefined;
  return new HyperplaneError(
    `a line of ${long.bytes.toLocaleString('en-US')} bytes is longer than the limit of ${limit.toLocaleString('en-US')} bytes; if it is real data, raise the limit with --max-line-size`,
    { file: path, line: long.line },
  );
}

function checkFile(path: string): void {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new HyperplaneError('is a directory; give a file or a glob such as dir/*.parquet', { file: path });
    size = st.size;
    accessSync(path, constants.R_OK);
  } catch (e) {
    if (e instanceof HyperplaneError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new HyperplaneError('no such file', { file: path });
    if (code === 'EACCES' || code === 'EPERM') throw new HyperplaneError('permission denied: the file cannot be read', { file: path });
    throw new HyperplaneError(`cannot read the file (${code ?? String(e)})`, { file: path });
  }
  if (size === 0) throw new HyperplaneError('the file is empty', { file: path });
}

function checkRows(result: ReadResult): ReadResult {
  if (result.table.nRows === 0) {
    const what = result.table.columns.length > 0 ? `it has a header (${result.table.columns.length} columns) but no data rows` : 'it has no data';
    throw new HyperplaneError(what, { file: result.source });
  }
  return result;
}

export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+):[^@]*@/, '$1:***@');
}
