import { createReadStream, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { pipeline as pipeStreams } from 'node:stream/promises';
import { HyperplaneError } from '../errors.js';
import { writeColumns, type OutputColumn } from '../data/write/columns-writer.js';
import type { ReadOptions } from '../data/read/options.js';
import { readTable } from '../data/read/source.js';
import { resolveSchema, type InfiniteValues } from '../data/schema/schema-file.js';
import type { Table } from '../data/table.js';
import { decodePackage, encodePackage, type ModelPackage } from './package.js';
import { Pipeline } from './pipeline.js';
import '../learn/threads.js';

export type { OutputColumn };

/** Writes a package atomically: a reader never sees half a file. */
export function savePackage(path: string, pkg: ModelPackage): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, encodePackage(pkg));
  renameSync(tmp, path);
}

/** The package file train writes into its --out folder: a folder given as the model means the package in it. */
export const PACKAGE_FILE = 'model.hpkg';

export function loadPackage(path: string): ModelPackage {
  return readPackage(path);
}

/** `folder`: the folder given as the model, when `path` is the package in it. */
function readPackage(path: string, folder?: string): ModelPackage {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EISDIR' && folder === undefined) return readPackage(join(path, PACKAGE_FILE), path);
    if (code === 'ENOENT' && folder !== undefined) throw new HyperplaneError(`a folder without ${PACKAGE_FILE}: give a model package file, or the folder train --out wrote`, { file: folder });
    throw new HyperplaneError(code === 'ENOENT' ? 'no such model file' : `cannot read the model file (${code ?? String(e)})`, { file: path });
  }
  return decodePackage(bytes, path);
}

/**
 * New data typed as the pipeline was trained: the training schema's types for the columns it
 * knows (a value that does not fit is an error naming the row), others inferred. Every input
 * column the pipeline needs must be present.
 */
export async function readForPipeline(source: string, pipeline: Pipeline, options: ReadOptions = {}, needTarget = false): Promise<TypedForPipeline> {
  const read = await readTable(source, options);
  return typeForPipeline(read.table, read.source, pipeline, needTarget);
}

export interface TypedForPipeline {
  table: Table;
  source: string;
  infinite: InfiniteValues[];
  warnings: string[];
}

/** A table as read (before typing) typed as `pipeline` was trained: what readForPipeline does once the data is read. */
export function typeForPipeline(raw: Table, source: string, pipeline: Pipeline, needTarget = false): TypedForPipeline {
  const have = new Set(raw.columns.map((c) => c.name));
  const needed = [...pipeline.inputColumns, ...(needTarget ? [pipeline.spec.target.name] : [])];
  const missing = needed.filter((n) => !have.has(n));
  if (missing.length > 0) {
    throw new HyperplaneError(`the model needs column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}, which the data does not have`, { file: source, column: missing[0]! });
  }
  const columns = pipeline.spec.schema.filter((c) => have.has(c.name));
  // ±Infinity in a feature is read as missing, as in training.
  // A binary input holding a value training never saw is scored as missing, as the server scores it; the target stays strict.
  const { table, infinite, widened } = resolveSchema(raw, { version: 1, columns }, source, new Set(pipeline.inputColumns));
  const warnings = widened.map((w) => `${source}, column '${w.column}': values ${w.values.slice(0, 6).join(', ')}${w.values.length > 6 ? ', …' : ''} where the model was trained on two; values it never saw are scored as missing`);
  return { table, source, infinite, warnings };
}

/**
 * Writes predictions as CSV or Parquet (by the file's extension), or as CSV on standard output when
 * no path is given: the same DuckDB writer formats both, so the two never differ.
 */
export async function writePredictions(path: string | undefined, columns: readonly OutputColumn[]): Promise<void> {
  if (path === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'hyperplane-predict-'));
    try {
      const file = join(dir, 'predictions.csv');
      await writeColumns(file, columns, 'csv');
      await pipeStreams(createReadStream(file), process.stdout, { end: false });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return;
  }
  const ext = extname(path).toLowerCase();
  if (ext !== '.csv' && ext !== '.parquet') throw new HyperplaneError(`--out '${path}': expected a .csv or .parquet file`, { field: 'out' });
  await writeColumns(path, columns, ext === '.csv' ? 'csv' : 'parquet');
}
