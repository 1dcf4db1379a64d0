import type { ReadOptions } from '../data/read/options.js';

/** The queue batch-scoring jobs go to: one job per input file. */
export const BATCHES_QUEUE = 'batches';

/** Everything a worker needs to score one file: the model (an artifact in a store it opens), the file, where to write. */
export interface BatchJobData {
  batch: string;
  index: number;
  /** The model package: its artifact key, and the store that holds it (`sqlite:/abs/path.db` or `postgres://…`). */
  model: { sha256: string; store: string };
  /** The input file, and the output file (.csv or .parquet): paths every worker sees the same (a shared disk). */
  input: string;
  output: string;
  read: ReadOptions;
}

export interface BatchJobResult {
  rows: number;
  output: string;
  warnings: string[];
}

/** One job per (batch, file): a resubmitted file finds its job already there. */
export function batchJobId(batch: string, index: number): string {
  return `${batch}.f${index}`;
}

export function isBatchJob(value: unknown): value is BatchJobData {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return typeof v['batch'] === 'string' && typeof v['input'] === 'string' && typeof v['output'] === 'string' && typeof v['model'] === 'object' && v['model'] !== null;
}
