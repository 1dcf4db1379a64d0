import { HyperplaneError } from '../errors.js';
import type { RowNorm } from '../features/normalize-rows.js';
import { stepWidth, type Recipe, type Step } from '../features/recipe.js';
import { NodeAttrs } from './onnx-attrs.js';
import { convertLinearClassifier, convertLinearRegressor } from './onnx-linear.js';
import { ELEM, elemName, type OnnxGraph } from './onnx-read.js';
import { convertTreeClassifier, convertTreeRegressor, type ConvertedModel } from './onnx-tree-model.js';

/**
 * Walks the graph's nodes in order (ONNX graphs are topologically sorted), following each tensor as
 * what it is to us: a graph input, columns of raw features (each maybe scaled), or an output of the
 * one model op. Preprocessing becomes the recipe's steps; anything else is refused, naming the op.
 */

/** A model column: (raw feature − shift) × scale; `float32`: the value was rounded to float32 on the way. */
interface Column {
  raw: number;
  scale: number;
  shift: number;
  float32: boolean;
}

type Value =
  | { kind: 'input'; index: number }
  | { kind: 'features'; columns: Column[]; flat: boolean }
  | { kind: 'label' | 'prediction' | 'zipmap' }
  | { kind: 'probabilities'; sumsToOne: boolean };

export interface ConvertedGraph extends ConvertedModel {
  recipe: Recipe;
  /** The package's input columns, with the type each is read as. */
  inputs: { name: string; type: 'numeric' | 'categorical' }[];
}

const ML = 'ai.onnx.ml';
const SUPPORTED: Record<string, string> = {
  Identity: '', Cast: '', Concat: '', Reshape: '', Flatten: '', FeatureVectorizer: ML, Scaler: ML, Normalizer: ML, OneHotEncoder: ML, ArrayFeatureExtractor: ML, ZipMap: ML,
  TreeEnsembleClassifier: ML, TreeEnsembleRegressor: ML, LinearClassifier: ML, LinearRegressor: ML,
};
const MODEL_OPS = new Set(['TreeEnsembleClassifier', 'TreeEnsembleRegressor', 'LinearClassifier', 'LinearRegressor']);

export function convertGraph(g: OnnxGraph, featureNames: string[] | undefined): ConvertedGraph {
  const numeric = g.inputs.filter((v) => v.elem !== ELEM.STRING);
  for (const v of g.inputs) {
    if (v.elem === undefined || ![ELEM.FLOAT, ELEM.DOUBLE, ELEM.INT64, ELEM.INT32, ELEM.STRING].includes(v.elem as 1)) throw new HyperplaneError(`input '${v.name}' is ${v.elem === undefined ? 'not a tensor' : `a ${elemName(v.elem)} tensor`}; supported input types: float, double, int64, int32 and string tensors`);
    if (v.dims.length !== 2 || v.dims[1]! < 1) throw new HyperplaneError(`input '${v.name}' has shape [${v.dims.map((d) => (d < 0 ? 'N' : d)).join(', ')}]; expected [N, columns] with a fixed number of columns`);
  }
  const width = numeric.reduce((s, v) => s + v.dims[1]!, 0);
  const defaults = numeric.flatMap((v) => (v.dims[1] === 1 ? [v.name] : Array.from({ length: v.dims[1]! }, (_, j) => `${v.name}_${j}`)));
  if (featureNames !== undefined && featureNames.length !== width) throw new HyperplaneError(`--features names ${featureNames.length} features; the model's numeric inputs have ${width} columns (${defaults.join(', ')})`);
  const names = featureNames ?? defaults;
  const nameOf = new Map<string, string[]>();
  let at = 0;
  for (const v of numeric) nameOf.set(v.name, names.slice(at, (at += v.dims[1]!)));

  // The recipe, built as the graph reads its inputs.
  const recipeInputs: ConvertedGraph['inputs'] = [];
  const steps: Step[] = [];
  const features: string[] = [];
  const numberColumns = new Map<number, Column[]>();
  // The recipe input behind each feature that is a graph input's number as it is.
  const inputOf = new Map<number, number>();
  const asNumbers = (index: number): Column[] => {
    let cols = numberColumns.get(index);
    if (cols !== undefined) return cols;
    const v = g.inputs[index]!;
    if (v.elem === ELEM.STRING) throw new HyperplaneError(`input '${v.name}' holds strings; only a OneHotEncoder can read it`);
    cols = nameOf.get(v.name)!.map((name) => {
      recipeInputs.push({ name, type: 'numeric' });
      steps.push({ kind: 'number', input: recipeInputs.length - 1 });
      features.push(name);
      inputOf.set(features.length - 1, recipeInputs.length - 1);
      return { raw: features.length - 1, scale: 1, shift: 0, float32: v.elem === ELEM.FLOAT };
    });
    numberColumns.set(index, cols);
    return cols;
  };

  const env = new Map<string, Value>(g.inputs.map((v, index) => [v.name, { kind: 'input', index }] as const));
  let converted: ConvertedModel | undefined;
  for (const node of g.nodes) {
    const a = new NodeAttrs(node);
    const domain = SUPPORTED[node.op];
    if (domain === undefined) a.fail(`cannot be converted: Hyperplane imports tree ensembles and linear models, with ops ${Object.keys(SUPPORTED).join(', ')}`);
    if ((node.domain === 'ai.onnx' ? '' : node.domain) !== domain) a.fail(`is in domain '${node.domain}'; expected '${domain}'`);
    const input = (k: number): Value => {
      const name = node.inputs[k];
      const v = name === undefined ? undefined : env.get(name);
      return v ?? a.fail(name === undefined ? `input ${k + 1} is missing` : `reads '${name}', which is a constant or not defined before it`);
    };
    const columns = (k: number, flat = true): Column[] => {
      const v = input(k);
      if (v.kind === 'input') return asNumbers(v.index);
      if (v.kind !== 'features') return a.fail(`reads '${node.inputs[k]}', the model's ${v.kind}, where features are expected`);
      if (flat && !v.flat) a.fail(`reads '${node.inputs[k]}', a OneHotEncoder's [N, 1, levels] output, without a Reshape or Flatten to [N, levels]`);
      return v.columns;
    };
    const set = (k: number, v: Value): void => {
      if (node.outputs[k] !== undefined && node.outputs[k] !== '') env.set(node.outputs[k]!, v);
    };
    if (MODEL_OPS.has(node.op)) {
      if (converted !== undefined) a.fail('is a second model in the graph; a package holds one model');
      const read = withoutUnreadInputs(steps, features, columns(0));
      converted = convertModel(a, read, features.length);
      if (node.op.endsWith('Classifier')) {
        set(0, { kind: 'label' });
        set(1, { kind: 'probabilities', sumsToOne: true });
      } else set(0, { kind: 'prediction' });
      continue;
    }
    switch (node.op) {
      case 'Identity':
        set(0, input(0));
        break;
      case 'Cast': {
        const to = a.int('to');
        const v = input(0);
        if (v.kind === 'label') set(0, v);
        else if (to === ELEM.FLOAT || to === ELEM.DOUBLE) set(0, { kind: 'features', columns: columns(0).map((c) => ({ ...c, float32: c.float32 || to === ELEM.FLOAT })), flat: true });
        else a.fail(`casts features to ${elemName(to)}; only float and double casts keep their values`);
        break;
      }
      case 'Concat': {
        const axis = a.int('axis');
        if (axis !== 1 && axis !== -1) a.fail(`concatenates on axis ${axis}; only axis 1 (columns) is supported`);
        set(0, { kind: 'features', columns: node.inputs.flatMap((_, k) => columns(k)), flat: true });
        break;
      }
      case 'FeatureVectorizer': {
        const dims = a.ints('inputdimensions', []);
        const parts = node.inputs.map((_, k) => columns(k));
        parts.forEach((p, k) => {
          if (dims[k] !== p.length) a.fail(`input ${k + 1} has ${p.length} columns; inputdimensions says ${dims[k] ?? 'nothing'}`);
        });
        // Its output is float.
        set(0, { kind: 'features', columns: parts.flat().map((c) => ({ ...c, float32: true })), flat: true });
        break;
      }
      case 'Scaler': {
        const cols = columns(0);
        const offset = a.reals('offset', [0]).values;
        const scale = a.reals('scale', [1]).values;
        for (const [name, list] of [['offset', offset], ['scale', scale]] as const) if (list.length !== 1 && list.length !== cols.length) a.fail(`${name} has ${list.length} values; expected 1 or ${cols.length}`);
        const pick = (list: number[], j: number): number => list[list.length === 1 ? 0 : j]!;
        // ((raw − shift) × s − o) × t = (raw − shift − o / s) × s × t.
        set(0, { kind: 'features', columns: cols.map((c, j) => ({ raw: c.raw, scale: c.scale * pick(scale, j), shift: c.shift + pick(offset, j) / c.scale, float32: true })), flat: true });
        break;
      }
      case 'Normalizer': {
        const v = input(0);
        const norm = a.string('norm', 'MAX');
        // L1 on probabilities that already sum to 1 (skl2onnx's binary logistic layout) changes nothing.
        if (v.kind === 'probabilities' && v.sumsToOne && norm === 'L1') {
          set(0, v);
          break;
        }
        if (v.kind === 'probabilities') a.fail(`normalizes each row (${norm}) of scores that do not sum to 1, which Hyperplane's models cannot output`);
        if (norm !== 'L1' && norm !== 'L2' && norm !== 'MAX') a.fail(`has norm '${norm}'; expected L1, L2 or MAX`);
        const cols = columns(0);
        // The step reads input columns: a Scaler's shift and scale or another step's features before it cannot be replayed.
        const inputs = cols.map((c) => {
          const k = inputOf.get(c.raw);
          if (k === undefined || c.scale !== 1 || c.shift !== 0) return a.fail(`normalizes ${k === undefined ? 'features computed from the inputs (one-hot or normalized columns)' : 'scaled features (a Scaler before it)'}; only the graph's numeric input columns as they are can be normalized`);
          return k;
        });
        // Float32 rounding changes L2's squares only for values not already float32, so it must agree across the row.
        const float32 = cols.every((c) => c.float32);
        if (!float32 && cols.some((c) => c.float32)) a.fail('normalizes float-rounded and double columns together; only all of one or the other is supported');
        steps.push({ kind: 'normalize-rows', inputs, norm: norm as RowNorm, ...(float32 ? { float32 } : {}) });
        const first = features.length;
        features.push(...inputs.map((k) => `normalize_${norm.toLowerCase()}(${recipeInputs[k]!.name})`));
        // Its output is float.
        set(0, { kind: 'features', columns: inputs.map((_, j) => ({ raw: first + j, scale: 1, shift: 0, float32: true })), flat: true });
        break;
      }
      case 'OneHotEncoder': {
        const v = input(0);
        if (v.kind !== 'input') return a.fail('one-hot encodes a computed tensor; only a graph input column can be one-hot encoded');
        const src = g.inputs[v.index]!;
        if (src.dims[1] !== 1) a.fail(`one-hot encodes input '${src.name}' of ${src.dims[1]} columns; only single-column inputs are supported`);
        const levels = src.elem === ELEM.STRING ? a.strings('cats_strings', []) : a.ints('cats_int64s', []).map(String);
        if (levels.length === 0) a.fail(`has no ${src.elem === ELEM.STRING ? 'cats_strings' : 'cats_int64s'} for input '${src.name}'`);
        const name = src.elem === ELEM.STRING ? src.name : nameOf.get(src.name)![0]!;
        recipeInputs.push({ name, type: 'categorical' });
        // Our step adds an "(other)" column after the levels; the model never reads it, as ONNX's all-zero row.
        steps.push({ kind: 'category', inputs: [recipeInputs.length - 1], levels, oneHot: true });
        const first = features.length;
        features.push(...levels.map((l) => `${name}=${l}`), `${name}=(other)`);
        set(0, { kind: 'features', columns: levels.map((_, j) => ({ raw: first + j, scale: 1, shift: 0, float32: true })), flat: false });
        break;
      }
      case 'Reshape': {
        const cols = columns(0, false);
        const shape = g.initializers.get(node.inputs[1] ?? '');
        if (shape === undefined || shape.numbers.length !== 2 || shape.numbers[1] !== cols.length) a.fail(`reshapes to ${shape === undefined ? 'a computed shape' : `[${shape.numbers.join(', ')}]`}; only [-1, ${cols.length}] (rows of columns) is supported`);
        set(0, { kind: 'features', columns: cols, flat: true });
        break;
      }
      case 'Flatten':
        if (a.int('axis', 1) !== 1) a.fail(`flattens from axis ${a.int('axis', 1)}; only axis 1 is supported`);
        set(0, { kind: 'features', columns: columns(0, false), flat: true });
        break;
      case 'ArrayFeatureExtractor': {
        const cols = columns(0);
        const indices = g.initializers.get(node.inputs[1] ?? '');
        if (indices === undefined) return a.fail('selects columns given by a computed tensor; only constant indices are supported');
        set(0, { kind: 'features', columns: indices.numbers.map((i) => cols[i] ?? a.fail(`selects column ${i} of ${cols.length}`)), flat: true });
        break;
      }
      case 'ZipMap': {
        const v = input(0);
        if (v.kind !== 'probabilities') a.fail(`maps '${node.inputs[0]}', which is not a classifier's probabilities`);
        const labels = a.labels('classlabels');
        if (labels !== undefined && converted?.labels !== undefined && labels.join('\u0000') !== converted.labels.join('\u0000')) a.fail(`names classes ${labels.join(', ')}; the model's are ${converted.labels.join(', ')}`);
        set(0, { kind: 'zipmap' });
        break;
      }
    }
  }
  if (converted === undefined) throw new HyperplaneError(`the graph has no model op (${[...MODEL_OPS].join(', ')})`);
  for (const out of g.outputs) {
    const v = env.get(out.name);
    if (v === undefined || v.kind === 'input' || v.kind === 'features') throw new HyperplaneError(`graph output '${out.name}' is ${v === undefined ? 'not computed by any node' : 'not a prediction of the model'}; only the model's label, probabilities and value can be outputs`);
  }
  const family = converted.trees > 0 ? 'tree' : 'linear';
  const recipe: Recipe = { version: 1, family, inputs: recipeInputs, steps, finish: undefined, features, categorical: [] };
  return { ...converted, recipe, inputs: recipeInputs };
}

/**
 * Drops the number features of input columns that only a Normalizer reads (the model never does), so the
 * package holds no feature that is always ignored; returns the model's columns renumbered to match.
 */
function withoutUnreadInputs(steps: Step[], features: string[], model: Column[]): Column[] {
  const read = new Set(model.map((c) => c.raw));
  const normalized = new Set(steps.flatMap((s) => (s.kind === 'normalize-rows' ? s.inputs : [])));
  const renumber = new Map<number, number>();
  const keptSteps: Step[] = [];
  const keptFeatures: string[] = [];
  let at = 0;
  for (const step of steps) {
    const width = stepWidth(step);
    if (!(step.kind === 'number' && normalized.has(step.input) && !read.has(at))) {
      for (let j = 0; j < width; j++) renumber.set(at + j, keptFeatures.push(features[at + j]!) - 1);
      keptSteps.push(step);
    }
    at += width;
  }
  steps.splice(0, steps.length, ...keptSteps);
  features.splice(0, features.length, ...keptFeatures);
  return model.map((c) => ({ ...c, raw: renumber.get(c.raw)! }));
}

function convertModel(a: NodeAttrs, columns: Column[], d: number): ConvertedModel {
  const op = a.node.op;
  if (op === 'LinearClassifier') return convertLinearClassifier(a, columns, d);
  if (op === 'LinearRegressor') return convertLinearRegressor(a, columns, d);
  // Trees compare raw values: a scaled column's thresholds would move, and in float32 not exactly.
  if (columns.some((c) => c.scale !== 1 || c.shift !== 0)) a.fail('reads scaled features (a Scaler before a tree ensemble), which cannot be folded into its thresholds exactly');
  return op === 'TreeEnsembleClassifier' ? convertTreeClassifier(a, columns, d) : convertTreeRegressor(a, columns, d);
}
