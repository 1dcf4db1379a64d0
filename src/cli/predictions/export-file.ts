import { once } from 'node:events';
import { createWriteStream, renameSync, rmSync, type WriteStream } from 'node:fs';
import { extname } from 'node:path';
import { ExportColumns, type ColumnKind, type ExportCell, type ExportRow } from './export-rows.js';

export type ExportFormat = 'csv' | 'parquet' | 'jsonl';

const FORMATS: Record<string, ExportFormat> = { '.csv': 'csv', '.parquet': 'parquet', '.jsonl': 'jsonl', '.ndjson': 'jsonl' };

export const exportFormat = (path: string): ExportFormat | undefined => FORMATS[extname(path).toLowerCase()];

/** The rows to write, a page at a time; called again for each pass over them. */
export type RowPages = () => AsyncIterable<readonly ExportRow[]>;

/**
 * Writes the rows to `path`, a page at a time, so a log of millions never sits in memory. JSON lines
 * take one pass; CSV and Parquet two, since the header (the request fields and classes seen in any
 * row) must be known before the first row. Written beside `path` and renamed when complete.
 * Returns how many rows were written.
 */
export async function exportRows(path: string, format: ExportFormat, pages: RowPages): Promise<number> {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    const n = format === 'jsonl' ? await writeJsonLines(tmp, pages) : format === 'csv' ? await writeCsv(tmp, pages) : await writeParquet(tmp, pages);
    renameSync(tmp, path);
    return n;
  } finally {
    rmSync(tmp, { force: true });
  }
}

async function columnsOf(pages: RowPages): Promise<{ name: string; kind: ColumnKind }[]> {
  const columns = new ExportColumns();
  for await (const page of pages()) for (const row of page) columns.add(row);
  return columns.list();
}

async function writeJsonLines(path: string, pages: RowPages, normalize?: (row: ExportRow) => ExportRow): Promise<number> {
  return streamTo(path, pages, (row) => `${JSON.stringify(normalize === undefined ? row : normalize(row))}\n`);
}

async function writeCsv(path: string, pages: RowPages): Promise<number> {
  const names = (await columnsOf(pages)).map((c) => c.name);
  return streamTo(path, pages, (row) => `${names.map((name) => csvField(row[name] ?? null)).join(',')}\n`, `${names.map(csvField).join(',')}\n`);
}

/** CSV as RFC 4180 has it: quoted when it holds a comma, quote or line break; missing values empty. */
export function csvField(v: ExportCell): string {
  if (v === null) return '';
  const text = String(v);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Parquet through DuckDB: the rows go to a JSON lines file beside it, each value already of its
 * column's type, and DuckDB reads that with the columns declared (no type guessing) into the file.
 */
async function writeParquet(path: string, pages: RowPages): Promise<number> {
  const columns = await columnsOf(pages);
  const staged = `${path}.jsonl`;
  try {
    const normalize = (row: ExportRow): ExportRow => Object.fromEntries(columns.map(({ name, kind }) => [name, kind === 'text' && typeof row[name] === 'number' ? String(row[name]) : (row[name] ?? null)]));
    const n = await writeJsonLines(staged, pages, normalize);
    const duckdb = (await import('@duckdb/node-bindings')).default;
    const { connect, sqlIdentifier, sqlString } = await import('../../data/duckdb-connection.js');
    const connection = await connect();
    try {
      const declared = columns.map(({ name, kind }) => `${sqlString(name)}: ${sqlString(name === 'version' ? 'BIGINT' : kind === 'number' ? 'DOUBLE' : 'VARCHAR')}`).join(', ');
      const select = columns.map((c) => sqlIdentifier(c.name)).join(', ');
      await duckdb.query(connection, `COPY (SELECT ${select} FROM read_json(${sqlString(staged)}, format = 'newline_delimited', columns = {${declared}})) TO ${sqlString(path)} (FORMAT parquet)`);
    } finally {
      duckdb.disconnect_sync(connection);
    }
    return n;
  } finally {
    rmSync(staged, { force: true });
  }
}

/** Writes each page's lines as it comes, waiting when the disk falls behind. */
async function streamTo(path: string, pages: RowPages, line: (row: ExportRow) => string, header = ''): Promise<number> {
  const out = createWriteStream(path);
  let n = 0;
  try {
    await write(out, header);
    for await (const page of pages()) {
      await write(out, page.map(line).join(''));
      n += page.length;
    }
    await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
    return n;
  } catch (e) {
    out.destroy();
    throw e;
  }
}

async function write(out: WriteStream, text: string): Promise<void> {
  if (text !== '' && !out.write(text)) await once(out, 'drain');
}
