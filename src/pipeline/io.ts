import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { HyperplaneError } from '../errors.js';
import { copyCsvToParquet } from '../data/read/duckdb-reader.js';
import type { ReadOptions } from '../data/read/options.js';
import { readTable } from '../data/read/source.js';
import { resolveSchema } from '../data/schema/schema-file.js';
import type { Table } from '../data/table.js';
import { decodePackage, encodePackage, type ModelPackage } from './package.js';
import { Pipeline } from './pipeline.js';

/** Writes a package atomically: a reader never sees half a file. */
export function savePackage(path: string, pkg: ModelPackage): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, encodePackage(pkg));
  renameSync(tmp, path);
}

export function loadPackage(path: string): ModelPackage {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new HyperplaneError(code === 'ENOENT' ? 'no such model file' : `cannot read the model file (${code ?? String(e)})`, { file: path });
  }
  return decodePackage(bytes, path);
}

/**
 * New data typed as the pipeline was trained: the training schema's types for the columns it
 * knows (a value that does not fit is an error naming the row), others inferred. Every input
 * column the pipeline needs must be present.
 */
export async function readForPipeline(source: string, pipeline: Pipeline, options: ReadOptions = {}, needTarget = false): Promise<{ table: Table; source: string }> {
  const read = await readTable(source, options);
  const have = new Set(read.table.columns.map((c) => c.name));
  const needed = [...pipeline.inputColumns, ...(needTarget ? [pipeline.spec.target.name] : [])];
  const missing = needed.filter((n) => !have.has(n));
  if (missing.length > 0) {
    throw new HyperplaneError(`the model needs column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}, which the data does not have`, { file: read.source, column: missing[0]! });
  }
  const columns = pipeline.spec.schema.filter((c) => have.has(c.name));
  const { table } = resolveSchema(read.table, { version: 1, columns }, read.source);
  return { table, source: read.source };
}

function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export type OutputColumn = { name: string; values: ArrayLike<string | number | null> };

/** Predictions as CSV text: a header, then one line per row; missing values are empty. */
export function predictionsCsv(columns: readonly OutputColumn[]): string {
  const n = columns[0]?.values.length ?? 0;
  const cell = (v: string | number | null | undefined): string => (v === null || v === undefined ? '' : typeof v === 'number' ? (v !== v ? '' : String(v)) : csvField(v));
  // One string per row, joined once: ~1.2× faster than joining an array per row and ~2× faster than
  // appending rows to block strings (measured on 1M rows × 3 columns).
  const lines: string[] = new Array(n + 1);
  lines[0] = columns.map((c) => csvField(c.name)).join(',');
  for (let i = 0; i < n; i++) {
    let line = cell(columns[0]!.values[i]);
    for (let j = 1; j < columns.length; j++) line += `,${cell(columns[j]!.values[i])}`;
    lines[i + 1] = line;
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Writes predictions as CSV (or Parquet, converted by DuckDB from a temporary CSV): the id column if
 * the data has one, then `prediction`, then `proba_<class>` per class.
 */
export async function writePredictions(path: string, columns: readonly OutputColumn[]): Promise<void> {
  const ext = extname(path).toLowerCase();
  if (ext !== '.csv' && ext !== '.parquet') throw new HyperplaneError(`--out '${path}': expected a .csv or .parquet file`, { field: 'out' });
  const text = predictionsCsv(columns);
  if (ext === '.csv') {
    writeFileSync(path, text);
    return;
  }
  const tmp = `${path}.tmp-${process.pid}.csv`;
  try {
    writeFileSync(tmp, text);
    await copyCsvToParquet(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
}
