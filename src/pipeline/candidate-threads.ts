import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ColumnSchema } from '../data/schema/schema.js';
import type { Table } from '../data/table.js';
import { loadModel } from '../learn/predictors.js';
import type { Recipe } from '../features/recipe.js';
import type { Candidate, ScoringPlan } from '../search/index.js';
import type { Member, SupervisedTarget } from './pipeline.js';
import { ThreadPool } from './thread-pool.js';
import type { RemoteScoring, TrainOptions } from './train.js';

/**
 * Up to this many training rows, auto scores its candidates side by side on worker threads, one a thread. Above
 * it the learners spread each fit over the cores themselves (GBDT's histograms, the forest's trees), and two
 * candidates at once would only share those cores and double the memory.
 */
export const THREADED_ROWS = 20_000;

/** The threads auto scores candidates on: `asked` (train --threads), else the cores for a table of up to THREADED_ROWS rows, else 1. */
export function candidateThreadCount(rows: number, asked?: number): number {
  if (asked !== undefined) return asked;
  return rows <= THREADED_ROWS ? Math.min(availableParallelism(), 4) : 1;
}

/** What a candidate thread gets once: the training rows and what decides how a candidate is fitted. */
export interface CandidateThreadSetup {
  table: Table;
  y: Float64Array;
  schema: readonly ColumnSchema[];
  spec: SupervisedTarget;
  options: TrainOptions;
}

/** One candidate to score; the plan's times are epoch milliseconds, since a thread's performance.now() counts from its own start. */
export interface CandidateRequest {
  candidate: Candidate;
  plan: { folds: number; assignment?: Int32Array; deadline: number; abortAt: number };
  /** Send back every fitted member (a holdout plan keeps the search's models); otherwise only the first, which the leaderboard measures. */
  keepModels: boolean;
}

export interface CandidateResult {
  scores: Float64Array;
  members: { recipe: Recipe; weight: number; model: Uint8Array }[];
  refitParams?: Record<string, unknown>;
}

/**
 * auto's candidates scored on `threads` worker threads of this process, each with its own copy of the training
 * rows, by the same code and seeds as in this thread: the same scores, in less wall time on a small table
 * (where one fit cannot use more than one core). Undefined when one thread is asked for, or when running from the
 * TypeScript sources (no compiled thread script), where scoring stays in this thread.
 */
export function candidateThreads(setup: CandidateThreadSetup, threads: number): (RemoteScoring & { close(): Promise<void> }) | undefined {
  const file = new URL('./candidate-thread.js', import.meta.url);
  if (threads <= 1 || !existsSync(fileURLToPath(file))) return undefined;
  const { options } = setup;
  // What the threads need of the options, as data: no callbacks, signals or timers; a separate test table's rows are not theirs.
  const sent: TrainOptions = {
    target: options.target,
    learner: 'auto',
    evaluation: options.evaluation.kind === 'test' ? { kind: 'cv', folds: 2 } : options.evaluation,
    seed: options.seed,
    timeBudgetSeconds: Number.POSITIVE_INFINITY,
    ...(options.task !== undefined ? { task: options.task } : {}),
    ...(options.classWeight !== undefined ? { classWeight: options.classWeight } : {}),
    ...(options.recipe !== undefined ? { recipe: options.recipe } : {}),
  };
  const pool = new ThreadPool<CandidateRequest, CandidateResult>(file, { ...setup, options: sent } satisfies CandidateThreadSetup, threads, 'candidate');
  const toEpoch = (t: number): number => Date.now() + (t - performance.now());
  return {
    concurrency: threads,
    async score(candidate: Candidate, plan: ScoringPlan) {
      const request: CandidateRequest = {
        candidate,
        plan: { folds: plan.folds, ...(plan.assignment !== undefined ? { assignment: plan.assignment } : {}), deadline: toEpoch(plan.deadline), abortAt: toEpoch(plan.abortAt) },
        keepModels: plan.assignment !== undefined && plan.folds === 1,
      };
      // A fit the budget stopped in the thread is a TrainingAborted here too (sent-error.ts).
      const result = await pool.run(request);
      const models: Member[] = result.members.map((m) => ({ recipe: m.recipe, weight: m.weight, model: loadModel(m.model) }));
      return { scores: result.scores, models, ...(result.refitParams !== undefined ? { refitParams: result.refitParams } : {}) };
    },
    close: () => pool.close(),
  };
}
