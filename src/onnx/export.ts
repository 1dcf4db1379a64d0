import { HyperplaneError } from '../errors.js';
import type { ModelPackage } from '../pipeline/package.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { GraphBuilder } from './graph.js';
import { GraphInputs, inputType } from './inputs.js';
import { EXPORTABLE_KINDS, modelScores, refuseKind } from './models.js';
import { recipeFeatures } from './recipe.js';

/** The graph's outputs: classification gives `label` and `probabilities`, regression `variable`. */
export const OUTPUT_NAMES = ['label', 'probabilities', 'variable'] as const;

export interface OnnxExport {
  /** The .onnx file's bytes. */
  bytes: Uint8Array;
  /**
   * The graph's inputs, one per column the pipeline reads: numbers as double [N, 1], labels as string [N, 1], and
   * dates (`date`) as double [N, 1] of milliseconds since 1970-01-01 UTC (NaN when missing).
   */
  inputs: { name: string; type: 'double' | 'string'; date?: true }[];
  outputs: { name: string; type: 'double' | 'string'; shape: (number | 'N')[] }[];
}

/**
 * A model package as one ONNX graph: each member's recipe and model, averaged by weight, then the label
 * (the threshold for binary, the most probable class for multiclass). It gives the numbers `predict` gives:
 * every threshold, coefficient and leaf value stays double. Refuses, naming it, what it cannot convert.
 */
export function exportOnnx(pkg: ModelPackage, options: { producerVersion?: string } = {}): OnnxExport {
  const { pipeline: spec } = pkg;
  const several = spec.members.length > 1;
  spec.members.forEach((m, i) => {
    if (!(EXPORTABLE_KINDS as readonly string[]).includes(m.model.kind)) refuseKind(m.model.kind, several ? `member ${i}: ` : '');
  });
  const pipeline = new Pipeline(spec);
  const columns = pipeline.signature.inputs;
  const clash = columns.find((c) => (OUTPUT_NAMES as readonly string[]).includes(c.name));
  if (clash !== undefined) throw new HyperplaneError(`the input column '${clash.name}' has the name of an output of the ONNX graph (${OUTPUT_NAMES.join(', ')}); rename the column and train again to export`);
  const g = new GraphBuilder();
  const inputs = new GraphInputs(g, columns);
  const scores = spec.members.map((m, i) => {
    const name = several ? `member ${i}` : 'model';
    const X = recipeFeatures(g, m.recipe, inputs.forRecipe(m.recipe), name, several ? `member ${i}: ` : '');
    return modelScores(g, m.model, X, name.replace(' ', '_'));
  });
  const blended = blend(g, scores, spec.members.map((m) => m.weight));
  const { task, labels, threshold, name: target } = spec.target;
  const outputs: OnnxExport['outputs'] = [];
  if (task === 'regression' || labels === undefined) {
    g.output(blended, 'variable', 'double', ['N', 1]);
    outputs.push({ name: 'variable', type: 'double', shape: ['N', 1] });
  } else {
    g.output(label(g, blended, labels, task === 'binary' ? (threshold ?? 0.5) : undefined), 'label', 'string', ['N']);
    g.output(blended, 'probabilities', 'double', ['N', labels.length]);
    outputs.push({ name: 'label', type: 'string', shape: ['N'] }, { name: 'probabilities', type: 'double', shape: ['N', labels.length] });
  }
  const metadata: Record<string, string> = { target, task, ...(labels !== undefined ? { labels: JSON.stringify(labels) } : {}), ...(task === 'binary' ? { threshold: String(threshold ?? 0.5) } : {}), learner: pkg.info.learner };
  const doc = `Hyperplane model predicting '${target}' (${task}). Inputs: one [N, 1] tensor per column, double for numbers (NaN when missing), double milliseconds since 1970-01-01 UTC for dates (NaN when missing), string for categories ("" when missing).`;
  const bytes = g.encode({ graphName: `hyperplane_${target}`, docString: doc, producerVersion: options.producerVersion ?? '', metadata });
  return { bytes, inputs: columns.map((c): OnnxExport['inputs'][number] => ({ name: c.name, type: inputType(c.type) ?? 'string', ...(c.type === 'datetime' ? { date: true as const } : {}) })), outputs };
}

/** Members' scores weighted by weight / total, added in member order from 0, as Pipeline.blend does. */
function blend(g: GraphBuilder, scores: string[], weights: number[]): string {
  if (scores.length === 1) return scores[0]!;
  const total = weights.reduce((s, w) => s + w, 0);
  const weighted = scores.map((s, j) => g.op('Mul', [g.doubles([weights[j]! / total], [], `weight_${j}`), s]));
  return weighted.reduce((sum, w, j) => (j === 0 ? w : g.op('Add', [sum, w], {}, { name: j === weighted.length - 1 ? 'blend' : 'partial_blend' })));
}

/** The label: labels[1] where P(labels[1]) ≥ threshold (binary), else the first most probable class; a string [N]. */
function label(g: GraphBuilder, probabilities: string, labels: readonly string[], threshold: number | undefined): string {
  let code: string;
  if (threshold !== undefined) {
    const p = g.op('Gather', [probabilities, g.int64s([1], [])], { axis: { int: 1 } });
    code = g.cast(g.op('GreaterOrEqual', [p, g.doubles([threshold], [])]), 'int64');
  } else code = g.op('ArgMax', [probabilities], { axis: { int: 1 }, keepdims: { int: 0 } });
  return g.op('Gather', [g.strings(labels, [labels.length], 'labels'), code], { axis: { int: 0 } }, { name: 'predicted_label' });
}
