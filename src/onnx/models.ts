import { HyperplaneError } from '../errors.js';
import type { Model } from '../learn/contract.js';
import { unpackTrees } from '../learn/tree/pack.js';
import { doubleTensor, type GraphBuilder } from './graph.js';
import { treeSums } from './trees.js';

/** The model kinds the export converts; each gives exactly what its predictor's `predict` gives. */
export const EXPORTABLE_KINDS = ['gbdt', 'forest', 'linear', 'logistic', 'baseline'] as const;

export function refuseKind(kind: string, where: string): never {
  throw new HyperplaneError(`${where}a ${kind} model cannot be exported to ONNX; the kinds that can are: ${EXPORTABLE_KINDS.join(', ')}`);
}

/**
 * A model's scores for the feature matrix X (a double [N, nFeatures]): n × k class probabilities
 * (a double [N, k]) for classifiers, values (a double [N, 1]) for regression.
 */
export function modelScores(g: GraphBuilder, model: Model, X: string, name: string): string {
  switch (model.kind) {
    case 'gbdt':
      return gbdtScores(g, model, X, name);
    case 'forest':
      return forestScores(g, model, X, name);
    case 'linear': {
      const z = g.op('MatMul', [X, g.doubles(model.state['coef'] as Float64Array, [model.nFeatures, 1], `${name}_coef`)]);
      return g.op('Add', [z, g.doubles([model.state['intercept'] as number], [1], `${name}_intercept`)], {}, { name: `${name}_value` });
    }
    case 'logistic':
      return logisticScores(g, model, X, name);
    case 'baseline': {
      const scores = model.state['scores'] as Float64Array;
      return g.op('Add', [zeros(g, X, scores.length), g.doubles(scores, [scores.length], `${name}_scores`)], {}, { name: `${name}_constant` });
    }
    default:
      return refuseKind(model.kind, '');
  }
}

/** A double [N, k] of zeros, N taken from X. */
function zeros(g: GraphBuilder, X: string, k: number): string {
  const n = g.op('Slice', [g.op('Shape', [X]), g.int64s([0]), g.int64s([1])]);
  const shape = g.op('Concat', [n, g.int64s([k])], { axis: { int: 0 } });
  return g.op('ConstantOfShape', [shape], { value: { tensor: doubleTensor([0], [1]) } });
}

/** Leaf values summed by output (tree t adds to output t mod k): a double [N, k]. */
function leafSums(g: GraphBuilder, model: Model, X: string, k: number, name: string): string {
  const trees = unpackTrees(model.state);
  return trees.length === 0 ? zeros(g, X, k) : treeSums(g, X, model.nFeatures, trees, k, name);
}

/** Binary probabilities [1 − p, p] from p, a double [N, 1]. */
function twoClasses(g: GraphBuilder, p: string, name: string): string {
  return g.op('Concat', [g.op('Sub', [g.doubles([1], [], 'one'), p]), p], { axis: { int: 1 } }, { name: `${name}_probabilities` });
}

/** gbdt: init + Σ leaves, through the objective's transform (objectives.ts). */
function gbdtScores(g: GraphBuilder, model: Model, X: string, name: string): string {
  const k = model.state['outputs'] as number;
  const init = model.state['initScore'] as Float64Array;
  const margin = g.op('Add', [leafSums(g, model, X, k, name), g.doubles(init, [k], `${name}_init`)], {}, { name: `${name}_margin` });
  const objective = model.state['objective'] as string;
  switch (objective) {
    case 'binary':
      return twoClasses(g, g.op('Sigmoid', [margin]), name);
    case 'multiclass':
      return g.op('Softmax', [margin], { axis: { int: 1 } }, { name: `${name}_probabilities` });
    case 'poisson':
      return g.op('Exp', [margin], {}, { name: `${name}_value` });
    case 'l2':
    case 'l1':
    case 'huber':
      return margin;
    default:
      throw new HyperplaneError(`a gbdt model with the '${objective}' objective cannot be exported to ONNX`);
  }
}

/** forest: the trees' mean, per class (multiclass), as P(class 1) (binary), or the value. */
function forestScores(g: GraphBuilder, model: Model, X: string, name: string): string {
  const k = (model.state['outputs'] as number | undefined) ?? 1;
  const rounds = unpackTrees(model.state).length / k;
  const mean = g.op('Div', [leafSums(g, model, X, k, name), g.doubles([rounds], [], `${name}_trees`)], {}, { name: `${name}_mean` });
  return model.task === 'binary' ? twoClasses(g, mean, name) : mean;
}

/** logistic: one weight vector (class 1's log-odds) for binary, one per class through a softmax for multiclass. */
function logisticScores(g: GraphBuilder, model: Model, X: string, name: string): string {
  const coef = model.state['coef'] as Float64Array;
  const intercept = model.state['intercept'] as Float64Array;
  const d = model.nFeatures;
  const k = model.nClasses > 2 ? model.nClasses : 1;
  // Stored class by class (coef[c·d + j]); MatMul wants features by class.
  const W = new Float64Array(d * k);
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) W[j * k + c] = coef[c * d + j]!;
  const z = g.op('Add', [g.op('MatMul', [X, g.doubles(W, [d, k], `${name}_coef`)]), g.doubles(intercept, [k], `${name}_intercept`)], {}, { name: `${name}_margin` });
  if (k === 1) return twoClasses(g, g.op('Sigmoid', [z]), name);
  return g.op('Softmax', [z], { axis: { int: 1 } }, { name: `${name}_probabilities` });
}
