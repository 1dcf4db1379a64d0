/**
 * The queue executor: search trials as BullMQ jobs on Redis, scored by `hyperplane worker` processes anywhere.
 * BullMQ and ioredis load when a pool or a worker starts, not with the library (they cost ~0.1 s to import).
 */
import type { QueueTrialPool, QueueTrialPoolOptions } from './pool.js';
import type { TrialWorker, WorkerOptions } from './worker.js';
import type { QueueLocation } from './url.js';

export type { QueueTrialPool, QueueTrialPoolOptions, TrialWorker, WorkerOptions };
export { TrialJobFailed } from './errors.js';
export { parseQueueUrl, chosenQueue, queuePrefix, QUEUE_ENV, QUEUE_PREFIX_ENV, type QueueLocation } from './url.js';
export { trialJobId, TRIALS_QUEUE, SEARCHES_QUEUE, type TrialJobData, type TrialJobResult, type TrialProgress, type SnapshotRef } from './jobs.js';

/** A trial pool on the queue: each score is a job any worker may take. */
export async function queueTrialPool(options: QueueTrialPoolOptions): Promise<QueueTrialPool> {
  return (await import('./pool.js')).queueTrialPool(options);
}

/** Takes trial jobs from the queue and scores them on the searches' data snapshots. */
export async function startWorker(options: WorkerOptions): Promise<TrialWorker> {
  return (await import('./worker.js')).startWorker(options);
}

/** One PING: an unreachable Redis is a HyperplaneError naming it. */
export async function checkRedis(location: QueueLocation, timeoutMs?: number): Promise<void> {
  return (await import('./connection.js')).checkRedis(location, timeoutMs);
}
