import { fingerprintTable } from './fingerprint.js';
import { readTable, type ReadResult } from './read/source.js';
import type { ReadOptions } from './read/options.js';
import { loadSchemaFile, resolveSchema, type InfiniteValues } from './schema/schema-file.js';
import type { ColumnSchema, Schema } from './schema/schema.js';
import { findColumn } from './profile/target.js';
import { profileTable, type ClusterProfiler, type Profile, type ProfileWarning } from './profile/profile.js';
import type { Table } from './table.js';

export interface LoadOptions extends ReadOptions {
  /** A schema file to apply; columns it does not name are inferred. */
  schemaPath?: string;
  schema?: Schema;
  /** Keep the table as read, before typing, in `raw` (what a data snapshot is written from). */
  keepRaw?: boolean;
}

export interface LoadedData {
  source: string;
  format: ReadResult['format'];
  /** Typed per the schema: categoricals and binaries as codes, dates as epoch ms. */
  table: Table;
  schema: ColumnSchema[];
  /** sha256 of the typed values, independent of file format and of how the file was chunked. */
  fingerprint: string;
  /** Numeric columns' ±Infinity values, read as missing. */
  infinite: InfiniteValues[];
  /** The table as read, before the schema typed it; only with `keepRaw`. */
  raw?: Table;
}

/** Reads a source, types its columns and fingerprints it: the entry point for every command that takes data. */
export async function loadData(source: string, options: LoadOptions = {}): Promise<LoadedData> {
  const schema = options.schema ?? (options.schemaPath !== undefined ? loadSchemaFile(options.schemaPath) : undefined);
  const read = await readTable(source, options);
  const { table, columns, infinite } = resolveSchema(read.table, schema, options.schemaPath);
  const fingerprint = fingerprintTable(table);
  return { source: read.source, format: read.format, table, schema: columns, fingerprint, infinite, ...(options.keepRaw === true ? { raw: read.table } : {}) };
}

export interface ProfileReport extends Profile {
  source: string;
  format: ReadResult['format'];
  fingerprint: string;
  schema: ColumnSchema[];
  timings: { readMs: number; profileMs: number };
}

export async function profileData(source: string, options: LoadOptions & { target?: string; clusters?: ClusterProfiler } = {}): Promise<ProfileReport> {
  const t0 = performance.now();
  const data = await loadData(source, options);
  const t1 = performance.now();
  if (options.target !== undefined) findColumn(data.table, options.target, data.source);
  const profile = profileTable(data.table, data.schema, options.target, options.clusters !== undefined ? { clusters: options.clusters } : {});
  profile.warnings.unshift(...data.infinite.map(infiniteWarning));
  const t2 = performance.now();
  return {
    source: data.source,
    format: data.format,
    fingerprint: data.fingerprint,
    schema: data.schema,
    ...profile,
    timings: { readMs: Math.round(t1 - t0), profileMs: Math.round(t2 - t1) },
  };
}

export function infiniteWarning(inf: InfiniteValues): ProfileWarning {
  const n = inf.count.toLocaleString('en-US');
  return { kind: 'infinite', column: inf.column, message: `'${inf.column}' has ${n} infinite value${inf.count === 1 ? '' : 's'} (first at row ${(inf.firstRow + 1).toLocaleString('en-US')}); read as missing` };
}
