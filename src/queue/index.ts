/**
 * The queue executor: search trials as BullMQ jobs on Redis, scored by `hyperplane worker` processes anywhere.
 * BullMQ and ioredis load when a pool or a worker starts, not with the library (they cost ~0.1 s to import).
 */
import type { QueueTrialPool, QueueTrialPoolOptions } from './pool.js';
import type { TrialWorker, WorkerOptions } from './worker.js';
import type { QueueLocation } from './url.js';
import type { BatchOptions, QueuedBatch } from './batch.js';
import type { QueueAutoOptions, QueueAutoScoring } from './candidates.js';

export type { QueueTrialPool, QueueTrialPoolOptions, TrialWorker, WorkerOptions };
export { TrialJobFailed } from './errors.js';
export { parseQueueUrl, chosenQueue, queuePrefix, QUEUE_ENV, QUEUE_PREFIX_ENV, type QueueLocation } from './url.js';
export { trialJobId, TRIALS_QUEUE, SEARCHES_QUEUE, type TrialJobData, type TrialJobResult, type TrialProgress, type SnapshotRef } from './jobs.js';
export { BATCHES_QUEUE, batchJobId, type BatchJobData, type BatchJobResult } from './batch-jobs.js';
export type { BatchOptions, FileOutcome, QueuedBatch } from './batch.js';
export type { QueueAutoOptions, QueueAutoScoring } from './candidates.js';

/** A trial pool on the queue: each score is a job any worker may take. */
export async function queueTrialPool(options: QueueTrialPoolOptions): Promise<QueueTrialPool> {
  return (await import('./pool.js')).queueTrialPool(options);
}

/** Takes trial jobs, batch files and auto's candidates from the queue. */
export async function startWorker(options: WorkerOptions): Promise<TrialWorker> {
  return (await import('./worker.js')).startWorker(options);
}

/** One PING: an unreachable Redis is a HyperplaneError naming it. */
export async function checkRedis(location: QueueLocation, timeoutMs?: number): Promise<void> {
  return (await import('./connection.js')).checkRedis(location, timeoutMs);
}

/** Files scored as queue jobs, one per file (`predict --queue`). */
export async function scoreFilesOnQueue(options: BatchOptions): Promise<QueuedBatch> {
  return (await import('./batch.js')).scoreFilesOnQueue(options);
}

/** auto's candidates as queue jobs (`train --queue`). */
export async function queueAutoScoring(options: QueueAutoOptions): Promise<QueueAutoScoring> {
  return (await import('./candidates.js')).queueAutoScoring(options);
}
