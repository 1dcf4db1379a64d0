import { saveModel } from '../learn/registry.js';
import { sendError } from '../pipeline/sent-error.js';
import { searchObjective } from '../pipeline/out-of-fold.js';
import { trainingRows, type TrainingRows } from '../pipeline/train.js';
import { int32s, isCandidateJob, toBase64, type CandidateJobData, type CandidateJobResult } from './candidate-jobs.js';
import type { SnapshotCache } from './snapshots.js';

/**
 * Scores auto's candidates: each job's training rows are taken from its snapshot as the driver took them (the same
 * split and upsampling for the same seed), kept between the jobs of one training, and the candidate is scored out of
 * fold by the same code as in the driver. Runs in this thread: boosting yields between rounds, so the job's lock is renewed.
 */
export class CandidateScorer {
  private readonly rows = new Map<string, Promise<TrainingRows & { schema: Parameters<typeof searchObjective>[2] }>>();

  constructor(private readonly snapshots: SnapshotCache) {}

  async score(job: unknown, id: string | undefined): Promise<CandidateJobResult> {
    if (!isCandidateJob(job)) throw new Error(`job ${id} is not a candidate this version of hyperplane can score`);
    const { training, options, candidate, plan, keepModels } = job;
    try {
      const rows = await this.trainingRows(training, job);
      const train = { ...options, learner: 'auto', timeBudgetSeconds: Number.POSITIVE_INFINITY };
      const objective = searchObjective(rows.table, rows.y, rows.schema, rows.spec, train);
      const scored = await objective.score(candidate, {
        folds: plan.folds,
        ...(plan.assignment !== undefined ? { assignment: int32s(plan.assignment) } : {}),
        signal: AbortSignal.timeout(Math.max(1, Math.round(plan.abortAt - Date.now()))),
        // The driver's times on this process's clock: both count from now.
        deadline: performance.now() + (plan.deadline - Date.now()),
        abortAt: performance.now() + (plan.abortAt - Date.now()),
      });
      return {
        scores: toBase64(scored.scores),
        members: keepModels ? scored.models.map((m) => ({ recipe: m.recipe, weight: m.weight, model: toBase64(saveModel(m.model)) })) : [],
        ...(scored.refitParams !== undefined ? { refitParams: scored.refitParams } : {}),
      };
    } catch (e) {
      return { error: sendError(e) };
    }
  }

  private trainingRows(training: string, job: CandidateJobData): Promise<TrainingRows & { schema: Parameters<typeof searchObjective>[2] }> {
    let p = this.rows.get(training);
    if (p === undefined) {
      p = (async () => {
        const data = await this.snapshots.data(job.data);
        return { ...trainingRows(data, { ...job.options, learner: 'auto', timeBudgetSeconds: Number.POSITIVE_INFINITY }), schema: data.schema };
      })();
      this.rows.set(training, p);
      p.catch(() => this.rows.delete(training));
      for (const old of [...this.rows.keys()].slice(0, Math.max(0, this.rows.size - 2))) this.rows.delete(old);
    }
    return p;
  }
}

