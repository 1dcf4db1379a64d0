import { rmSync } from 'node:fs';
import { extname } from 'node:path';
import { HyperplaneError } from '../errors.js';
import { copyCsvToParquet } from '../data/read/duckdb-reader.js';
import { synthesize, type SynthOptions } from './generate.js';
import { writeSynthCsv } from './write-csv.js';

/**
 * Bounds on what synth makes: the data is built in memory (8 bytes a value) before it is written, so
 * past these a run would die of memory instead of saying why.
 */
export const SYNTH_LIMITS = { rows: 10_000_000, features: 10_000, values: 200_000_000, classes: 1_000 } as const;

const n = (v: number): string => v.toLocaleString('en-US');

/** Refuses options synth cannot make, naming the flag and its bound. */
export function checkSynthOptions(options: SynthOptions): void {
  const { rows, features, classes, task } = options;
  if (!(rows <= SYNTH_LIMITS.rows)) throw new HyperplaneError(`--rows ${n(rows)}: at most ${n(SYNTH_LIMITS.rows)}`);
  if (features < 2) throw new HyperplaneError(`--features ${features}: expected at least 2`);
  if (!(features <= SYNTH_LIMITS.features)) throw new HyperplaneError(`--features ${n(features)}: at most ${n(SYNTH_LIMITS.features)}`);
  const values = rows * (features + 1);
  if (values > SYNTH_LIMITS.values) {
    throw new HyperplaneError(`--rows ${n(rows)} × --features ${n(features)} is ${n(values)} values with the target; synth makes at most ${n(SYNTH_LIMITS.values)} values (about 1.6 GB) at once`);
  }
  if (classes === undefined) return;
  if (task !== 'multiclass') throw new HyperplaneError(`--classes is for --task multiclass (a ${task} task has ${task === 'binary' ? '2 classes' : 'no classes'})`);
  if (classes < 3) throw new HyperplaneError(`--classes ${classes}: multiclass needs at least 3 (use --task binary for 2)`);
  if (classes > SYNTH_LIMITS.classes) throw new HyperplaneError(`--classes ${n(classes)}: at most ${n(SYNTH_LIMITS.classes)}`);
}

/** Generates data and writes it as CSV, or as Parquet by way of a temporary CSV that DuckDB converts. */
export async function writeSynthFile(path: string, options: SynthOptions): Promise<void> {
  checkSynthOptions(options);
  const ext = extname(path).toLowerCase();
  if (ext !== '.csv' && ext !== '.parquet') throw new HyperplaneError(`--out '${path}': expected a .csv or .parquet file`);
  const data = synthesize(options);
  const integerTarget = options.task !== 'regression';
  if (ext === '.csv') {
    writeSynthCsv(data, path, integerTarget);
    return;
  }
  const tmp = `${path}.tmp-${process.pid}.csv`;
  try {
    writeSynthCsv(data, tmp, integerTarget);
    await copyCsvToParquet(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
}
