import { isFeatureType, type ColumnSchema } from '../data/schema/schema.js';
import { selectRows, type Table } from '../data/table.js';
import { HyperplaneError } from '../errors.js';
import { checkMetric, DEFAULT_METRIC, type MetricName } from '../evaluate/evaluate.js';
import { groupFolds } from '../evaluate/splits.js';
import { parseOutput, type Output } from '../features/explicit.js';
import { conditionReads } from '../features/condition.js';
import { getLearner } from '../learn/registry.js';
import { ablate, checkGroups, type Ablation, type AblatedGroup, type Candidate } from '../search/index.js';
import type { SupervisedTask } from './pipeline.js';
import { pick } from './rows.js';
import { groupCodes, groupCount, tooFewGroups } from './split.js';
import { encodeTarget } from './target.js';
import { outOfFold } from './out-of-fold.js';
import type { Data } from './train.js';

type ExplicitRecipe = { outputs: string[]; groups?: Record<string, string[]> };

export interface PipelineAblationOptions {
  target: string;
  task?: SupervisedTask;
  metric?: string;
  /** The pipeline's members (learner, params, weight): fitted again as they are, without each group. */
  candidates: Candidate[];
  folds: number;
  seed: number;
  /** Default: each input column on its own. */
  groups?: string[][];
  /** Group k-fold on this column, as the run was measured (the column is no input). */
  group?: string;
  classWeight?: 'balanced';
  recipe?: ExplicitRecipe;
  onGroup?: (group: AblatedGroup, done: number, total: number, metric: MetricName) => void;
}

export interface PipelineAblation extends Ablation {
  target: string;
  /** Explicit-recipe outputs left out with a group (they name one of its columns). */
  notes: string[];
}

/**
 * The columns a pipeline reads: every feature column but the target, or, with an explicit recipe, those its
 * outputs name (directly, through a group, or ALL_NUMERIC and the like).
 */
export function inputColumns(schema: readonly ColumnSchema[], target: string, recipe?: ExplicitRecipe): string[] {
  const features = featureColumns(schema, target);
  if (recipe === undefined) return [...features.keys()];
  const read = new Set(recipe.outputs.flatMap((source, i) => parseOutput(source, `recipe.outputs.${i}`, features, recipe.groups ?? {}).flatMap(outputColumns)));
  return [...features.keys()].filter((c) => read.has(c));
}

/**
 * The pipeline refitted on every fold with all its input columns, then without each group, and each group's
 * cost in the metric (see `ablate`): the same members and params, the same seeded folds as `train --cv`.
 */
export async function ablatePipeline(data: Data, options: PipelineAblationOptions): Promise<PipelineAblation> {
  const target = encodeTarget(data.table, data.schema, options.target, data.source, options.task);
  const spec = target.spec;
  const metric = checkMetric(options.metric ?? DEFAULT_METRIC[spec.task], spec.task);
  const keep = Int32Array.from({ length: data.table.nRows }, (_, i) => i).filter((i) => target.y[i] === target.y[i]);
  const table = selectRows(data.table, keep);
  const y = pick(target.y, keep);
  if (y.length < options.folds) throw new HyperplaneError(`${y.length} labelled rows cannot make ${options.folds} folds: lower --cv`);

  const inputs = inputColumns(data.schema, spec.name, options.recipe).filter((c) => c !== options.group);
  let assignment: Int32Array | undefined;
  if (options.group !== undefined) {
    const coded = groupCodes(table, options.group, spec.name, data.source);
    const count = groupCount(coded.codes);
    if (count < options.folds) throw tooFewGroups(options.group, count, options.folds);
    assignment = groupFolds(coded.codes, options.folds);
  }
  const groups = options.groups ?? inputs.map((c) => [c]);
  checkGroups(groups, inputs, spec.name);
  // A learner over written conditions (rules) cannot do without a column they name: nothing refits them.
  for (const c of options.candidates) {
    const learner = getLearner(c.learner);
    const parsed = learner.conditions === undefined ? undefined : learner.params.safeParse(c.params);
    if (parsed?.success !== true) continue;
    const read = new Set(learner.conditions!(parsed.data).flatMap((k) => conditionReads(k.if, `${c.learner}.${k.field}`)));
    const needed = groups.flat().find((g) => read.has(g));
    if (needed !== undefined) throw new HyperplaneError(`the run's ${c.learner} read '${needed}', and written conditions cannot be refitted without it: name groups without ${[...read].join(', ')} in --groups`);
  }
  // Each variant's recipe first: a recipe the pipeline cannot do without fails before any fitting.
  const notes: string[] = [];
  const recipes = new Map(groups.map((g) => [key(g), options.recipe === undefined ? undefined : recipeWithout(options.recipe, data.schema, spec.name, g, notes)]));
  const features = featureColumns(data.schema, spec.name);

  const objective = {
    scores: async (dropped: readonly string[], assignment: Int32Array): Promise<Float64Array> => {
      const gone = new Set(dropped);
      // A table and schema of their own: the fold and recipe caches are per table.
      const variant: Table = { nRows: table.nRows, columns: table.columns.filter((c) => !gone.has(c.name) || !features.has(c.name)) };
      const schema = data.schema.filter((c) => !gone.has(c.name) || !features.has(c.name));
      const recipe = dropped.length === 0 ? options.recipe : recipes.get(key(dropped));
      return outOfFold(variant, y, schema, spec, options.candidates.map(withoutColumnIndices), options.folds, {
        target: options.target,
        learner: options.candidates[0]?.learner ?? 'auto',
        evaluation: { kind: 'cv', folds: options.folds, ...(options.group !== undefined ? { group: options.group } : {}) },
        seed: options.seed,
        timeBudgetSeconds: Number.POSITIVE_INFINITY,
        ...(options.classWeight !== undefined ? { classWeight: options.classWeight } : {}),
        ...(recipe !== undefined ? { recipe } : {}),
      }, assignment);
    },
  };
  const result = await ablate(objective, { task: spec.task, labels: spec.labels ?? [], metric, y, folds: options.folds, seed: options.seed, groups, ...(assignment !== undefined ? { assignment } : {}), ...(options.onGroup !== undefined ? { onGroup: options.onGroup } : {}) });
  return { ...result, target: spec.name, notes };
}

const key = (group: readonly string[]): string => JSON.stringify(group);

function featureColumns(schema: readonly ColumnSchema[], target: string): Map<string, ColumnSchema> {
  return new Map(schema.filter((c) => c.name !== target && isFeatureType(c.type)).map((c) => [c.name, c]));
}

function outputColumns(output: Output): string[] {
  return output.kind === 'category' ? output.columns : [output.column];
}

/**
 * A packaged member's params name feature positions in its own recipe's matrix (categorical_features): without
 * a column they point elsewhere, so the fit sets them again from the new recipe.
 */
function withoutColumnIndices(candidate: Candidate): Candidate {
  const { categorical_features: _positions, ...params } = candidate.params;
  return { ...candidate, params };
}

/**
 * An explicit recipe without the dropped columns: named groups lose them, outputs that name one directly
 * (a column, a transform of it, a cartesian with it) are left out, and ALL_NUMERIC and the like cover what is left.
 */
export function recipeWithout(recipe: ExplicitRecipe, schema: readonly ColumnSchema[], target: string, dropped: readonly string[], notes: string[]): ExplicitRecipe {
  const gone = new Set(dropped);
  const all = featureColumns(schema, target);
  const left = new Map([...all].filter(([name]) => !gone.has(name)));
  const groups = Object.fromEntries(Object.entries(recipe.groups ?? {}).map(([name, columns]) => [name, columns.filter((c) => !gone.has(c))]));
  const outputs: string[] = [];
  let built = 0;
  recipe.outputs.forEach((source, i) => {
    const field = `recipe.outputs.${i}`;
    const read = parseOutput(source, field, all, recipe.groups ?? {}).flatMap(outputColumns);
    if (read.some((c) => gone.has(c)) && directlyNames(source, field, left, groups)) {
      notes.push(`without ${dropped.join(', ')}: the recipe's output '${source}' is left out`);
      return;
    }
    built += parseOutput(source, field, left, groups).length;
    outputs.push(source);
  });
  if (built === 0) throw new HyperplaneError(`the recipe reads nothing but ${dropped.join(', ')}: without ${dropped.length > 1 ? 'them' : 'it'} it has no features to build; name other groups in --groups`);
  return { outputs, groups };
}

/** Whether an output fails without the dropped columns: it names one itself, not through a group. */
function directlyNames(source: string, field: string, left: ReadonlyMap<string, ColumnSchema>, groups: Readonly<Record<string, readonly string[]>>): boolean {
  try {
    parseOutput(source, field, left, groups);
    return false;
  } catch (e) {
    if (e instanceof HyperplaneError) return true;
    throw e;
  }
}
