import { z } from 'zod';
import { HyperplaneError } from '../errors.js';
import { SCHEMA_TYPES, type ColumnSchema } from '../data/schema/schema.js';
import { stepInputs, stepWidth, type Recipe } from '../features/recipe.js';
import { CompiledCondition } from '../features/condition.js';
import type { Model } from '../learn/contract.js';
import { rulesSchema } from '../learn/rules/rules-params.js';
import type { TargetSpec } from './pipeline.js';
import { ANOMALY_FLAGS } from './prediction.js';

/**
 * The package header's schema and the checks across its parts: a package is a file anyone can edit,
 * and one whose parts disagree (a recipe making 29 features for a model of 30, three labels for a
 * binary target) must fail on load, naming the part, never predict wrongly. Errors are plain strings;
 * package.ts adds the file and member.
 */

const finite = z.number().refine(Number.isFinite, 'expected a finite number');
const index = z.number().int().min(0);

const targetSchema = z
  .object({
    name: z.string().min(1),
    task: z.enum(['binary', 'multiclass', 'regression', 'anomaly', 'cluster']),
    labels: z.array(z.string()).optional(),
    threshold: finite.optional(),
    positive: z.string().optional(),
  });

const columnSchema = z.object({ name: z.string().min(1), type: z.enum(SCHEMA_TYPES), reason: z.string() });

const normalizeSchema = z.object({ lowercase: z.boolean().optional(), noPunct: z.boolean().optional() }).strict();
/** Bounds a step's width, so an edited package cannot ask for gigabytes per row. */
const MAX_WIDTH = 1 << 20;
const stepSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('number'), input: index, log: z.boolean().optional(), clip: z.tuple([z.number(), z.number()]).optional() }).strict(),
  z.object({ kind: z.literal('binary'), input: index, positive: z.string(), negative: z.string() }).strict(),
  z.object({ kind: z.literal('category'), inputs: z.array(index).min(1), levels: z.array(z.string()).max(MAX_WIDTH), oneHot: z.boolean(), normalize: normalizeSchema.optional() }).strict(),
  z.object({ kind: z.literal('quantile-bin'), input: index, cuts: z.array(z.number()).max(MAX_WIDTH), oneHot: z.boolean() }).strict(),
  z.object({ kind: z.literal('datetime'), input: index }).strict(),
  z
    .object({ kind: z.literal('hashing'), input: index, buckets: z.number().int().min(1).max(MAX_WIDTH), idf: z.array(finite), ngram: z.number().int().min(1).optional(), osb: z.number().int().min(1).optional() })
    .strict(),
  z
    .object({
      kind: z.literal('text-score'),
      input: index,
      buckets: z.number().int().min(1).max(MAX_WIDTH),
      idf: z.array(finite),
      weights: z.array(z.array(finite)).min(1).max(MAX_WIDTH),
      intercepts: z.array(finite),
    })
    .strict(),
  z.object({ kind: z.literal('condition'), if: z.string().min(1), inputs: z.array(index) }).strict(),
  z.object({ kind: z.literal('normalize-rows'), inputs: z.array(index).min(1).max(MAX_WIDTH), norm: z.enum(['L1', 'L2', 'MAX']), float32: z.boolean().optional() }).strict(),
]);

const recipeSchema = z
  .object({
    version: z.literal(1),
    family: z.enum(['linear', 'tree']),
    inputs: z.array(z.object({ name: z.string(), type: z.enum(SCHEMA_TYPES) }).strict()),
    steps: z.array(stepSchema),
    finish: z
      .object({ columns: z.array(z.object({ raw: index, median: finite, mean: finite, scale: finite.refine((s) => s !== 0, 'expected a non-zero scale'), indicator: z.boolean() }).strict()) })
      .strict()
      .optional(),
    features: z.array(z.string()),
    categorical: z.array(index),
  })
  .strict();

const weight = finite.min(0);
const modelMemberSchema = z.object({ recipe: recipeSchema, weight, model: z.object({ offset: index, length: index }).strict() }).strict();
const rulesMemberSchema = z.object({ rules: rulesSchema, weight }).strict();
/** A member is rules or a model; which is told by its keys, so an error names the field, not just "invalid". */
const memberSchema = z.unknown().superRefine((m, ctx) => {
  const rules = m !== null && typeof m === 'object' && 'rules' in m;
  const parsed = (rules ? rulesMemberSchema : modelMemberSchema).safeParse(m);
  for (const issue of parsed.error?.issues.slice(0, 1) ?? []) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
});

const infoSchema = z.looseObject({
  createdAt: z.string(),
  learner: z.string(),
  params: z.record(z.string(), z.unknown()),
  seed: z.number(),
  fingerprint: z.string(),
  source: z.string(),
  trainRows: z.number(),
  fit: z.object({ refit: z.boolean(), evaluatedRows: z.number(), why: z.string() }).optional(),
  metrics: z.record(z.string(), z.number().nullable()),
  evaluation: z.string(),
});

export const headerSchema = z.looseObject({
  package: z.number(),
  target: targetSchema,
  schema: z.array(columnSchema).min(1),
  members: z.array(memberSchema).min(1, 'expected at least one member'),
  info: infoSchema,
  // Training rows for interventional explanations; packages made before them have none.
  background: z.array(z.record(z.string(), z.union([z.string(), z.number(), z.null()]))).max(1000).optional(),
  // The monitoring reference (src/monitor/reference.ts); packages made before monitoring have none.
  monitor: z.looseObject({ version: z.literal(1), rows: z.number(), columns: z.record(z.string(), z.looseObject({ kind: z.enum(['numeric', 'categorical']), counts: z.array(z.number()) })), prediction: z.looseObject({ score: z.looseObject({ kind: z.literal('numeric') }) }) }).optional(),
});
export type PackageHeader = z.output<typeof headerSchema>;

/** The first zod issue as `members.0.recipe.steps.2.input: expected …`. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const path = issue.path.map(String).join('.');
  return `${path !== '' ? `${path}: ` : ''}${issue.message.replace(/^Invalid input: /, '')}`;
}

/** Target against itself: labels for classification, as many as the task has. */
export function checkTarget(target: TargetSpec): string | undefined {
  const labels = target.labels;
  if (target.task !== 'anomaly' && target.positive !== undefined) return `target.positive is for an anomaly model's labelled column; a ${target.task} target has none`;
  if (target.task === 'binary' && target.threshold !== undefined && !(target.threshold >= 0 && target.threshold <= 1)) return `target.threshold is ${target.threshold}; a binary target's is a probability, between 0 and 1`;
  if (target.task === 'anomaly') {
    if (labels !== undefined) return `target.labels has ${labels.length} labels; an anomaly target has none (it answers ${ANOMALY_FLAGS.join(' or ')})`;
    return target.threshold === undefined ? 'target.threshold is missing; an anomaly model flags the rows scored at or above it' : undefined;
  }
  if (target.task === 'cluster') return labels !== undefined || target.threshold !== undefined ? 'a cluster target has no labels and no threshold (its answers are cluster numbers)' : undefined;
  if (target.task === 'regression') return labels !== undefined && labels.length > 0 ? `target.labels has ${labels.length} labels; a regression target has none` : undefined;
  if (labels === undefined) return `target.labels is missing; a ${target.task} target needs its class labels`;
  if (target.task === 'binary' && labels.length !== 2) return `target.labels has ${labels.length} labels, expected 2 for a binary target`;
  if (target.task === 'multiclass' && labels.length < 2) return `target.labels has ${labels.length} labels, expected 2 or more`;
  if (new Set(labels).size !== labels.length) return 'target.labels repeats a label';
  return undefined;
}

/** Columns in a schema are named once each. */
export function checkSchema(schema: readonly ColumnSchema[]): string | undefined {
  const seen = new Set<string>();
  for (const c of schema) {
    if (seen.has(c.name)) return `schema names column '${c.name}' twice`;
    seen.add(c.name);
  }
  return undefined;
}

/** A recipe against the schema and itself: inputs the schema has, steps reading real inputs, as many feature names as it makes. */
export function checkRecipe(recipe: Recipe, schema: readonly ColumnSchema[]): string | undefined {
  const types = new Map(schema.map((c) => [c.name, c.type]));
  for (const [i, input] of recipe.inputs.entries()) {
    const type = types.get(input.name);
    if (type === undefined) return `recipe.inputs.${i} is column '${input.name}', which the package's schema lacks`;
    if (type !== input.type) return `recipe.inputs.${i}: column '${input.name}' is ${input.type} here but ${type} in the package's schema`;
  }
  let raw = 0;
  for (const [s, step] of recipe.steps.entries()) {
    for (const input of stepInputs(step)) {
      if (input >= recipe.inputs.length) return `recipe.steps.${s} reads input ${input}; the recipe has ${recipe.inputs.length} inputs`;
      // It divides numbers by their norm: a label has none.
      if (step.kind === 'normalize-rows' && recipe.inputs[input]!.type !== 'numeric') return `recipe.steps.${s} normalizes input ${input}, column '${recipe.inputs[input]!.name}', which is ${recipe.inputs[input]!.type}; only numeric columns can be normalized`;
    }
    if (step.kind === 'condition') {
      try {
        new CompiledCondition(step, recipe.inputs, `recipe.steps.${s}.if`);
      } catch (e) {
        return `recipe.steps.${s}.if: ${e instanceof HyperplaneError ? e.reason : String(e)}`;
      }
    }
    if ((step.kind === 'hashing' || step.kind === 'text-score') && step.idf.length !== step.buckets) return `recipe.steps.${s}.idf has ${step.idf.length} values, expected ${step.buckets} (one per bucket)`;
    if (step.kind === 'text-score') {
      const k = step.weights.findIndex((w) => w.length !== step.buckets);
      if (k >= 0) return `recipe.steps.${s}.weights.${k} has ${step.weights[k]!.length} values, expected ${step.buckets} (one per bucket)`;
      if (step.intercepts.length !== step.weights.length) return `recipe.steps.${s}.intercepts has ${step.intercepts.length} values, expected ${step.weights.length} (one per score)`;
    }
    raw += stepWidth(step);
  }
  let width = raw;
  if (recipe.finish !== undefined) {
    const finished = new Set<number>();
    for (const [j, c] of recipe.finish.columns.entries()) {
      if (c.raw >= raw || finished.has(c.raw)) return `recipe.finish.columns.${j}.raw is ${c.raw}; expected a feature below ${raw}, each once`;
      finished.add(c.raw);
    }
    width = raw + recipe.finish.columns.filter((c) => c.indicator).length;
  }
  if (recipe.features.length !== width) return `recipe.features has ${recipe.features.length} names, but its steps make ${width} features`;
  const bad = recipe.categorical.find((j) => j >= width);
  if (bad !== undefined) return `recipe.categorical names feature ${bad}; the recipe makes ${width}`;
  return undefined;
}

/** A member's model against its recipe and the target. */
export function checkMember(model: Model, recipe: Recipe, target: TargetSpec): string | undefined {
  if (model.task !== target.task) return `task is '${model.task}' but the package's target is ${target.task}`;
  if (model.nFeatures !== recipe.features.length) return `nFeatures is ${model.nFeatures} but its recipe makes ${recipe.features.length} features`;
  const classes = target.labels?.length ?? 1;
  if ((target.task === 'binary' || target.task === 'multiclass') && model.nClasses !== classes) return `nClasses is ${model.nClasses} but the target has ${classes} labels`;
  return undefined;
}
