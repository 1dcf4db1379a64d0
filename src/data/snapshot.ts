import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadedData, LoadOptions } from './load.js';
import type { Table } from './table.js';
import type { OutputColumn } from './write/columns-writer.js';

/**
 * Data snapshots: a Parquet copy of a training's data as it was read, kept in the store so that the run
 * can be trained again after its source changed or went away.
 *
 * The copy is the table as read, before the schema typed it (numbers as DOUBLE, dates as TIMESTAMP, the
 * rest as VARCHAR): read back, it passes through the same typing and so gives the same table and the same
 * fingerprint, whatever the source's format (CSV, JSON, Parquet, a glob or a PostgreSQL query).
 */

/**
 * Snapshots are kept by default up to this size of the data as read, 8 bytes a number or date and 1 a
 * character of text: a copy of a few files of this size is cheap beside a model, a larger one is asked for.
 */
export const SNAPSHOT_MAX_MB_DEFAULT = 64;

/** The environment variable that moves the default limit (in MiB); `train --snapshot-max-mb` beats it. */
export const SNAPSHOT_MAX_MB_ENV = 'HYPERPLANE_SNAPSHOT_MAX_MB';

/** The data's size as the limit measures it. */
export function tableBytes(table: Table): number {
  let bytes = 0;
  for (const c of table.columns) {
    if (c.kind === 'numeric' || c.kind === 'datetime') bytes += 8 * table.nRows;
    else if (c.kind === 'categorical') bytes += 4 * table.nRows + c.dictionary.reduce((sum, label) => sum + label.length, 0);
    else for (const v of c.values) bytes += v === null ? 0 : v.length;
  }
  return bytes;
}

function outputColumns(table: Table): OutputColumn[] {
  return table.columns.map((c): OutputColumn => {
    switch (c.kind) {
      case 'numeric':
        return { name: c.name, kind: 'number', values: c.values };
      case 'datetime':
        return { name: c.name, kind: 'datetime', values: c.values };
      case 'categorical':
        return { name: c.name, kind: 'label', codes: c.codes, labels: c.dictionary };
      case 'text':
        return { name: c.name, kind: 'text', values: c.values };
    }
  });
}

/** A scratch folder for one Parquet file, removed afterwards. */
async function inScratch<T>(use: (path: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'hyperplane-snapshot-'));
  try {
    return await use(join(dir, 'data.parquet'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The Parquet bytes of a table as read. DuckDB writes the same bytes for the same table (no time or path
 * in the file), so the store's content address deduplicates snapshots of the same data.
 */
export async function snapshotBytes(raw: Table): Promise<Uint8Array> {
  return inScratch(async (path) => {
    // DuckDB loads only when a snapshot is written (the CLI's constants above are read at every start).
    const { writeColumns } = await import('./write/columns-writer.js');
    await writeColumns(path, outputColumns(raw), 'parquet');
    return new Uint8Array(readFileSync(path));
  });
}

/** Reads a snapshot back as `loadData` read the original (the same schema file applies). */
export async function loadSnapshot(bytes: Uint8Array, options: Pick<LoadOptions, 'schemaPath' | 'schema'> = {}): Promise<LoadedData> {
  return inScratch(async (path) => {
    writeFileSync(path, bytes);
    const { loadData } = await import('./load.js');
    return loadData(path, { ...options, format: 'parquet' });
  });
}
