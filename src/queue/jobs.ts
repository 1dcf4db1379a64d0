import type { Schema } from '../data/schema/schema.js';
import type { CrossValidationOptions } from '../pipeline/cross-validate.js';
import type { SentError } from '../pipeline/sent-error.js';
import type { Candidate } from '../search/index.js';

/** The queue every trial job goes to, and the one that holds each search's parent job. */
export const TRIALS_QUEUE = 'trials';
export const SEARCHES_QUEUE = 'searches';

/** Where a trial's data is: a snapshot in an artifact store that the worker opens itself. */
export interface SnapshotRef {
  /** The artifact's key (sha256 of the Parquet bytes). */
  sha256: string;
  /** The table's fingerprint: the worker checks the snapshot reads back as it. */
  fingerprint: string;
  /** The store: `sqlite:/abs/path.db` or `postgres://…`. */
  store: string;
  /** The source the driver read, so the scores' data carries the same name. */
  source: string;
  /** The schema the driver applied when it read the data (a schema file), applied again to the snapshot. */
  schema?: Schema;
}

/** Everything a worker needs to score one trial, and nothing it must look up elsewhere. */
export interface TrialJobData {
  search: string;
  index: number;
  budget: number | null;
  seed: number;
  candidate: Candidate;
  cv: CrossValidationOptions;
  data: SnapshotRef;
}

/** A job's result: a score, or the error the learner or the data gave (deterministic, so not retried). */
export type TrialJobResult = { score: number } | { error: SentError };

/** What a worker reports while it holds a trial. */
export interface TrialProgress {
  stage: 'loading' | 'scoring';
  worker: string;
}

/** The same trial always gets the same id, so a resubmitted trial finds the job already there (BullMQ forbids ':'). */
export function trialJobId(search: string, index: number, budget: number | null, seed: number): string {
  return `${search}.t${index}.b${budget ?? '-'}.s${seed}`;
}

export function isTrialProgress(value: unknown): value is TrialProgress {
  return value !== null && typeof value === 'object' && 'stage' in value && 'worker' in value;
}

/** Whether a job's data has a trial's fields (a job from another version, or another tool, is refused). */
export function isTrialJob(value: unknown): value is TrialJobData {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return typeof v['search'] === 'string' && typeof v['index'] === 'number' && typeof v['candidate'] === 'object' && typeof v['cv'] === 'object' && typeof v['data'] === 'object';
}
