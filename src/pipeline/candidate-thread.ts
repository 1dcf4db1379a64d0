import { parentPort, workerData } from 'node:worker_threads';
import '../learn/threads.js';
import { saveModel } from '../learn/registry.js';
import type { CandidateRequest, CandidateResult, CandidateThreadSetup } from './candidate-threads.js';
import { searchObjective } from './out-of-fold.js';
import { serveRequests } from './thread-pool.js';

/** One of auto's candidate threads: scores the candidates it is sent, one at a time, on its copy of the training rows. */
const setup = workerData as CandidateThreadSetup;
const objective = searchObjective(setup.table, setup.y, setup.schema, setup.spec, setup.options);
serveRequests<CandidateRequest, CandidateResult>(parentPort!, async ({ candidate, plan, keepModels }) => {
    // The driver's times on this thread's clock.
    const here = (epoch: number): number => performance.now() + (epoch - Date.now());
    const scored = await objective.score(candidate, {
      folds: plan.folds,
      ...(plan.assignment !== undefined ? { assignment: plan.assignment } : {}),
      signal: AbortSignal.timeout(Math.max(1, Math.round(plan.abortAt - Date.now()))),
      deadline: here(plan.deadline),
      abortAt: here(plan.abortAt),
    });
    const members = (keepModels ? scored.models : scored.models.slice(0, 1)).map((m) => ({ recipe: m.recipe, weight: m.weight, model: saveModel(m.model) }));
    return { scores: scored.scores, members, ...(scored.refitParams !== undefined ? { refitParams: scored.refitParams } : {}) };
  },
);
