import { HyperplaneError } from '../errors.js';
import { LearnError } from '../learn/errors.js';
import { loadModel } from '../learn/registry.js';
import type { Member } from '../pipeline/pipeline.js';
import type { RemoteScoring } from '../pipeline/train.js';
import { receiveError } from '../pipeline/sent-error.js';
import { CANDIDATES_QUEUE, candidateJobId, float64s, toBase64, type CandidateJobData, type CandidateJobResult, type CandidateTraining } from './candidate-jobs.js';
import { openProducer } from './producer.js';
import type { SnapshotRef } from './jobs.js';
import { queuePrefix, type QueueLocation } from './url.js';

export interface QueueAutoOptions {
  queue: QueueLocation;
  prefix?: string;
  /** The training's id (its run): every candidate job's id starts with it. */
  training: string;
  data: SnapshotRef;
  options: CandidateTraining;
  /** Candidates kept on the queue at once: as many as the workers can take. */
  concurrency: number;
}

export interface QueueAutoScoring extends RemoteScoring {
  /** Removes the candidates no worker has taken. */
  cancel(reason: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * auto's candidates as queue jobs (`train --queue`): each scored out of fold by a `hyperplane worker` on the training's
 * snapshot, its scores (and, for a holdout plan, its fitted members) sent back; ensemble selection and the final fit stay
 * in the driver. The same candidates and seeds give the same scores as in one process.
 */
export async function queueAutoScoring(options: QueueAutoOptions): Promise<QueueAutoScoring> {
  const { queue, events, close } = await openProducer<CandidateJobData, CandidateJobResult>(CANDIDATES_QUEUE, options.queue, options.prefix ?? queuePrefix());
  const waiting = new Map<string, { resolve: (r: CandidateJobResult) => void; reject: (e: Error) => void }>();
  const submitted: string[] = [];
  let cancelled: string | undefined;
  events.on('completed', ({ jobId, returnvalue }) => waiting.get(jobId)?.resolve(returnvalue as unknown as CandidateJobResult));
  events.on('failed', ({ jobId, failedReason }) => waiting.get(jobId)?.reject(new LearnError(`the worker failed this candidate: ${failedReason}`)));
  return {
    concurrency: options.concurrency,
    async score(candidate, plan) {
      if (cancelled !== undefined) throw new HyperplaneError(cancelled);
      const id = candidateJobId(options.training, submitted.length);
      const index = submitted.length;
      submitted.push(id);
      const outcome = new Promise<CandidateJobResult>((resolve, reject) => waiting.set(id, { resolve, reject }));
      // The driver's budget, as wall-clock times a worker's clock can read.
      const toEpoch = (t: number): number => Date.now() + (t - performance.now());
      await queue.add(
        'candidate',
        {
          training: options.training,
          index,
          data: options.data,
          options: options.options,
          candidate,
          plan: { folds: plan.folds, ...(plan.assignment !== undefined ? { assignment: toBase64(plan.assignment) } : {}), deadline: toEpoch(plan.deadline), abortAt: toEpoch(plan.abortAt) },
          keepModels: plan.assignment !== undefined && plan.folds === 1,
        },
        { jobId: id, removeOnComplete: true, removeOnFail: true, attempts: 1 },
      );
      try {
        const result = await outcome;
        if ('error' in result) throw receiveError(result.error);
        const models: Member[] = result.members.map((m) => ({ recipe: m.recipe, weight: m.weight, model: loadModel(Buffer.from(m.model, 'base64')) }));
        return { scores: float64s(result.scores), models, ...(result.refitParams !== undefined ? { refitParams: result.refitParams } : {}) };
      } finally {
        waiting.delete(id);
      }
    },
    async cancel(reason) {
      cancelled = reason;
      let removed = 0;
      for (const id of submitted) {
        const state = await queue.getJobState(id).catch(() => 'unknown');
        if (state === 'waiting' || state === 'prioritized' || state === 'delayed') removed += await queue.remove(id).catch(() => 0);
      }
      for (const w of waiting.values()) w.reject(new HyperplaneError(reason));
      return removed;
    },
    close,
  };
}
