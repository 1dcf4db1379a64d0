import { FlowProducer, Job, Queue, QueueEvents } from 'bullmq';
import { HyperplaneError } from '../errors.js';
import type { CrossValidationOptions } from '../pipeline/cross-validate.js';
import { receiveError } from '../pipeline/sent-error.js';
import type { TrialPool } from '../pipeline/trial-pool.js';
import type { Candidate } from '../search/index.js';
import { connectionOptions } from './connection.js';
import { TrialJobFailed } from './errors.js';
import { isTrialProgress, SEARCHES_QUEUE, trialJobId, TRIALS_QUEUE, type SnapshotRef, type TrialJobData, type TrialJobResult, type TrialProgress } from './jobs.js';
import { queuePrefix, type QueueLocation } from './url.js';

export interface QueueTrialPoolOptions {
  queue: QueueLocation;
  /** BullMQ's key prefix (default $HYPERPLANE_QUEUE_PREFIX, then 'hyperplane'). */
  prefix?: string;
  /** The search's run id: its parent job's id, and the start of every trial job's id. */
  search: string;
  seed: number;
  cv: CrossValidationOptions;
  data: SnapshotRef;
  /** Trials kept on the queue at once: as many as the workers should be able to take. */
  threads: number;
  /** A worker took a trial (its index) and is loading or scoring it. */
  onProgress?: (trial: number, progress: TrialProgress) => void;
  /** A trial's worker stopped renewing its lock (killed, cut off): the trial went back to the queue for another. */
  onStalled?: (trial: number) => void;
}

/** A trial pool on a BullMQ queue: each score is a job that any `hyperplane worker` may take. */
export interface QueueTrialPool extends TrialPool {
  /** Scores trial `index` (at `budget` for ASHA): the job's id is fixed by (search, index, budget, seed), so a resubmitted trial is not run twice. */
  scoreTrial(index: number, budget: number | null, candidate: Candidate): Promise<number>;
  /** Removes the search's jobs no worker has taken; answers how many. Its trials go on waiting (the process is about to exit). */
  removeWaiting(): Promise<number>;
  /** Removes the search's jobs no worker has taken, and fails every trial still waiting with `reason`; answers how many were removed. */
  cancel(reason: string): Promise<number>;
}


interface Waiting {
  index: number;
  resolve: (result: TrialJobResult) => void;
  reject: (e: Error) => void;
}

/** Opens the queue pool: its queue, a flow producer for the search's parent job, and the events that tell it a trial is done. */
export async function queueTrialPool(options: QueueTrialPoolOptions): Promise<QueueTrialPool> {
  const prefix = options.prefix ?? queuePrefix();
  const connection = connectionOptions(options.queue);
  const trials = new Queue<TrialJobData, TrialJobResult>(TRIALS_QUEUE, { connection, prefix });
  const searches = new Queue(SEARCHES_QUEUE, { connection, prefix });
  const flow = new FlowProducer({ connection, prefix });
  const events = new QueueEvents(TRIALS_QUEUE, { connection, prefix });
  try {
    // Listening before the first job is added: a quick trial's 'completed' must not be missed.
    await Promise.all([trials.waitUntilReady(), searches.waitUntilReady(), events.waitUntilReady()]);
  } catch (e) {
    await Promise.allSettled([trials.close(), searches.close(), flow.close(), events.close()]);
    throw new HyperplaneError(`cannot reach the queue's Redis at ${options.queue.url}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return new BullTrialPool(options, prefix, trials, searches, flow, events);
}

class BullTrialPool implements QueueTrialPool {
  readonly threads: number;
  private readonly waiting = new Map<string, Waiting>();
  private readonly submitted = new Set<string>();
  private parent: Promise<unknown> | undefined;
  private cancelled: string | undefined;

  constructor(
    private readonly options: QueueTrialPoolOptions,
    private readonly prefix: string,
    private readonly trials: Queue<TrialJobData, TrialJobResult>,
    private readonly searches: Queue,
    private readonly flow: FlowProducer,
    private readonly events: QueueEvents,
  ) {
    this.threads = options.threads;
    events.on('completed', ({ jobId, returnvalue }) => this.waiting.get(jobId)?.resolve(returnvalue as unknown as TrialJobResult));
    events.on('failed', ({ jobId, failedReason }) => {
      const w = this.waiting.get(jobId);
      w?.reject(new TrialJobFailed(w.index, failedReason));
    });
    events.on('stalled', ({ jobId }) => {
      const w = this.waiting.get(jobId);
      if (w !== undefined) options.onStalled?.(w.index);
    });
    events.on('progress', ({ jobId, data }) => {
      const w = this.waiting.get(jobId);
      if (w !== undefined && isTrialProgress(data)) options.onProgress?.(w.index, data);
    });
  }

  /** Without an index (a caller that only has the candidate), trials are numbered in the order they are asked for. */
  score(candidate: Candidate): Promise<number> {
    return this.scoreTrial(this.submitted.size, null, candidate);
  }

  async scoreTrial(index: number, budget: number | null, candidate: Candidate): Promise<number> {
    if (this.cancelled !== undefined) throw new HyperplaneError(this.cancelled);
    const { search, seed } = this.options;
    const id = trialJobId(search, index, budget, seed);
    const outcome = new Promise<TrialJobResult>((resolve, reject) => this.waiting.set(id, { index, resolve, reject }));
    const submitted = Date.now();
    try {
      await this.submit(id, { search, index, budget, seed, candidate, cv: this.options.cv, data: this.options.data });
      // A job already there (a resubmitted trial): its outcome may be in already, or a failure to run again.
      // The state first: a job read before it completed would have no return value yet.
      const state = await this.trials.getJobState(id);
      if (state === 'completed' || state === 'failed') {
        const job = await Job.fromId<TrialJobData, TrialJobResult>(this.trials, id);
        if (state === 'completed' && job?.returnvalue != null) this.waiting.get(id)?.resolve(job.returnvalue);
        // A failure from before this submission (an earlier driver's) runs again; a new one is this trial's outcome.
        else if (state === 'failed' && (job?.finishedOn ?? 0) < submitted) await job?.retry('failed');
      }
      const result = await outcome;
      if ('error' in result) throw receiveError(result.error);
      return result.score;
    } finally {
      this.waiting.delete(id);
    }
  }

  /** The first trial creates the search's parent job (a flow); the others join it as children. */
  private async submit(id: string, data: TrialJobData): Promise<void> {
    this.submitted.add(id);
    const opts = { jobId: id, removeOnComplete: false, removeOnFail: false };
    if (this.parent === undefined) {
      this.parent = this.flow.add({ name: 'search', queueName: SEARCHES_QUEUE, data: { search: data.search }, opts: { jobId: data.search }, children: [{ name: 'trial', queueName: TRIALS_QUEUE, data, opts }] });
      await this.parent;
      return;
    }
    await this.parent;
    await this.trials.add('trial', data, { ...opts, parent: { id: data.search, queue: `${this.prefix}:${SEARCHES_QUEUE}` } });
  }

  async cancel(reason: string): Promise<number> {
    this.cancelled = reason;
    const removed = await this.removeWaiting();
    for (const w of this.waiting.values()) w.reject(new HyperplaneError(reason));
    return removed;
  }

  async removeWaiting(): Promise<number> {
    // No trial is queued after this: it would outlive the search.
    this.cancelled ??= 'the search was stopped; its queued trials were removed';
    let removed = 0;
    // Only the jobs no worker took: one a worker holds is locked, and a finished one is kept for --resume to find.
    for (const id of this.submitted) {
      const state = await this.trials.getJobState(id).catch(() => 'unknown');
      if (state === 'waiting' || state === 'prioritized' || state === 'delayed') removed += await this.trials.remove(id, { removeChildren: false }).catch(() => 0);
    }
    return removed;
  }

  async close(): Promise<void> {
    // The search is over: its jobs and parent go, unless a worker still holds one (after a cancel).
    let kept = 0;
    for (const id of this.submitted) if ((await this.trials.remove(id, { removeChildren: false }).catch(() => 0)) === 0 && (await this.trials.getJob(id)) !== undefined) kept++;
    if (kept === 0) await this.searches.remove(this.options.search, { removeChildren: false }).catch(() => 0);
    await Promise.allSettled([this.events.close(), this.flow.close(), this.trials.close(), this.searches.close()]);
  }
}

