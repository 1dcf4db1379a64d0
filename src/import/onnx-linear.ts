import { linearPredictor } from '../learn/linear/linear-predict.js';
import { logisticPredictor } from '../learn/linear/logistic-predict.js';
import type { NodeAttrs } from './onnx-attrs.js';
import type { ConvertedModel } from './onnx-tree-model.js';

/**
 * LinearClassifier and LinearRegressor as our logistic and linear models. The model's column j is
 * (raw feature `raw` − shift) × scale (a Scaler before it, or 1 and 0): folded into the weights, so
 * the package's recipe passes raw features and the weights read them directly.
 */

export interface LinearColumn {
  raw: number;
  scale: number;
  shift: number;
}

/** Weights on raw features and an intercept from weights w (one per column) and intercept b. */
function fold(columns: readonly LinearColumn[], w: readonly number[], b: number, d: number): { coef: Float64Array; intercept: number } {
  const coef = new Float64Array(d);
  let intercept = b;
  columns.forEach((c, j) => {
    coef[c.raw]! += w[j]! * c.scale;
    intercept -= w[j]! * c.scale * c.shift;
  });
  return { coef, intercept };
}

/** The reference point of linear explanations: a Scaler's offsets (StandardScaler's training means), else 0. */
function means(columns: readonly LinearColumn[], d: number): Float64Array {
  const m = new Float64Array(d);
  for (const c of columns) if (c.shift !== 0) m[c.raw] = c.shift;
  return m;
}

function weights(a: NodeAttrs, rows: number, width: number): { w: number[][]; b: number[] } {
  const coefficients = a.reals('coefficients').values;
  if (coefficients.length !== rows * width) a.fail(`coefficients has ${coefficients.length} values; expected ${rows} × ${width} (one row per score, one weight per input column)`);
  const b = a.reals('intercepts', new Array<number>(rows).fill(0)).values;
  if (b.length !== rows) a.fail(`intercepts has ${b.length} values; expected ${rows}`);
  if (![...coefficients, ...b].every(Number.isFinite)) a.fail('a coefficient or intercept is not a finite number');
  return { w: Array.from({ length: rows }, (_, r) => coefficients.slice(r * width, (r + 1) * width)), b };
}

const training = { iterations: 0, converged: true, durationMs: 0, finalLoss: 0, warnings: [] };

export function convertLinearRegressor(a: NodeAttrs, columns: readonly LinearColumn[], d: number): ConvertedModel {
  const targets = a.int('targets', 1);
  if (targets !== 1) a.fail(`the model has ${targets} targets; only single-target regressors can be imported`);
  const post = a.string('post_transform', 'NONE');
  if (post !== 'NONE') a.fail(`post_transform ${post} on a regressor is not supported; only NONE`);
  const { w, b } = weights(a, 1, columns.length);
  const { coef, intercept } = fold(columns, w[0]!, b[0]!, d);
  const model = a.checked({ kind: linearPredictor.kind, formatVersion: linearPredictor.formatVersion, task: 'regression', nFeatures: d, nClasses: 1, params: {}, state: { coef, intercept, xMean: means(columns, d) }, training });
  return { model, summary: 'regression (linear)', trees: 0 };
}

export function convertLinearClassifier(a: NodeAttrs, columns: readonly LinearColumn[], d: number): ConvertedModel {
  const labels = a.labels('classlabels');
  if (labels === undefined) a.fail('the classifier has no classlabels_strings or classlabels_ints');
  const K = labels.length;
  if (K < 2 || new Set(labels).size !== K) a.fail(`the classifier needs 2 or more different class labels; it has ${labels.join(', ')}`);
  const post = a.string('post_transform', 'NONE');
  const rows = a.reals('intercepts', []).values.length || a.reals('coefficients').values.length / columns.length;
  let coefs: Float64Array[];
  let intercepts: number[];
  if (K === 2 && rows === 1) {
    // One score z for two classes: ONNX Runtime gives (1 − σ(z), σ(z)) with LOGISTIC, and 1 − z, z otherwise.
    if (post !== 'LOGISTIC') a.fail(`post_transform ${post} on a one-score binary classifier gives scores, not probabilities; only LOGISTIC is supported`);
    const { w, b } = weights(a, 1, columns.length);
    const f = fold(columns, w[0]!, b[0]!, d);
    coefs = [f.coef];
    intercepts = [f.intercept];
  } else if (rows !== K) {
    a.fail(`the model has ${rows} scores for ${K} classes; expected one per class (or one for two classes)`);
  } else if (K === 2) {
    const { w, b } = weights(a, K, columns.length);
    // Two scores: softmax(z0, z1) is the logistic of z1 − z0. Two logistics are probabilities only for
    // z0 = −z1 (skl2onnx's binary layout), and then σ(z1) is the logistic model's own.
    if (post === 'LOGISTIC' && !(w[0]!.every((x, j) => x === -w[1]![j]!) && b[0] === -b[1]!)) a.fail("post_transform LOGISTIC on two scores that are not each other's negation gives probabilities that do not sum to 1; not supported");
    if (post !== 'LOGISTIC' && post !== 'SOFTMAX') a.fail(`post_transform ${post} on a binary classifier is not supported; only LOGISTIC and SOFTMAX`);
    const z1 = w[1]!.map((x, j) => (post === 'SOFTMAX' ? x - w[0]![j]! : x));
    const f = fold(columns, z1, post === 'SOFTMAX' ? b[1]! - b[0]! : b[1]!, d);
    coefs = [f.coef];
    intercepts = [f.intercept];
  } else {
    if (post !== 'SOFTMAX') a.fail(`post_transform ${post} with ${K} classes is not supported (one-vs-rest probabilities); only SOFTMAX (multinomial)`);
    const { w, b } = weights(a, K, columns.length);
    const folded = w.map((row, c) => fold(columns, row, b[c]!, d));
    coefs = folded.map((f) => f.coef);
    intercepts = folded.map((f) => f.intercept);
  }
  const coef = new Float64Array(coefs.length * d);
  coefs.forEach((c, k) => coef.set(c, k * d));
  // C is the training regularisation, which an imported model never had: 1 is only a placeholder.
  const state = { coef, intercept: Float64Array.from(intercepts), C: 1, xMean: means(columns, d) };
  const model = a.checked({ kind: logisticPredictor.kind, formatVersion: logisticPredictor.formatVersion, task: K === 2 ? 'binary' : 'multiclass', nFeatures: d, nClasses: K, params: {}, state, training });
  return { model, labels, summary: K === 2 ? 'binary, logistic (logistic)' : `${K} classes, softmax (logistic)`, trees: 0 };
}
