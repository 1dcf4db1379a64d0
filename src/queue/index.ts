/** The queue executor: search trials as BullMQ jobs on Redis, scored by `hyperplane worker` processes anywhere. */
export { queueTrialPool, TrialJobFailed, type QueueTrialPool, type QueueTrialPoolOptions } from './pool.js';
export { startWorker, type TrialWorker, type WorkerOptions } from './worker.js';
export { checkRedis } from './connection.js';
export { parseQueueUrl, chosenQueue, queuePrefix, QUEUE_ENV, QUEUE_PREFIX_ENV, type QueueLocation } from './url.js';
export { trialJobId, TRIALS_QUEUE, SEARCHES_QUEUE, type TrialJobData, type TrialJobResult, type TrialProgress, type SnapshotRef } from './jobs.js';
export { scoreFilesOnQueue, outputsFor, type BatchOptions, type FileOutcome, type QueuedBatch } from './batch.js';
export { BATCHES_QUEUE, batchJobId, type BatchJobData, type BatchJobResult } from './batch-jobs.js';
