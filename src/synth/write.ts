import { rmSync } from 'node:fs';
import { extname } from 'node:path';
import { HyperplaneError } from '../errors.js';
import { copyCsvToParquet } from '../data/read/duckdb-reader.js';
import { synthesize, type SynthOptions } from './generate.js';
import { writeSynthCsv } from './write-csv.js';

/** Generates data and writes it as CSV, or as Parquet by way of a temporary CSV that DuckDB converts. */
export async function writeSynthFile(path: string, options: SynthOptions): Promise<void> {
  if (options.features < 2) throw new HyperplaneError(`--features ${options.features}: expected at least 2`);
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
