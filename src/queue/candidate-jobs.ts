import type { Recipe } from '../features/recipe.js';
import type { SentError } from '../pipeline/sent-error.js';
import type { EvaluationPlan, TrainOptions } from '../pipeline/train.js';
import type { Candidate } from '../search/index.js';
import type { SnapshotRef } from './jobs.js';

/** The queue auto's candidates go to (`train --queue`): one job per candidate. */
export const CANDIDATES_QUEUE = 'candidates';

/** A training's options as a job carries them: what decides its training rows and how a candidate is fitted (no test table, no callbacks). */
export type CandidateTraining = Pick<TrainOptions, 'target' | 'task' | 'seed' | 'classWeight' | 'upsample' | 'recipe'> & { evaluation: Exclude<EvaluationPlan, { kind: 'test' }> };

/** Everything a worker needs to score one of auto's candidates on the training's rows, as the driver would have. */
export interface CandidateJobData {
  training: string;
  index: number;
  data: SnapshotRef;
  options: CandidateTraining;
  candidate: Candidate;
  /** The scoring plan: folds, each row's fold (base64 Int32Array) for a holdout or group folds, when step-by-step learners stop and when a fit is abandoned (epoch ms). */
  plan: { folds: number; assignment?: string; deadline: number; abortAt: number };
  /** Send back the fitted members (a holdout plan keeps the search's models). */
  keepModels: boolean;
}

/** A member as it crosses the queue: its recipe, weight and model file (base64). */
export interface SentMember {
  recipe: Recipe;
  weight: number;
  model: string;
}

export type CandidateJobResult = { scores: string; members: SentMember[]; refitParams?: Record<string, unknown> } | { error: SentError };

export function candidateJobId(training: string, index: number): string {
  return `${training}.c${index}`;
}

export function isCandidateJob(value: unknown): value is CandidateJobData {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return typeof v['training'] === 'string' && typeof v['index'] === 'number' && typeof v['candidate'] === 'object' && typeof v['plan'] === 'object' && typeof v['data'] === 'object';
}

/** Typed arrays as base64 text, and back: a job's data and result are JSON. */
export const toBase64 = (a: Float64Array | Int32Array | Uint8Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
export function float64s(text: string): Float64Array {
  const b = Buffer.from(text, 'base64');
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}
export function int32s(text: string): Int32Array {
  const b = Buffer.from(text, 'base64');
  return new Int32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}
