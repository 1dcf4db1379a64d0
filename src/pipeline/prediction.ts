import { HyperplaneError } from '../errors.js';
import type { FieldProblem } from './validate-rows.js';
import type { TargetSpec } from './pipeline.js';

/** An anomaly model's answers: a row scored below its threshold, and one at or above it. */
export const ANOMALY_FLAGS = ['normal', 'anomaly'] as const;

/**
 * One row's answer, as `POST /v1/models/NAME/predict` gives it (less the id, model, version and time):
 * the predicted label, spelled as in the training data (the thresholded positive class, or the most
 * probable class), or the value for regression; each class's probability by label; and notes such as
 * unknown categories, only when there are any.
 */
export interface Prediction {
  prediction: string | number;
  /** Classification: each class's probability, by label. */
  probabilities?: Record<string, number>;
  /** Anomaly: the row's anomaly score (higher is more anomalous); `prediction` says whether it is at or above the model's threshold. */
  score?: number;
  /** What was noticed about the row (an unknown category, no field the model reads); absent when nothing was. */
  notes?: string[];
}

/**
 * Row `i`'s answer, written into `into` (the server's answers carry an id first): the one place the
 * server's answer objects and `Pipeline.predict` are made. `codes` are the pipeline's label codes
 * (`Pipeline.codes`, which applies the threshold); `scores` its n × k probabilities or n values.
 */
export function predictionInto<T extends object>(
  into: T,
  target: Pick<TargetSpec, 'labels' | 'task'>,
  codes: Int32Array | undefined,
  scores: Float64Array,
  i: number,
  notes: readonly string[],
): T & Prediction {
  const answer = into as T & Prediction;
  const labels = target.labels;
  if (target.task === 'cluster' && codes !== undefined) {
    answer.prediction = codes[i]!;
  } else if (target.task === 'anomaly' && codes !== undefined) {
    answer.prediction = ANOMALY_FLAGS[codes[i]! as 0 | 1];
    answer.score = scores[i]!;
  } else if (codes === undefined || labels === undefined) {
    answer.prediction = scores[i]!;
  } else {
    const k = labels.length;
    answer.prediction = labels[codes[i]!]!;
    const probabilities: Record<string, number> = {};
    for (let c = 0; c < k; c++) probabilities[labels[c]!] = scores[i * k + c]!;
    answer.probabilities = probabilities;
  }
  if (notes.length > 0) answer.notes = [...notes];
  return answer;
}

/**
 * Rows `Pipeline.predict` refuses, for the reasons the server answers 400 "invalid input": `problems`
 * holds what the 400's `problems` holds, every one; the message names the first ten.
 */
export class InvalidRowsError extends HyperplaneError {
  constructor(readonly problems: FieldProblem[]) {
    const listed = problems.slice(0, 10).map((p) => `${p.row !== undefined ? `row ${p.row}, ` : ''}field '${p.field}': ${p.problem} (expected ${p.expected})`);
    if (problems.length > 10) listed.push(`… ${problems.length - 10} more`);
    super(`${problems.length} problem${problems.length > 1 ? 's' : ''} with the input: ${listed.join('; ')}`);
    this.name = 'InvalidRowsError';
  }
}
