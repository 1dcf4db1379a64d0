import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { HyperplaneError } from '../errors.js';
import type { Model, Task } from '../learn/contract.js';
import { checkModel } from '../learn/registry.js';
import { gbdtLearner } from '../learn/tree/gbdt.js';
import type { ObjectiveName } from '../learn/tree/objectives.js';
import { packTrees } from '../learn/tree/pack.js';
import type { FlatTree } from '../learn/tree/tree.js';
import type { Recipe } from '../features/recipe.js';
import type { ModelPackage } from '../pipeline/package.js';
import { float64Threshold } from './float32.js';

/**
 * An XGBoost model saved as JSON (`booster.save_model('m.json')`) turned into a Hyperplane package
 * holding an ordinary `gbdt` model, so our own predict, explain and serve code scores it.
 */

const ints = z.array(z.number().int());
const numbers = z.array(z.number());
const treeSchema = z.object({
  left_children: ints,
  right_children: ints,
  split_indices: ints,
  split_conditions: numbers,
  // 0/1 in XGBoost 1.x; booleans are accepted too.
  default_left: z.array(z.union([z.number(), z.boolean()])),
  sum_hessian: numbers.optional(),
  loss_changes: numbers.optional(),
  split_type: ints.optional(),
  categories_nodes: ints.optional(),
});
type XgbTree = z.infer<typeof treeSchema>;

const learnerSchema = z.object({
  learner: z.object({
    objective: z.object({ name: z.string() }),
    learner_model_param: z.object({ base_score: z.string(), num_class: z.string().default('0'), num_feature: z.string(), num_target: z.string().optional() }),
    feature_names: z.array(z.string()).optional(),
    feature_types: z.array(z.string()).optional(),
    gradient_booster: z.object({ name: z.string(), model: z.unknown().optional() }),
  }),
  version: ints.optional(),
});

const gbtreeSchema = z.object({ tree_info: ints, trees: z.array(treeSchema) });

/** XGBoost objectives we score identically, and the gbdt objective and task they become. */
const OBJECTIVES: Record<string, { task: Exclude<Task, 'anomaly'>; objective: ObjectiveName }> = {
  'binary:logistic': { task: 'binary', objective: 'binary' },
  // softmax differs only in predict() giving the class index: the margins (and so our probabilities) are the same.
  'multi:softprob': { task: 'multiclass', objective: 'multiclass' },
  'multi:softmax': { task: 'multiclass', objective: 'multiclass' },
  'reg:squarederror': { task: 'regression', objective: 'l2' },
  'reg:linear': { task: 'regression', objective: 'l2' },
};

export interface ImportOptions {
  /** Feature names in the model's order (required when the model saved none). */
  features?: string[];
  /** Binary: the labels of class codes 0 and 1 (default "0", "1"). */
  labels?: string[];
  /** The target's name in the package (default "target"). */
  name?: string;
  /** Where the model came from, for the package's info. */
  source?: string;
}

export interface Imported {
  pkg: ModelPackage;
  trees: number;
  features: number;
  objective: string;
}

/** Reads and imports a model file; every problem with it is a HyperplaneError naming the file. */
export function importXgboostFile(file: string, options: ImportOptions = {}): Imported {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new HyperplaneError(code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, expected an XGBoost JSON model' : `cannot read it (${code ?? String(e)})`, { file });
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new HyperplaneError('not JSON; save the model with booster.save_model("model.json") (UBJSON and the old binary format are not supported)', { file });
  }
  try {
    const fingerprint = createHash('sha256').update(bytes).digest('hex');
    return importXgboost(json, { source: file, ...options }, fingerprint);
  } catch (e) {
    if (e instanceof HyperplaneError && e.location.file === undefined) throw new HyperplaneError(e.message, { file });
    throw e;
  }
}

function fail(why: string): never {
  throw new HyperplaneError(why);
}

function parseCount(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) fail(`${what} is '${value}'; expected a whole number`);
  return n;
}

/** base_score: "5E-1" in XGBoost 1.x, "[5E-1]" (or one per class) in newer versions. */
function parseBaseScore(value: string, outputs: number): number[] {
  const parts = value.replace(/^\s*\[|\]\s*$/g, '').split(',');
  const scores = parts.map(Number);
  if (parts.some((p) => p.trim() === '') || scores.some((s) => !Number.isFinite(s))) fail(`base_score is '${value}'; expected a number`);
  if (scores.length !== 1 && scores.length !== outputs) fail(`base_score has ${scores.length} values; expected 1 or ${outputs}`);
  return Array.from({ length: outputs }, (_, c) => scores[scores.length === 1 ? 0 : c]!);
}

/** The JSON of an XGBoost model (parsed) as a package. `fingerprint` identifies the file it came from. */
export function importXgboost(json: unknown, options: ImportOptions = {}, fingerprint = ''): Imported {
  const parsed = learnerSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    fail(`not an XGBoost JSON model: ${issue.path.map(String).join('.') || 'the top level'}: ${issue.message}`);
  }
  const learner = parsed.data.learner;
  const booster = learner.gradient_booster.name;
  if (booster !== 'gbtree') fail(`booster '${booster}' is not supported; only gbtree models can be imported`);
  const objectiveName = learner.objective.name;
  const mapped = OBJECTIVES[objectiveName];
  if (mapped === undefined) fail(`objective '${objectiveName}' is not supported; supported: ${Object.keys(OBJECTIVES).join(', ')}`);
  const param = learner.learner_model_param;
  if (param.num_target !== undefined && parseCount(param.num_target, 'num_target') > 1) fail(`num_target is ${param.num_target}; multi-output models are not supported`);
  const d = parseCount(param.num_feature, 'num_feature');
  const numClass = parseCount(param.num_class, 'num_class');
  const K = mapped.task === 'multiclass' ? numClass : 1;
  if (mapped.task === 'multiclass' && K < 2) fail(`num_class is ${numClass}; a ${objectiveName} model has 2 or more`);
  if ((learner.feature_types ?? []).includes('c')) fail('categorical features are not supported');

  const names = featureNames(learner.feature_names, options.features, d);
  const base = parseBaseScore(param.base_score, K);
  // XGBoost keeps base_score as a probability for logistic models and adds its logit (in float32).
  if (mapped.task === 'binary' && !(base[0]! > 0 && base[0]! < 1)) fail(`base_score is ${base[0]}; a binary:logistic model's is a probability between 0 and 1`);
  const initScore = Float64Array.from(base, (b) => (mapped.task === 'binary' ? Math.fround(-Math.log(1 / b - 1)) : Math.fround(b)));

  const gbtree = gbtreeSchema.safeParse(learner.gradient_booster.model);
  if (!gbtree.success) {
    const issue = gbtree.error.issues[0]!;
    fail(`not an XGBoost JSON model: gradient_booster.model.${issue.path.map(String).join('.')}: ${issue.message}`);
  }
  const { trees, tree_info } = gbtree.data;
  if (trees.length === 0) fail('the model has no trees');
  if (tree_info.length !== trees.length) fail(`tree_info has ${tree_info.length} entries for ${trees.length} trees`);
  const splitCount = new Float64Array(d);
  const splitGain = new Float64Array(d);
  // gbdt stores round after round, each with one tree per class in class order.
  const byClass: FlatTree[][] = Array.from({ length: K }, () => []);
  trees.forEach((t, i) => {
    const c = tree_info[i]!;
    if (!(c >= 0 && c < K)) fail(`tree_info[${i}] is ${c}; expected a class below ${K}`);
    byClass[c]!.push(convertTree(t, i, d, splitCount, splitGain));
  });
  const rounds = Math.max(...byClass.map((b) => b.length));
  const ordered: FlatTree[] = [];
  for (let r = 0; r < rounds; r++) for (let c = 0; c < K; c++) ordered.push(byClass[c]![r] ?? emptyTree());

  const task = mapped.task;
  const model: Model = {
    kind: gbdtLearner.name,
    formatVersion: gbdtLearner.formatVersion,
    task,
    nFeatures: d,
    nClasses: task === 'regression' ? 1 : task === 'binary' ? 2 : K,
    params: { objective: mapped.objective, n_estimators: rounds },
    state: { objective: mapped.objective, outputs: K, initScore, ...packTrees(ordered), splitCount, splitGain, bestIteration: rounds },
    training: { iterations: rounds, converged: true, durationMs: 0, finalLoss: 0, warnings: [] },
  };
  try {
    checkModel(model);
  } catch (e) {
    fail(`the model is inconsistent: ${e instanceof Error ? e.message : String(e)}`);
  }
  const labels = task === 'regression' ? undefined : classLabels(task, K, options.labels);
  const recipe: Recipe = {
    version: 1,
    family: 'tree',
    inputs: names.map((name) => ({ name, type: 'numeric' })),
    steps: names.map((_, input) => ({ kind: 'number', input })),
    finish: undefined,
    features: names,
    categorical: [],
  };
  const version = parsed.data.version?.join('.') ?? 'unknown';
  const pkg: ModelPackage = {
    pipeline: {
      target: { name: options.name ?? 'target', task, ...(labels !== undefined ? { labels } : {}) },
      schema: names.map((name) => ({ name, type: 'numeric', reason: 'imported from an XGBoost model' })),
      members: [{ recipe, model, weight: 1 }],
    },
    info: {
      createdAt: new Date().toISOString(),
      learner: gbdtLearner.name,
      params: model.params,
      seed: 0,
      fingerprint,
      source: options.source ?? 'xgboost',
      trainRows: 0,
      metrics: {},
      evaluation: `imported from XGBoost ${version} (${objectiveName}); not evaluated by Hyperplane`,
    },
  };
  return { pkg, trees: trees.length, features: d, objective: objectiveName };
}

function featureNames(saved: string[] | undefined, given: string[] | undefined, d: number): string[] {
  const names = given ?? (saved !== undefined && saved.length > 0 ? saved : undefined);
  if (names === undefined) fail(`the model saves no feature names; pass --features with its ${d} names in order`);
  const from = given !== undefined ? '--features' : 'the model';
  if (names.length !== d) fail(`${from} names ${names.length} features; the model has ${d}`);
  const empty = names.findIndex((n) => n.trim() === '');
  if (empty >= 0) fail(`${from}: feature ${empty + 1} has an empty name`);
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) fail(`${from} names feature '${n}' twice`);
    seen.add(n);
  }
  return names;
}

function classLabels(task: Task, K: number, given: string[] | undefined): string[] {
  if (given === undefined) return Array.from({ length: task === 'binary' ? 2 : K }, (_, c) => String(c));
  if (task !== 'binary') fail('--labels is for binary models (multiclass labels are the class codes 0, 1, …)');
  if (given.length !== 2 || given[0] === given[1]) fail(`--labels needs two different labels (for classes 0 and 1), got ${given.length === 2 ? 'the same twice' : given.length}`);
  return given;
}

function emptyTree(): FlatTree {
  const none = { feature: new Int32Array(0), threshold: new Float64Array(0), defaultLeft: new Uint8Array(0), left: new Int32Array(0), right: new Int32Array(0) };
  return { ...none, leafValue: new Float64Array(1), nodeCover: new Float64Array(0), leafCover: new Float64Array(1) };
}

/**
 * One XGBoost tree as a FlatTree, nodes renumbered in breadth-first order from the root (so every child
 * comes after its parent, as our checks require, and unreachable deleted nodes drop out).
 */
function convertTree(t: XgbTree, index: number, d: number, splitCount: Float64Array, splitGain: Float64Array): FlatTree {
  const n = t.left_children.length;
  const where = `tree ${index}`;
  for (const [field, a] of [['right_children', t.right_children], ['split_indices', t.split_indices], ['split_conditions', t.split_conditions], ['default_left', t.default_left]] as const) {
    if (a.length !== n) fail(`${where}: ${field} has ${a.length} entries; left_children has ${n}`);
  }
  if (n === 0) fail(`${where} has no nodes`);
  const hess = t.sum_hessian !== undefined && t.sum_hessian.length === n ? t.sum_hessian : undefined;
  const isLeaf = (i: number): boolean => t.left_children[i] === -1;
  const splits: number[] = [];
  const leaves: number[] = [];
  const newIndex = new Int32Array(n).fill(0x7fffffff);
  const queue = [0];
  for (let q = 0; q < queue.length; q++) {
    const i = queue[q]!;
    if (newIndex[i] !== 0x7fffffff) fail(`${where}: node ${i} is reached twice`);
    if (isLeaf(i)) {
      newIndex[i] = ~leaves.length;
      leaves.push(i);
      continue;
    }
    newIndex[i] = splits.length;
    splits.push(i);
    if (t.split_type !== undefined && t.split_type[i] !== 0) fail(`${where}: node ${i} is a categorical split; categorical splits are not supported`);
    for (const c of [t.left_children[i]!, t.right_children[i]!]) {
      if (!(c > 0 && c < n)) fail(`${where}: node ${i} has child ${c}; expected a node from 1 to ${n - 1}`);
      queue.push(c);
    }
  }
  const tree: FlatTree = {
    feature: new Int32Array(splits.length),
    threshold: new Float64Array(splits.length),
    defaultLeft: new Uint8Array(splits.length),
    left: new Int32Array(splits.length),
    right: new Int32Array(splits.length),
    // Leaf values are already scaled by the learning rate; XGBoost adds them as float32.
    leafValue: Float64Array.from(leaves, (i) => Math.fround(t.split_conditions[i]!)),
    ...(hess !== undefined ? { nodeCover: Float64Array.from(splits, (i) => hess[i]!), leafCover: Float64Array.from(leaves, (i) => hess[i]!) } : {}),
  };
  splits.forEach((i, k) => {
    const f = t.split_indices[i]!;
    if (!(f >= 0 && f < d)) fail(`${where}: node ${i} splits on feature ${f}; the model has ${d}`);
    tree.feature[k] = f;
    tree.threshold[k] = float64Threshold(t.split_conditions[i]!);
    const dl = t.default_left[i]!;
    tree.defaultLeft[k] = dl === true || dl === 1 ? 1 : 0;
    tree.left[k] = newIndex[t.left_children[i]!]!;
    tree.right[k] = newIndex[t.right_children[i]!]!;
    splitCount[f] += 1;
    splitGain[f] += t.loss_changes?.[i] ?? 0;
  });
  if (!leaves.every((i) => Number.isFinite(t.split_conditions[i]!))) fail(`${where}: a leaf value is not a finite number`);
  return tree;
}
