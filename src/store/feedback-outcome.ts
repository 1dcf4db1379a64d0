import type { JsonValue } from './json.js';

/** Why an outcome does not fit the prediction it is for: the field, what is wrong, what was expected. */
export interface OutcomeProblem {
  field: string;
  problem: string;
  expected: string;
}

/**
 * An outcome checked against the prediction it is for: a label the model has, a number for a value.
 * Gives the reward (1: the prediction was right, 0: wrong; null when it can't be scored), or a problem.
 * An object outcome is taken as it is, its `reward` field the reward. `response` is the logged answer,
 * `{prediction, probabilities}`; undefined when the prediction isn't at hand (taken, without a reward).
 * Shared by `POST /v1/feedback` and `hyperplane feedback FILE`, so both check and score alike.
 */
export function scoreAgainst(outcome: JsonValue, response: JsonValue | undefined): { reward: number | null } | OutcomeProblem {
  if (typeof outcome === 'object' && outcome !== null && !Array.isArray(outcome)) return { reward: typeof outcome['reward'] === 'number' ? outcome['reward'] : null };
  const answer = response as { prediction?: unknown; probabilities?: Record<string, number> } | undefined;
  if (answer === undefined || answer === null || answer.prediction === undefined) return { reward: null };
  if (typeof answer.prediction === 'number') {
    return typeof outcome === 'number' ? { reward: null } : { field: 'outcome', problem: `got ${JSON.stringify(outcome).slice(0, 40)}`, expected: 'the true value, a number (the model predicts values)' };
  }
  // An anomaly model's answer: a flag and its score; its outcome says whether the row was an anomaly.
  const flags = (answer as { score?: unknown }).score !== undefined && answer.probabilities === undefined && (answer.prediction === 'anomaly' || answer.prediction === 'normal') ? ['normal', 'anomaly'] : undefined;
  const labels = answer.probabilities !== undefined ? Object.keys(answer.probabilities) : flags;
  const label = String(outcome);
  if (labels !== undefined && !labels.includes(label)) return { field: 'outcome', problem: `unknown label '${label.slice(0, 40)}'`, expected: `one of ${labels.slice(0, 20).join(', ')}` };
  return { reward: label === answer.prediction ? 1 : 0 };
}
