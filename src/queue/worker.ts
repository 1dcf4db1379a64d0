import { hostname } from 'node:os';
import { Worker, type Job } from 'bullmq';
import type { Store } from '../store/index.js';
import { connectionOptions } from './connection.js';
import { isTrialJob, TRIALS_QUEUE, type TrialJobData, type TrialJobResult, type TrialProgress } from './jobs.js';
import { BATCHES_QUEUE, type BatchJobData, type BatchJobResult } from './batch-jobs.js';
import { BatchScorer } from './batch-worker.js';
import { CANDIDATES_QUEUE, type CandidateJobData, type CandidateJobResult } from './candidate-jobs.js';
import { CandidateScorer } from './candidate-worker.js';
import { redact, SnapshotCache } from './snapshots.js';
import { queuePrefix, type QueueLocation } from './url.js';

export interface WorkerOptions {
  queue: QueueLocation;
  /** Trials scored at once, each on its own thread (default 1). */
  concurrency?: number;
  /** BullMQ's key prefix (default $HYPERPLANE_QUEUE_PREFIX, then 'hyperplane'). */
  prefix?: string;
  /** How long a job's lock lasts without renewal: a worker gone this long has its trial moved back to wait (default 30 s). */
  lockMs?: number;
  /** The store to read snapshots from, as this machine reaches it (default: the one each job names, as its driver reached it). */
  store?: string;
  /** Opens the store a job names (default: `openStore` of the URI, without migrating or repairing it). */
  openStore?: (uri: string) => Promise<Store>;
  /** Stop after this long without a trial (for batch jobs and CI; default: never). */
  exitIdleMs?: number;
  /** Where the worker says what it did, a line at a time (default: nothing). */
  log?: (line: string) => void;
}

export interface TrialWorker {
  /** This worker's name in progress reports: host:pid. */
  readonly name: string;
  /** Finishes the trials it holds, then stops taking jobs. */
  close(): Promise<void>;
  /** Resolves when the worker has stopped (closed, or idle for `exitIdleMs`). */
  readonly closed: Promise<void>;
}

async function defaultOpenStore(uri: string): Promise<Store> {
  const { openStore } = await import('../store/index.js');
  return openStore({ uri, migrate: false, repair: false, actor: `worker:${hostname()}` });
}

/** Takes trial jobs from the queue and scores them by cross-validation on the search's data snapshot; and batch files (`predict --queue`), each scored whole. */
export async function startWorker(options: WorkerOptions): Promise<TrialWorker> {
  const name = `${hostname()}:${process.pid}`;
  const log = options.log ?? ((): void => undefined);
  const cache = new SnapshotCache(options.openStore ?? defaultOpenStore, (ref, rows) => log(`read the data snapshot ${ref.sha256.slice(0, 12)} (${rows.toLocaleString('en-US')} rows) from ${redact(ref.store)}`));
  const lockMs = options.lockMs ?? 30_000;
  const processor = async (job: Job<TrialJobData, TrialJobResult>): Promise<TrialJobResult> => {
    if (!isTrialJob(job.data)) throw new Error(`job ${job.id} is not a trial this version of hyperplane can score`);
    const { search, index, candidate, cv, data } = job.data;
    const started = performance.now();
    await job.updateProgress({ stage: 'loading', worker: name } satisfies TrialProgress);
    const slot = await cache.take(options.store !== undefined ? { ...data, store: options.store } : data, cv);
    await job.updateProgress({ stage: 'scoring', worker: name } satisfies TrialProgress);
    // A thread that died is not given back: the next job gets a fresh one.
    const outcome = await slot.scorer.score(candidate);
    slot.give();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    log(`search ${search.slice(0, 8)} trial ${index + 1}: ${'score' in outcome ? `${outcome.score.toFixed(4)}` : `failed: ${outcome.error.message}`} (${seconds} s)`);
    return outcome;
  };
  const worker = new Worker<TrialJobData, TrialJobResult>(TRIALS_QUEUE, processor, {
    connection: connectionOptions(options.queue),
    prefix: options.prefix ?? queuePrefix(),
    concurrency: options.concurrency ?? 1,
    lockDuration: lockMs,
    stalledInterval: lockMs,
  });
  worker.on('failed', (job, e) => {
    if (job !== undefined) log(`trial job ${job.id} failed: ${e.message}`);
  });
  // A lost connection is retried by BullMQ; say so rather than crash.
  worker.on('error', (e) => log(`queue error: ${e.message}`));
  const scorer = new BatchScorer(options.openStore ?? defaultOpenStore, options.store);
  const files = new Worker<BatchJobData, BatchJobResult>(
    BATCHES_QUEUE,
    async (job) => {
      const started = performance.now();
      const result = await scorer.score(job);
      log(`batch ${job.data.batch.slice(0, 8)} file ${job.data.index + 1}: ${result.rows.toLocaleString('en-US')} rows → ${result.output} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
      return result;
    },
    { connection: connectionOptions(options.queue), prefix: options.prefix ?? queuePrefix(), concurrency: options.concurrency ?? 1, lockDuration: lockMs, stalledInterval: lockMs },
  );
  files.on('failed', (job, e) => {
    if (job !== undefined) log(`batch job ${job.id} failed: ${e.message}`);
  });
  files.on('error', (e) => log(`queue error: ${e.message}`));
  // auto's candidates (`train --queue`), on the training's snapshot.
  const candidateScorer = new CandidateScorer(cache);
  const candidates = new Worker<CandidateJobData, CandidateJobResult>(
    CANDIDATES_QUEUE,
    async (job) => {
      const started = performance.now();
      const data = options.store !== undefined ? { ...job.data, data: { ...job.data.data, store: options.store } } : job.data;
      const result = await candidateScorer.score(data, job.id);
      log(`training ${job.data.training.slice(0, 8)} candidate ${job.data.index + 1} (${job.data.candidate.learner}): ${'error' in result ? `failed: ${result.error.message}` : 'scored'} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
      return result;
    },
    { connection: connectionOptions(options.queue), prefix: options.prefix ?? queuePrefix(), concurrency: options.concurrency ?? 1, lockDuration: lockMs, stalledInterval: lockMs },
  );
  candidates.on('error', (e) => log(`queue error: ${e.message}`));
  await Promise.all([worker.waitUntilReady(), files.waitUntilReady(), candidates.waitUntilReady()]);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= (async () => {
    clearInterval(idleCheck);
    await Promise.all([worker.close(), files.close(), candidates.close()]);
    await Promise.all([cache.close(), scorer.close()]);
  })());
  // Idle: no trial held since the last one ended (or since the start).
  let held = 0;
  let lastBusy = performance.now();
  const ended = (): void => {
    held--;
    lastBusy = performance.now();
  };
  for (const w of [worker, files, candidates] as Worker[]) {
    w.on('active', () => void held++);
    w.on('completed', ended);
    w.on('failed', ended);
  }
  const exitIdleMs = options.exitIdleMs;
  const idleCheck = setInterval(() => {
    if (exitIdleMs !== undefined && held <= 0 && performance.now() - lastBusy >= exitIdleMs) {
      log(`no job for ${(exitIdleMs / 1000).toFixed(0)} s: stopping`);
      void close();
    }
  }, 200);
  if (exitIdleMs === undefined) clearInterval(idleCheck);
  const closed = Promise.all([worker, files, candidates].map((w) => new Promise<void>((resolve) => (w as Worker).on('closed', () => resolve())))).then(() => undefined);
  return { name, close, closed: closed.then(() => closing) };
}
