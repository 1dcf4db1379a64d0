import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { crossValidation, type CrossValidationOptions } from '../pipeline/cross-validate.js';
import { sendError, type SentError } from '../pipeline/sent-error.js';
import type { ThreadReply } from '../pipeline/thread-pool.js';
import type { TrialRequest, TrialThreadSetup } from '../pipeline/trial-pool.js';
import type { Data } from '../pipeline/train.js';
import type { Candidate } from '../search/index.js';

/** One trial's outcome as a job returns it: a score, or the error it raised, sent as data. */
export type ScoreOutcome = { score: number } | { error: SentError };

/** Scores candidates one at a time on one table with one set of options. */
export interface Scorer {
  score(candidate: Candidate): Promise<ScoreOutcome>;
  close(): Promise<void>;
}

/**
 * A scorer on its own worker thread (the search's trial thread), so a long fit leaves this thread free to
 * renew the job's lock; in this thread only when running from the TypeScript sources (no compiled thread).
 */
export function scorer(data: Data, options: CrossValidationOptions): Scorer {
  const file = new URL('../pipeline/trial-thread.js', import.meta.url);
  if (!existsSync(fileURLToPath(file))) return inThread(data, options);
  return new ThreadScorer(file, { data, options });
}

function inThread(data: Data, options: CrossValidationOptions): Scorer {
  let cv: ReturnType<typeof crossValidation> | undefined;
  return {
    async score(candidate) {
      try {
        cv ??= crossValidation(data, options);
        return { score: await cv.score(candidate) };
      } catch (e) {
        return { error: sendError(e) };
      }
    },
    close: async () => undefined,
  };
}

class ThreadScorer implements Scorer {
  private readonly thread: Worker;
  private pending: { id: number; resolve: (o: ScoreOutcome) => void; reject: (e: Error) => void } | undefined;
  private nextId = 0;
  private stopped: Error | undefined;

  constructor(file: URL, setup: TrialThreadSetup) {
    this.thread = new Worker(file, { workerData: setup });
    this.thread.on('message', (reply: ThreadReply<number>) => {
      const p = this.pending;
      if (p === undefined || p.id !== reply.id) return;
      this.pending = undefined;
      p.resolve('error' in reply ? { error: reply.error } : { score: reply.result });
    });
    const fail = (e: Error): void => {
      this.stopped ??= e;
      this.pending?.reject(e);
      this.pending = undefined;
    };
    this.thread.on('error', fail);
    this.thread.on('exit', (code) => fail(new Error(`the scoring thread stopped (exit code ${code})`)));
  }

  score(candidate: Candidate): Promise<ScoreOutcome> {
    if (this.stopped !== undefined) return Promise.reject(this.stopped);
    if (this.pending !== undefined) return Promise.reject(new Error('a scoring thread scores one trial at a time'));
    return new Promise((resolve, reject) => {
      this.pending = { id: this.nextId++, resolve, reject };
      this.thread.postMessage({ id: this.pending.id, candidate } satisfies TrialRequest & { id: number });
    });
  }

  async close(): Promise<void> {
    this.stopped ??= new Error('the scoring thread is closed');
    await this.thread.terminate();
  }
}
