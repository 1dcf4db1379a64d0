import type { ColumnSchema } from '../data/schema/schema.js';
import { isFeatureType } from '../data/schema/schema.js';
import type { Table } from '../data/table.js';
import { HyperplaneError } from '../errors.js';
import { sameLevel } from '../data/schema/values.js';
import { allocateMatrix } from '../learn/matrix.js';
import type { Matrix } from '../learn/contract.js';
import { JsonInputs, TableInputs, type RowInputs } from './inputs.js';
import { hashTokens } from './text.js';
import { parseOutput, type Output } from './explicit.js';
import { normalizeRows, type NormalizeRowsStep } from './normalize-rows.js';
import { encodeTextScore, fitTextScore, textScoreWidth, TEXT_SCORE_BUCKETS, type RecipeTarget, type TextScoreStep } from './text-score.js';
import { CompiledCondition, conditionColumns, type ConditionStep } from './condition.js';

/**
 * Linear models want every feature complete, numeric and on one scale, and categories one-hot;
 * trees take missing values natively and split category codes directly.
 */
export type RecipeFamily = 'linear' | 'tree';

/** A fitted transform of one input column into one or more raw features. Plain data. */
export type Step =
  /** The number; with `log`, ln(x) (missing unless x > 0); with `clip`, limited to [lo, hi]. */
  | { kind: 'number'; input: number; log?: boolean; clip?: [number, number] }
  /** 1 for `positive`, 0 for the other label, missing otherwise. */
  | { kind: 'binary'; input: number; positive: string; negative: string }
  /**
   * A category: its level's index (most frequent first; levels.length for any other label, missing
   * stays missing), or with `oneHot` a 0/1 feature per level and one for any other (all 0 when
   * missing). Several inputs: their labels crossed ("a|b"). `normalize` lowercases and/or strips
   * punctuation from labels first.
   */
  | { kind: 'category'; inputs: number[]; levels: string[]; oneHot: boolean; normalize?: Normalize }
  /** The quantile bin of a number (bin b holds cuts[b−1] < x ≤ cuts[b]): its index, or one-hot. */
  | { kind: 'quantile-bin'; input: number; cuts: number[]; oneHot: boolean }
  /** Year, month, day of week (0 = Monday), hour and days since 1970-01-01, in UTC. */
  | { kind: 'datetime'; input: number }
  /**
   * Lowercased words, their n-grams up to `ngram` words, and with `osb` orthogonal sparse bigrams
   * (each word with each of the next osb − 1, the gap marked), counts hashed into `buckets`, times idf,
   * scaled to unit length.
   */
  | { kind: 'hashing'; input: number; buckets: number; idf: number[]; ngram?: number; osb?: number }
  /** A linear model's score(s) of the text's hashed words (trees' default for text; see text-score.ts). */
  | TextScoreStep
  /** 1 where a condition on the raw columns holds, else 0 (see condition.ts). */
  | ConditionStep
  /** Numbers divided by the row's norm over them, as ONNX Runtime's Normalizer computes them (normalize-rows.ts). */
  | NormalizeRowsStep;


export interface Normalize {
  lowercase?: boolean;
  noPunct?: boolean;
}

/**
 * Linear family only: each raw feature that can be missing or unscaled is imputed with its training
 * median (with a 0/1 "was missing" feature after it when training data had missing values) and
 * standardized. Indices are raw feature positions; one-hot and hashed features pass through.
 */
export interface Finish {
  columns: { raw: number; median: number; mean: number; scale: number; indicator: boolean }[];
}

export interface Recipe {
  version: 1;
  family: RecipeFamily;
  /** Input columns, by name, with the schema type each was fitted as. */
  inputs: { name: string; type: ColumnSchema['type'] }[];
  steps: Step[];
  finish: Finish | undefined;
  /** Output feature names, in matrix column order. */
  features: string[];
  /** Output features holding category codes (for learners that split categories natively). */
  categorical: number[];
}

export interface RecipeOptions {
  family: RecipeFamily;
  /** Columns never used as features (the target, ids named by the user). */
  exclude?: readonly string[];
  /** One-hot: at most this many levels per column (most frequent first)… */
  maxLevels?: number;
  /** …each seen at least this many times; the rest share "other". */
  minLevelCount?: number;
  /** Hash buckets per text column. */
  textBuckets?: number;
  /** An explicit recipe: the outputs to build, e.g. "quantile_bin(age, 10)", "cartesian(country, plan)", "ALL_NUMERIC". */
  outputs?: readonly string[];
  /** Named groups of columns the outputs may use. */
  groups?: Readonly<Record<string, readonly string[]>>;
  /**
   * The encoded target of the table's rows. With it, trees read each text column as a text score
   * (text-score.ts); without it (nothing to score against), they leave text out.
   */
  target?: RecipeTarget;
  /**
   * Conditions on the raw columns, each one 0/1 feature, instead of the columns' encodings: what a learner
   * over written conditions reads (`Learner.conditions`). `field` is where an error in one points.
   */
  conditions?: readonly { if: string; field: string }[];
}

/** Category codes share one bin beyond 254 in the trees (binning.ts); more levels would merge there anyway. */
const MAX_TREE_LEVELS = 254;

/** Features a step writes before the recipe's finish (package-check.ts checks a package's layout with it). */
export function stepWidth(step: Step): number {
  switch (step.kind) {
    case 'number':
    case 'binary':
      return 1;
    case 'category':
      return step.oneHot ? step.levels.length + 1 : 1;
    case 'quantile-bin':
      return step.oneHot ? step.cuts.length + 1 : 1;
    case 'datetime':
      return 5;
    case 'hashing':
      return step.buckets;
    case 'text-score':
      return textScoreWidth(step);
    case 'condition':
      return 1;
    case 'normalize-rows':
      return step.inputs.length;
  }
}

/** The input columns (indices into recipe.inputs) a step reads. */
export function stepInputs(step: Step): number[] {
  return step.kind === 'category' || step.kind === 'condition' || step.kind === 'normalize-rows' ? step.inputs : [step.input];
}

const DAY_MS = 86_400_000;

/** Writes a step's raw features for the row in `inputs` at out[at …]. The only place a cell becomes a feature. */
function encodeStep(step: Step, inputs: RowInputs, out: Float64Array, at: number, lookup: Map<string, number> | undefined, condition: CompiledCondition | undefined): void {
  switch (step.kind) {
    case 'number': {
      let v = inputs.number(step.input);
      if (step.log === true) v = v > 0 ? Math.log(v) : NaN;
      if (step.clip !== undefined && v === v) v = v < step.clip[0] ? step.clip[0] : v > step.clip[1] ? step.clip[1] : v;
      out[at] = v;
      return;
    }
    case 'binary': {
      const label = inputs.label(step.input);
      out[at] = label === null ? NaN : matchesLabel(label, step.positive) ? 1 : matchesLabel(label, step.negative) ? 0 : NaN;
      return;
    }
    case 'category': {
      const label = categoryLabel(step, inputs);
      if (!step.oneHot) {
        out[at] = label === null ? NaN : (lookup!.get(label) ?? step.levels.length);
        return;
      }
      const width = step.levels.length + 1;
      for (let j = 0; j < width; j++) out[at + j] = 0;
      if (label !== null) out[at + (lookup!.get(label) ?? step.levels.length)] = 1;
      return;
    }
    case 'quantile-bin': {
      const v = inputs.number(step.input);
      let bin = 0;
      if (v === v) while (bin < step.cuts.length && v > step.cuts[bin]!) bin++;
      if (!step.oneHot) {
        out[at] = v !== v ? NaN : bin;
        return;
      }
      for (let j = 0; j <= step.cuts.length; j++) out[at + j] = 0;
      if (v === v) out[at + bin] = 1;
      return;
    }
    case 'datetime': {
      const ms = inputs.time(step.input);
      if (ms !== ms) {
        for (let j = 0; j < 5; j++) out[at + j] = NaN;
        return;
      }
      const date = new Date(ms);
      out[at] = date.getUTCFullYear();
      out[at + 1] = date.getUTCMonth() + 1;
      out[at + 2] = (date.getUTCDay() + 6) % 7;
      out[at + 3] = date.getUTCHours();
      out[at + 4] = Math.floor(ms / DAY_MS);
      return;
    }
    case 'hashing': {
      for (let j = 0; j < step.buckets; j++) out[at + j] = 0;
      const text = inputs.text(step.input);
      if (text === null) return;
      hashTokens(text, step.buckets, (b) => {
        out[at + b]!++;
      }, step.ngram, step.osb);
      let norm = 0;
      for (let j = 0; j < step.buckets; j++) {
        out[at + j]! *= step.idf[j]!;
        norm += out[at + j]! ** 2;
      }
      if (norm > 0) for (let j = 0, s = 1 / Math.sqrt(norm); j < step.buckets; j++) out[at + j]! *= s;
      return;
    }
    case 'text-score':
      encodeTextScore(step, inputs, out, at);
      return;
    case 'condition':
      out[at] = condition!.holds(inputs) ? 1 : 0;
      return;
    case 'normalize-rows':
      normalizeRows(step, inputs, out, at);
      return;
  }
}


const PUNCTUATION = /[^\p{L}\p{N}\s]/gu;

export function normalizeLabel(label: string, normalize: Normalize | undefined): string {
  if (normalize === undefined) return label;
  let s = label;
  if (normalize.noPunct === true) s = s.replace(PUNCTUATION, '');
  if (normalize.lowercase === true) s = s.toLowerCase();
  return s;
}

/** A category step's label for the row: one input's, or several crossed with '|'; null when any is missing. */
function categoryLabel(step: Extract<Step, { kind: 'category' }>, inputs: RowInputs): string | null {
  if (step.inputs.length === 1) {
    const label = inputs.label(step.inputs[0]!);
    return label === null ? null : normalizeLabel(label, step.normalize);
  }
  const parts: string[] = [];
  for (const k of step.inputs) {
    const label = inputs.label(k);
    if (label === null) return null;
    parts.push(normalizeLabel(label, step.normalize));
  }
  return parts.join('|');
}

function matchesLabel(label: string, level: string): boolean {
  return sameLevel(label, level);
}

/** A recipe ready to apply: label lookups built once, offsets computed once. */
export class FittedRecipe {
  readonly width: number;
  private readonly rawWidth: number;
  private readonly offsets: number[];
  private readonly lookups: (Map<string, number> | undefined)[];
  private readonly conditions: (CompiledCondition | undefined)[];
  private readonly raw: Float64Array;
  private readonly names: readonly string[];
  /** One reader for JSON rows, pointed at each row in turn (a request's rows are encoded one after another). */
  private readonly json: JsonInputs;

  constructor(readonly recipe: Recipe) {
    this.names = recipe.inputs.map((i) => i.name);
    this.json = new JsonInputs(this.names, {});
    this.offsets = [];
    let at = 0;
    for (const step of recipe.steps) {
      this.offsets.push(at);
      at += stepWidth(step);
    }
    this.rawWidth = at;
    this.raw = new Float64Array(at);
    this.lookups = recipe.steps.map((s) => (s.kind === 'category' ? new Map(s.levels.map((l, i) => [l, i])) : undefined));
    this.conditions = recipe.steps.map((s, i) => (s.kind === 'condition' ? new CompiledCondition(s, recipe.inputs, `recipe.steps.${i}.if`) : undefined));
    this.width = recipe.features.length;
  }

  get inputNames(): string[] {
    return [...this.names];
  }

  /** For each output feature, the input columns (indices into recipe.inputs) it is made from. */
  featureInputs(): number[][] {
    const { steps, finish } = this.recipe;
    const raw: number[][] = [];
    steps.forEach((step) => {
      const from = stepInputs(step);
      for (let j = 0; j < stepWidth(step); j++) raw.push(from);
    });
    if (finish === undefined) return raw;
    const out: number[][] = [];
    const finished = new Set<number>();
    for (const c of finish.columns) {
      out.push(raw[c.raw]!);
      if (c.indicator) out.push(raw[c.raw]!);
      finished.add(c.raw);
    }
    raw.forEach((inputs, j) => {
      if (!finished.has(j)) out.push(inputs);
    });
    return out;
  }

  /** Features of the row in `inputs`, written to out[at … at + width). */
  encode(inputs: RowInputs, out: Float64Array, at: number, skip?: Uint8Array): void {
    const { steps, finish } = this.recipe;
    const target = finish === undefined ? out : this.raw;
    const base = finish === undefined ? at : 0;
    for (let s = 0; s < steps.length; s++) if (skip?.[s] !== 1) encodeStep(steps[s]!, inputs, target, base + this.offsets[s]!, this.lookups[s], this.conditions[s]);
    if (finish === undefined) return;
    // Finished columns first (each followed by its indicator), then the pass-through ones in raw order.
    let o = at;
    const finished = new Uint8Array(this.rawWidth);
    for (const c of finish.columns) {
      const v = this.raw[c.raw]!;
      const missing = v !== v;
      const z = ((missing ? c.median : v) - c.mean) / c.scale;
      // The difference overflows only for values near ±1.8e308 on opposite sides of the mean.
      out[o++] = Number.isFinite(z) ? z : (missing ? c.median : v) / c.scale - c.mean / c.scale;
      if (c.indicator) out[o++] = missing ? 1 : 0;
      finished[c.raw] = 1;
    }
    for (let j = 0; j < this.rawWidth; j++) if (finished[j] === 0) out[o++] = this.raw[j]!;
  }

  /** The feature matrix of a table (rows on shared memory, ready for worker threads). */
  transformTable(table: Table, source?: string): Matrix {
    const inputs = new TableInputs(table, this.inputNames, source);
    const X = allocateMatrix(table.nRows, this.width);
    const data = X.data as Float64Array;
    // Plain numbers from numeric columns are copied a column at a time: encodeStep would write exactly
    // column.values[row] (the serving path still goes through it), and a call per cell cost most of a
    // wide batch's transform. Only without a finish, whose imputation needs the row's raw features.
    const skip = new Uint8Array(this.recipe.steps.length);
    const copies: { values: Float64Array; at: number }[] = [];
    if (this.recipe.finish === undefined) {
      this.recipe.steps.forEach((step, s) => {
        if (step.kind !== 'number' || step.log === true || step.clip !== undefined) return;
        const column = table.columns.find((c) => c.name === this.recipe.inputs[step.input]!.name);
        if (column?.kind !== 'numeric') return;
        skip[s] = 1;
        copies.push({ values: column.values, at: this.offsets[s]! });
      });
    }
    // Copied in blocks of rows, every column per block, so the block of the row-major matrix stays in
    // cache: a whole column at a time strides through all of it once per column.
    const w = this.width;
    for (let start = 0; start < table.nRows; start += 1024) {
      const end = Math.min(start + 1024, table.nRows);
      for (const { values, at } of copies) for (let i = start; i < end; i++) data[i * w + at] = values[i]!;
    }
    const rest = skip.includes(0);
    for (let i = 0; rest && i < table.nRows; i++) {
      inputs.row = i;
      this.encode(inputs, data, i * this.width, skip);
    }
    return X;
  }

  /** The features of one JSON row: the serving path, through the same `encode` as batches. */
  transformRow(row: Readonly<Record<string, unknown>>): Float64Array {
    const out = new Float64Array(this.width);
    this.transformRowInto(row, out, 0);
    return out;
  }

  /** Features of a JSON row written to out[at … at + width): the serving path, with nothing allocated per row. */
  transformRowInto(row: Readonly<Record<string, unknown>>, out: Float64Array, at: number): void {
    this.json.row = row;
    this.encode(this.json, out, at);
  }
}

/** Level counts of a categorical column, most frequent first (ties by first appearance). */
function levelCounts(table: Table, name: string): [string, number][] {
  const column = table.columns.find((c) => c.name === name)!;
  const counts = new Map<string, number>();
  const inputs = new TableInputs(table, [name]);
  if (column.kind === 'categorical') {
    const byCode = new Float64Array(column.dictionary.length);
    for (let i = 0; i < table.nRows; i++) if (column.codes[i]! >= 0) byCode[column.codes[i]!]!++;
    column.dictionary.forEach((label, code) => byCode[code]! > 0 && counts.set(label, byCode[code]!));
  } else {
    for (let i = 0; i < table.nRows; i++) {
      inputs.row = i;
      const label = inputs.label(0);
      if (label !== null) counts.set(label, (counts.get(label) ?? 0) + 1);
    }
  }
  return [...counts].sort((a, b) => b[1] - a[1]);
}

/** A recipe under construction: inputs are added as steps first read them. */
class RecipeBuilder {
  readonly inputs: Recipe['inputs'] = [];
  readonly steps: Step[] = [];
  readonly names: string[][] = [];
  /** Out-of-fold features of the training rows, by step index (n × the step's width): what the training matrix holds instead of the step's own output. */
  readonly outOfFold = new Map<number, Float64Array>();
  constructor(private readonly schema: readonly ColumnSchema[]) {}

  input(name: string): number {
    const at = this.inputs.findIndex((i) => i.name === name);
    if (at >= 0) return at;
    this.inputs.push({ name, type: this.schema.find((c) => c.name === name)!.type });
    return this.inputs.length - 1;
  }

  add(step: Step, names: string[]): void {
    this.steps.push(step);
    this.names.push(names);
  }
}

interface FitContext {
  table: Table;
  linear: boolean;
  maxLevels: number;
  minCount: number;
  options: RecipeOptions;
}

function frequentLevels(ctx: FitContext, counts: [string, number][]): string[] {
  return counts
    .filter(([, n]) => n >= ctx.minCount)
    .slice(0, ctx.maxLevels)
    .map(([l]) => l);
}

function categoryStep(b: RecipeBuilder, ctx: FitContext, columns: string[], normalize?: Normalize): void {
  const inputs = columns.map((c) => b.input(c));
  const step: Extract<Step, { kind: 'category' }> = { kind: 'category', inputs, levels: [], oneHot: ctx.linear, ...(normalize !== undefined ? { normalize } : {}) };
  // Level counts through the step's own label function, so crosses and normalized labels count right.
  const table = new TableInputs(ctx.table, b.inputs.map((i) => i.name));
  const counts = new Map<string, number>();
  for (let i = 0; i < ctx.table.nRows; i++) {
    table.row = i;
    const label = categoryLabel(step, table);
    if (label !== null) counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  step.levels = frequentLevels(ctx, [...counts].sort((x, y) => y[1] - x[1]));
  const name = columns.length === 1 ? (normalize === undefined ? columns[0]! : `${normalize.noPunct === true ? 'no_punct' : 'lowercase'}(${columns[0]!})`) : `cartesian(${columns.join(', ')})`;
  b.add(step, step.oneHot ? [...step.levels.map((l) => `${name}=${l}`), `${name}=(other)`] : [name]);
}

function textStep(b: RecipeBuilder, ctx: FitContext, column: string, ngram: number, osb: number): void {
  const buckets = ctx.options.textBuckets ?? (ctx.linear ? 256 : 64);
  const input = b.input(column);
  b.add({ kind: 'hashing', input, buckets, idf: textIdf(ctx.table, column, buckets, ngram, osb), ...(ngram !== 2 ? { ngram } : {}), ...(osb > 0 ? { osb } : {}) }, Array.from({ length: buckets }, (_, k) => `${column}#${k}`));
}

function textScoreStep(b: RecipeBuilder, ctx: FitContext, column: string, target: RecipeTarget): void {
  const input = b.input(column);
  const { step, oof } = fitTextScore(ctx.table, column, input, target, textIdf(ctx.table, column, TEXT_SCORE_BUCKETS));
  const names = step.weights.length === 1 ? [`score(${column})`] : (target.labels ?? step.weights.map((_, k) => String(k))).map((l) => `score(${column})=${l}`);
  b.outOfFold.set(b.steps.length, oof);
  b.add(step, names);
}

/** The default transform of a column by its schema type and the family. */
function defaultSteps(b: RecipeBuilder, ctx: FitContext, col: ColumnSchema, explicit: boolean): void {
  switch (col.type) {
    case 'numeric':
      b.add({ kind: 'number', input: b.input(col.name) }, [col.name]);
      return;
    case 'binary': {
      const levels = levelCounts(ctx.table, col.name).map(([l]) => l);
      const column = ctx.table.columns.find((c) => c.name === col.name)!;
      // The schema's order puts the "true" spelling last; otherwise the rarer label is positive.
      const ordered = column.kind === 'categorical' && column.dictionary.length === 2 ? [...column.dictionary] : levels.slice().reverse();
      b.add({ kind: 'binary', input: b.input(col.name), negative: ordered[0] ?? '', positive: ordered[1] ?? ordered[0] ?? '' }, [col.name]);
      return;
    }
    case 'categorical':
      categoryStep(b, ctx, [col.name]);
      return;
    case 'datetime':
      b.add({ kind: 'datetime', input: b.input(col.name) }, ['year', 'month', 'weekday', 'hour', 'days'].map((p) => `${col.name}.${p}`));
      return;
    case 'text':
      // Trees split hashed word counts poorly (each bucket mixes unrelated words; 256 buckets by default
      // cost movies' r2 0.63 → 0.57 and doubled auto's time); linear models weigh them well. Trees read a
      // linear model's score of the words instead, when there is a target to score against.
      if (!ctx.linear && ctx.options.textBuckets === undefined && ctx.options.target !== undefined) textScoreStep(b, ctx, col.name, ctx.options.target);
      else if (ctx.linear || explicit || ctx.options.textBuckets !== undefined) textStep(b, ctx, col.name, 2, 0);
      return;
    default:
      return;
  }
}

/**
 * Fits a recipe for a learner family from the training table and its schema. By default every feature
 * column gets its type's transform: numbers as they are, binaries as 0/1, categories as codes (trees) or
 * one-hot of the frequent levels (linear), dates as their parts, text as hashed words and bigrams with
 * idf (linear only, unless textBuckets is given). `outputs` (explicit recipes, in the spirit of Amazon
 * ML's) names columns, groups and transforms instead — see explicit.ts. For the linear family, missing
 * values are then imputed with medians, flagged, and everything is standardized.
 */
export function fitRecipe(table: Table, schema: readonly ColumnSchema[], options: RecipeOptions): Recipe {
  return fitRecipeAndBuilder(table, schema, options).recipe;
}

/**
 * Fits a recipe and returns it with the training table's feature matrix. The same as transforming the
 * table with the fitted recipe, except that supervised steps (text scores) hold their out-of-fold
 * values: a model trained on its own rows' in-sample scores would see their targets through them.
 */
export function fitTrainingRecipe(table: Table, schema: readonly ColumnSchema[], options: RecipeOptions): { recipe: Recipe; X: Matrix } {
  const { recipe, builder } = fitRecipeAndBuilder(table, schema, options);
  const fitted = new FittedRecipe(recipe);
  const X = fitted.transformTable(table);
  if (builder.outOfFold.size === 0) return { recipe, X };
  // Only tree recipes have supervised steps, and they have no finish: a step's features sit at its offset.
  if (recipe.finish !== undefined) throw new Error('out-of-fold features in a recipe with a finish');
  const data = X.data;
  let at = 0;
  recipe.steps.forEach((step, s) => {
    const width = stepWidth(step);
    const oof = builder.outOfFold.get(s);
    if (oof !== undefined) for (let i = 0; i < table.nRows; i++) for (let k = 0; k < width; k++) data[i * fitted.width + at + k] = oof[i * width + k]!;
    at += width;
  });
  return { recipe, X };
}

/**
 * The recipe of a learner over written conditions (`Learner.conditions`): each condition one 0/1 feature,
 * reading the raw columns it names. It needs no data: nothing is fitted. `target` and `exclude` are columns
 * a condition may not read (it could not run on new data).
 */
export function conditionsRecipe(schema: readonly ColumnSchema[], conditions: readonly { if: string; field: string }[], options: { family?: RecipeFamily; exclude?: readonly string[]; target?: string } = {}): Recipe {
  const b = new RecipeBuilder(schema);
  const exclude = new Set(options.exclude ?? []);
  for (const { if: source, field } of conditions) {
    const inputs = conditionColumns(source, field, schema, exclude, options.target).map((name) => b.input(name));
    b.add({ kind: 'condition', if: source, inputs }, [source]);
  }
  return { version: 1, family: options.family ?? 'tree', inputs: b.inputs, steps: b.steps, finish: undefined, features: b.names.flat(), categorical: [] };
}

function fitRecipeAndBuilder(table: Table, schema: readonly ColumnSchema[], options: RecipeOptions): { recipe: Recipe; builder: RecipeBuilder } {
  if (options.conditions !== undefined) {
    const recipe = conditionsRecipe(schema, options.conditions, { family: options.family, ...(options.exclude !== undefined ? { exclude: options.exclude } : {}), ...(options.target?.name !== undefined ? { target: options.target.name } : {}) });
    return { recipe, builder: new RecipeBuilder(schema) };
  }
  const exclude = new Set(options.exclude ?? []);
  const linear = options.family === 'linear';
  const ctx: FitContext = { table, linear, maxLevels: options.maxLevels ?? (linear ? 200 : MAX_TREE_LEVELS), minCount: options.minLevelCount ?? (linear ? 2 : 1), options };
  const features = schema.filter((c) => !exclude.has(c.name) && isFeatureType(c.type));
  const b = new RecipeBuilder(schema);
  if (options.outputs === undefined) for (const col of features) defaultSteps(b, ctx, col, false);
  else {
    const columns = new Map(features.map((c) => [c.name, c]));
    options.outputs.forEach((source, i) => {
      for (const output of parseOutput(source, `recipe.outputs.${i}`, columns, options.groups ?? {})) applyOutput(b, ctx, output, columns);
    });
  }
  if (b.steps.length === 0) throw new HyperplaneError('no feature columns left: every column is the target, excluded, an id or constant', { field: 'features' });
  const recipe: Recipe = { version: 1, family: options.family, inputs: b.inputs, steps: b.steps, finish: undefined, features: b.names.flat(), categorical: [] };
  if (!linear) {
    let at = 0;
    b.steps.forEach((step, i) => {
      if (step.kind === 'category') recipe.categorical.push(at);
      at += b.names[i]!.length;
    });
    return { recipe, builder: b };
  }
  recipe.finish = fitFinish(table, recipe, b.names);
  return { recipe, builder: b };
}

/** Steps for one parsed output of an explicit recipe. */
function applyOutput(b: RecipeBuilder, ctx: FitContext, output: Output, columns: Map<string, ColumnSchema>): void {
  switch (output.kind) {
    case 'column':
      defaultSteps(b, ctx, columns.get(output.column)!, true);
      return;
    case 'number': {
      const input = b.input(output.column);
      const name = output.clip !== undefined ? `clip(${output.log === true ? `log(${output.column})` : output.column}, ${output.clip[0]}, ${output.clip[1]})` : `log(${output.column})`;
      b.add({ kind: 'number', input, ...(output.log === true ? { log: true } : {}), ...(output.clip !== undefined ? { clip: output.clip } : {}) }, [name]);
      return;
    }
    case 'quantile-bin': {
      const input = b.input(output.column);
      const values: number[] = [];
      const inputs = new TableInputs(ctx.table, [output.column]);
      for (let i = 0; i < ctx.table.nRows; i++) {
        inputs.row = i;
        const v = inputs.number(0);
        if (v === v) values.push(v);
      }
      values.sort((x, y) => x - y);
      const cuts: number[] = [];
      for (let q = 1; q < output.bins; q++) {
        const v = values[Math.min(values.length - 1, Math.floor((q * values.length) / output.bins))];
        if (v !== undefined && (cuts.length === 0 || v > cuts[cuts.length - 1]!)) cuts.push(v);
      }
      const name = `quantile_bin(${output.column}, ${output.bins})`;
      b.add({ kind: 'quantile-bin', input, cuts, oneHot: ctx.linear }, ctx.linear ? Array.from({ length: cuts.length + 1 }, (_, k) => `${name}=${k}`) : [name]);
      return;
    }
    case 'category':
      categoryStep(b, ctx, output.columns, output.normalize);
      return;
    case 'text':
      textStep(b, ctx, output.column, output.ngram, output.osb);
      return;
  }
}

/** Inverse document frequency per bucket, smoothed as scikit-learn's TfidfTransformer: ln((1 + n) / (1 + df)) + 1. */
function textIdf(table: Table, name: string, buckets: number, ngram = 2, osb = 0): number[] {
  const df = new Float64Array(buckets);
  const seen = new Uint8Array(buckets);
  const inputs = new TableInputs(table, [name]);
  const touched: number[] = [];
  for (let i = 0; i < table.nRows; i++) {
    inputs.row = i;
    const text = inputs.text(0);
    if (text === null) continue;
    hashTokens(
      text,
      buckets,
      (b) => {
        if (seen[b] === 0) {
          seen[b] = 1;
          touched.push(b);
        }
      },
      ngram,
      osb,
    );
    for (const b of touched) {
      df[b]!++;
      seen[b] = 0;
    }
    touched.length = 0;
  }
  return Array.from(df, (d) => Math.log((1 + table.nRows) / (1 + d)) + 1);
}

function midpoint(a: number, b: number): number {
  const m = (a + b) / 2;
  return Number.isFinite(m) ? m : a / 2 + b / 2;
}

/**
 * Mean and (population) sd of `present` with the missing rows filled by `fill`. Features near
 * ±1e308 overflow the sums and squares (auto then failed with "impute it first"): those are computed
 * again on values divided by the largest magnitude. Dividing by 1 is exact, so others are unchanged.
 */
function meanAndSd(present: Float64Array, fill: number, n: number): { mean: number; sd: number } {
  const plain = moments(present, fill, n, 1);
  if (Number.isFinite(plain.mean) && Number.isFinite(plain.sd)) return plain;
  let big = Math.abs(fill);
  for (const v of present) big = Math.max(big, Math.abs(v));
  const scaled = moments(present, fill, n, big);
  return { mean: scaled.mean * big, sd: scaled.sd * big };
}

function moments(present: Float64Array, fill: number, n: number, by: number): { mean: number; sd: number } {
  let mean = 0;
  for (const v of present) mean += v / by;
  mean = n === 0 ? 0 : (mean + (fill / by) * (n - present.length)) / n;
  let ss = 0;
  for (const v of present) ss += (v / by - mean) ** 2;
  ss += (n - present.length) * (fill / by - mean) ** 2;
  return { mean, sd: Math.sqrt(ss / Math.max(1, n)) };
}

/** Medians, means and scales of the raw numeric features, from the training rows. */
function fitFinish(table: Table, recipe: Recipe, names: string[][]): Finish {
  const raw = new FittedRecipe(recipe);
  const rawNames = names.flat();
  const width = rawNames.length;
  const columns: Finish['columns'] = [];
  const finishedNames: string[] = [];
  const passNames: string[] = [];
  const inputs = new TableInputs(table, raw.inputNames);
  const n = table.nRows;
  const values = new Float64Array(n * width);
  for (let i = 0; i < n; i++) {
    inputs.row = i;
    raw.encode(inputs, values, i * width);
  }
  let at = 0;
  recipe.steps.forEach((step, s) => {
    const w = names[s]!.length;
    const pass = step.kind === 'hashing' || ((step.kind === 'category' || step.kind === 'quantile-bin') && step.oneHot);
    for (let j = 0; j < w; j++) {
      if (pass) {
        passNames.push(rawNames[at + j]!);
        continue;
      }
      let m = 0;
      const column = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i * width + at + j]!;
        if (v === v) column[m++] = v;
      }
      // A typed sort: numeric, and far faster than an array sort with a comparator on a million values.
      const present = column.subarray(0, m).sort();
      const median = present.length === 0 ? 0 : present.length % 2 === 1 ? present[(present.length - 1) / 2]! : midpoint(present[present.length / 2 - 1]!, present[present.length / 2]!);
      const { mean, sd } = meanAndSd(present, median, n);
      const indicator = present.length < n;
      columns.push({ raw: at + j, median, mean, scale: sd > 0 ? sd : 1, indicator });
      finishedNames.push(rawNames[at + j]!);
      if (indicator) finishedNames.push(`${rawNames[at + j]!}.missing`);
    }
    at += w;
  });
  recipe.features = [...finishedNames, ...passNames];
  return { columns };
}
