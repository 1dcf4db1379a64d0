import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Candidate } from '../search/index.js';
import { crossValidation, type CrossValidationOptions } from './cross-validate.js';
import { ThreadPool } from './thread-pool.js';
import type { Data } from './train.js';

/** Scores search trials by cross-validation: on worker threads, each with its own copy of the data, or in this thread. */
export interface TrialPool {
  /** Trials that can run at once. */
  readonly threads: number;
  score(candidate: Candidate): Promise<number>;
  close(): Promise<void>;
}

/** What a trial thread is given once: the table and how to score on it. */
export interface TrialThreadSetup {
  data: Data;
  options: CrossValidationOptions;
}

/** A trial as its thread is sent it; the thread replies with the score (a ThreadReply<number>). */
export type TrialRequest = { candidate: Candidate };

/**
 * Trials on `threads` worker threads (each scores one trial at a time and keeps its folds' recipes between
 * trials), or in this thread when one is asked for or the compiled thread is not there (running from the
 * TypeScript sources). Scores are the same either way: each trial's folds and seeds are fixed.
 */
export function trialPool(data: Data, options: CrossValidationOptions, threads: number): TrialPool {
  const file = new URL('./trial-thread.js', import.meta.url);
  if (threads <= 1 || !existsSync(fileURLToPath(file))) {
    const cv = crossValidation(data, options);
    return { threads: 1, score: (candidate) => cv.score(candidate), close: async () => undefined };
  }
  const pool = new ThreadPool<TrialRequest, number>(file, { data, options } satisfies TrialThreadSetup, threads, 'trial');
  return { threads, score: (candidate) => pool.run({ candidate }), close: () => pool.close() };
}
