import type { Column, Table } from '../data/table.js';
import { fitIsotonic, type Calibration } from './calibration.js';
import { Random } from '../synth/random.js';
import { pick, SAMPLE_ROWS, type RowSample, type SampleValue } from './reservoir.js';
import { categoricalReference, numericReference, type CategoricalSketch, type ColumnSketch, type NumericSketch } from './sketch.js';

/**
 * What a package keeps for monitoring, made once at training (never again at each report): a sketch of
 * each input column over the rows the served model was fitted on, and of its predictions on rows it was
 * not fitted on (held-out, or out-of-fold), so live traffic is compared with what the model saw and what
 * it said when it was measured.
 */
export interface MonitorReference {
  version: 1;
  /** Rows the column sketches summarize. */
  rows: number;
  /** Input columns by name: numbers and categories (text and dates are not sketched). */
  columns: Record<string, ColumnSketch>;
  prediction: PredictionReference;
  /** The target over the same rows: labels for classifiers, values for regression; outcomes sent back are compared with it. */
  target?: ColumnSketch;
  /** Each column's share of the mean |contribution| on the test rows, where measured: ranks drift by what it moves. */
  importance?: Record<string, number>;
  /** A uniform sample of the same rows' sketched columns, for the multivariate check (a domain classifier). Absent in packages made before it was kept. */
  sample?: RowSample;
}

export interface PredictionReference {
  /** Where the scores come from: rows the model was not fitted on, or (cross-validation's refit) its own. */
  source: 'held-out' | 'training';
  /** Classifiers: the predicted labels. */
  labels?: CategoricalSketch;
  /** Binary: the positive class's probability; multiclass: the top probability (the confidence); regression: the value. */
  score: NumericSketch;
  /** Binary: the positive class's probability calibrated on the held-out rows (isotonic), for estimated quality. */
  calibration?: Calibration;
  /** Multiclass: the top probability calibrated as the chance the answer is right (expected accuracy). */
  confidence?: Calibration;
  /** Multiclass: each class's probability calibrated one-vs-rest, in the labels' order (expected macro AUC). */
  classes?: Calibration[];
}

/** A table column's values as a sketch's input: numbers (NaN missing) or labels (null missing). */
function sketchOf(column: Column): ColumnSketch | undefined {
  switch (column.kind) {
    case 'numeric':
      return numericReference(column.values);
    case 'categorical':
      return categoricalReference(Array.from(column.codes, (c) => (c >= 0 ? column.dictionary[c]! : null)));
    default:
      return undefined;
  }
}

/**
 * The reference: `table` holds the rows the served model was fitted on; `scores` the model's scores (n × k,
 * probabilities for classifiers) on `scoredRows` rows it was not fitted on, with their predicted labels.
 * `seed` draws the sample of rows kept.
 */
export function buildReference(table: Table, inputs: readonly string[], prediction: HeldOutPredictions, importance?: Record<string, number>, target?: { y: ArrayLike<number>; labels?: readonly string[] }, seed = 0): MonitorReference {
  const columns: Record<string, ColumnSketch> = {};
  for (const name of inputs) {
    const column = table.columns.find((c) => c.name === name);
    const sketch = column === undefined ? undefined : sketchOf(column);
    if (sketch !== undefined) columns[name] = sketch;
  }
  const targetSketch = target === undefined ? undefined : target.labels !== undefined && target.labels.length > 0 ? categoricalReference(Array.from(target.y, (c) => target.labels![c] ?? null)) : numericReference(target.y);
  return { version: 1, rows: table.nRows, columns, prediction: predictionReference(prediction), ...(targetSketch !== undefined ? { target: targetSketch } : {}), ...(importance !== undefined ? { importance } : {}), sample: rowSample(table, Object.keys(columns), seed) };
}

/** Up to SAMPLE_ROWS of the table's rows at random, in the columns' order, read as a window's are: numbers, labels, null for missing. */
export function rowSample(table: Table, names: readonly string[], seed: number, size = SAMPLE_ROWS): RowSample {
  const columns = names.map((name) => table.columns.find((c) => c.name === name)!);
  const at = pick(Array.from({ length: table.nRows }, (_, i) => i), size, new Random(seed));
  const value = (column: Column, i: number): SampleValue => {
    if (column.kind === 'categorical') return column.codes[i]! >= 0 ? column.dictionary[column.codes[i]!]! : null;
    const v = column.kind === 'numeric' ? column.values[i]! : NaN;
    return Number.isFinite(v) ? v : null;
  };
  return { columns: [...names], seen: table.nRows, rows: at.map((i) => columns.map((c) => value(c, i))) };
}

/** The model's scores (n × k) on rows it was not fitted on, with their predicted labels and (for calibration) their classes. */
export interface HeldOutPredictions {
  scores: Float64Array;
  rows: number;
  predicted?: readonly string[];
  /** Class codes of the rows: a binary classifier's probabilities are calibrated against them. */
  y?: ArrayLike<number>;
  source: PredictionReference['source'];
}

function predictionReference(p: HeldOutPredictions): PredictionReference {
  const k = p.rows === 0 ? 1 : p.scores.length / p.rows;
  const labelled = p.y !== undefined && p.rows > 0;
  return {
    source: p.source,
    ...(k === 2 && labelled ? { calibration: fitIsotonic(Float64Array.from({ length: p.rows }, (_, i) => p.scores[2 * i + 1]!), p.y!) } : {}),
    ...(k > 2 && labelled ? multiclassCalibration(p.scores, p.rows, k, p.y!) : {}),
    score: numericReference(Float64Array.from({ length: p.rows }, (_, i) => predictionScore(p.scores.subarray(i * k, (i + 1) * k)))),
    ...(p.predicted !== undefined ? { labels: categoricalReference(p.predicted) } : {}),
  };
}

/**
 * Multiclass CBPE's calibrations, on held-out rows: the top probability against whether the top class was
 * right (expected accuracy), and each class's probability against being that class (one-vs-rest, for
 * the expected macro AUC), as NannyML calibrates a multiclass model's scores.
 */
function multiclassCalibration(scores: Float64Array, rows: number, k: number, y: ArrayLike<number>): Pick<PredictionReference, 'confidence' | 'classes'> {
  const top = new Float64Array(rows);
  const right = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (scores[i * k + c]! > scores[i * k + best]!) best = c;
    top[i] = scores[i * k + best]!;
    right[i] = best === y[i] ? 1 : 0;
  }
  const classes = Array.from({ length: k }, (_, c) =>
    fitIsotonic(
      Float64Array.from({ length: rows }, (_, i) => scores[i * k + c]!),
      Float64Array.from({ length: rows }, (_, i) => (y[i] === c ? 1 : 0)),
    ),
  );
  return { confidence: fitIsotonic(top, right), classes };
}

/** The one number a prediction is watched by: P(positive) for binary, the top probability for multiclass, the value for regression. */
export function predictionScore(scores: ArrayLike<number>): number {
  if (scores.length === 1) return scores[0]!;
  if (scores.length === 2) return scores[1]!;
  let top = -Infinity;
  for (let c = 0; c < scores.length; c++) if (scores[c]! > top) top = scores[c]!;
  return top;
}

/** Each column's share of the importance measured at training (mean |contribution|, else the permutation drop). */
export function importanceShares(columns: readonly { column: string; meanAbsContribution?: number; permutation: { drop: number } }[]): Record<string, number> | undefined {
  const raw = columns.map((c) => ({ column: c.column, value: Math.max(0, c.meanAbsContribution ?? c.permutation.drop) }));
  const total = raw.reduce((s, c) => s + c.value, 0);
  if (!(total > 0)) return undefined;
  return Object.fromEntries(raw.map((c) => [c.column, c.value / total]));
}
