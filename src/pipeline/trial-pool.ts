import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { HyperplaneError, type InputLocation } from '../errors.js';
import { LearnError } from '../learn/errors.js';
import type { Candidate } from '../search/index.js';
import { crossValidation, type CrossValidationOptions } from './cross-validate.js';
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

export type TrialRequest = { id: number; candidate: Candidate };
export type TrialReply = { id: number; score: number } | { id: number; error: SentError };
/** An error as it crosses a thread: its kind, so the caller can tell bad input from a learner's refusal and from a bug. */
export interface SentError {
  kind: 'learn' | 'input' | 'bug';
  message: string;
  reason?: string;
  location?: InputLocation;
  stack?: string;
}

export function sendError(e: unknown): SentError {
  if (e instanceof LearnError) return { kind: 'learn', message: e.message };
  if (e instanceof HyperplaneError) return { kind: 'input', message: e.message, reason: e.reason, location: e.location };
  return { kind: 'bug', message: e instanceof Error ? e.message : String(e), ...(e instanceof Error && e.stack !== undefined ? { stack: e.stack } : {}) };
}

/** A sent error as the thread or worker that caught it would have raised it here. */
export function receiveError(e: SentError): Error {
  if (e.kind === 'learn') return new LearnError(e.message);
  if (e.kind === 'input') return new HyperplaneError(e.reason ?? e.message, e.location ?? {});
  const error = new Error(e.message);
  if (e.stack !== undefined) error.stack = e.stack;
  return error;
}

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
  return new ThreadPool(file, { data, options }, threads);
}

interface Pending {
  id: number;
  candidate: Candidate;
  resolve: (score: number) => void;
  reject: (e: Error) => void;
}

class ThreadPool implements TrialPool {
  private readonly workers: Worker[] = [];
  private readonly busy = new Map<Worker, Pending>();
  private readonly queue: Pending[] = [];
  private nextId = 0;
  private closed = false;

  constructor(
    file: URL,
    setup: TrialThreadSetup,
    readonly threads: number,
  ) {
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(file, { workerData: setup });
      worker.on('message', (reply: TrialReply) => this.settle(worker, reply));
      // A thread that dies (out of memory, a crash) fails its trial; the others go on.
      worker.on('error', (e) => this.fail(worker, e));
      worker.on('exit', (code) => {
        if (!this.closed) this.fail(worker, new Error(`a trial thread stopped (exit code ${code})`));
      });
      this.workers.push(worker);
    }
  }

  score(candidate: Candidate): Promise<number> {
    if (this.closed) return Promise.reject(new Error('the trial pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, candidate, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('the trial pool is closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private dispatch(): void {
    for (const worker of this.workers) {
      if (this.queue.length === 0) return;
      if (this.busy.has(worker)) continue;
      const job = this.queue.shift()!;
      this.busy.set(worker, job);
      worker.postMessage({ id: job.id, candidate: job.candidate } satisfies TrialRequest);
    }
  }

  private settle(worker: Worker, reply: TrialReply): void {
    const job = this.busy.get(worker);
    if (job === undefined || job.id !== reply.id) return;
    this.busy.delete(worker);
    if ('error' in reply) job.reject(receiveError(reply.error));
    else job.resolve(reply.score);
    this.dispatch();
  }

  private fail(worker: Worker, e: Error): void {
    const job = this.busy.get(worker);
    this.busy.delete(worker);
    const index = this.workers.indexOf(worker);
    if (index >= 0) this.workers.splice(index, 1);
    job?.reject(e);
    // No thread left: nothing queued can run.
    if (this.workers.length === 0) for (const p of this.queue.splice(0)) p.reject(e);
    else this.dispatch();
  }
}
