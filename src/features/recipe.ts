import type { ColumnSchema } from '../data/schema/schema.js';
import { isFeatureType } from '../data/schema/schema.js';
import type { Table } from '../data/table.js';
import { HyperplaneError } from '../errors.js';
import { allocateMatrix } from '../learn/matrix.js';
import type { Matrix } from '../learn/contract.js';
import { JsonInputs, TableInputs, type RowInputs } from './inputs.js';
import { hashTokens } from './text.js';

/**
 * Linear models want every feature complete, numeric and on one scale, and categories one-hot;
 * trees take missing values natively and split category codes directly.
 */
export type RecipeFamily = 'linear' | 'tree';

/** A fitted transform of one input column into one or more raw features. Plain data. */
export type Step =
  | { kind: 'number'; input: number }
  /** 1 for `positive`, 0 for the other label, missing otherwise. */
  | { kind: 'binary'; input: number; positive: string; negative: string }
  /** The level's index (most frequent first), levels.length for any other label; missing stays missing. */
  | { kind: 'codes'; input: number; levels: string[] }
  /** One 0/1 feature per level and one for any other label; all 0 when missing. */
  | { kind: 'one-hot'; input: number; levels: string[] }
  /** Year, month, day of week (0 = Monday), hour and days since 1970-01-01, in UTC. */
  | { kind: 'datetime'; input: number }
  /** Word and bigram counts hashed into `buckets`, times idf, scaled to unit length. */
  | { kind: 'hashing'; input: number; buckets: number; idf: number[] };

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
}

/** Category codes share one bin beyond 254 in the trees (binning.ts); more levels would merge there anyway. */
const MAX_TREE_LEVELS = 254;

function rawWidth(step: Step): number {
  switch (step.kind) {
    case 'number':
    case 'binary':
    case 'codes':
      return 1;
    case 'one-hot':
      return step.levels.length + 1;
    case 'datetime':
      return 5;
    case 'hashing':
      return step.buckets;
  }
}

const DAY_MS = 86_400_000;

/** Writes a step's raw features for the row in `inputs` at out[at …]. The only place a cell becomes a feature. */
function encodeStep(step: Step, inputs: RowInputs, out: Float64Array, at: number, lookup: Map<string, number> | undefined): void {
  switch (step.kind) {
    case 'number':
      out[at] = inputs.number(step.input);
      return;
    case 'binary': {
      const label = inputs.label(step.input);
      out[at] = label === null ? NaN : matchesLabel(label, step.positive) ? 1 : matchesLabel(label, step.negative) ? 0 : NaN;
      return;
    }
    case 'codes': {
      const label = inputs.label(step.input);
      out[at] = label === null ? NaN : (lookup!.get(label) ?? step.levels.length);
      return;
    }
    case 'one-hot': {
      const label = inputs.label(step.input);
      const width = step.levels.length + 1;
      for (let j = 0; j < width; j++) out[at + j] = 0;
      if (label !== null) out[at + (lookup!.get(label) ?? step.levels.length)] = 1;
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
      });
      let norm = 0;
      for (let j = 0; j < step.buckets; j++) {
        out[at + j]! *= step.idf[j]!;
        norm += out[at + j]! ** 2;
      }
      if (norm > 0) for (let j = 0, s = 1 / Math.sqrt(norm); j < step.buckets; j++) out[at + j]! *= s;
      return;
    }
  }
}

function matchesLabel(label: string, level: string): boolean {
  return label === level || label.toLowerCase() === level.toLowerCase();
}

/** A recipe ready to apply: label lookups built once, offsets computed once. */
export class FittedRecipe {
  readonly width: number;
  private readonly rawWidth: number;
  private readonly offsets: number[];
  private readonly lookups: (Map<string, number> | undefined)[];
  private readonly raw: Float64Array;

  constructor(readonly recipe: Recipe) {
    this.offsets = [];
    let at = 0;
    for (const step of recipe.steps) {
      this.offsets.push(at);
      at += rawWidth(step);
    }
    this.rawWidth = at;
    this.raw = new Float64Array(at);
    this.lookups = recipe.steps.map((s) => (s.kind === 'codes' || s.kind === 'one-hot' ? new Map(s.levels.map((l, i) => [l, i])) : undefined));
    this.width = recipe.features.length;
  }

  get inputNames(): string[] {
    return this.recipe.inputs.map((i) => i.name);
  }

  /** Features of the row in `inputs`, written to out[at … at + width). */
  encode(inputs: RowInputs, out: Float64Array, at: number): void {
    const { steps, finish } = this.recipe;
    const target = finish === undefined ? out : this.raw;
    const base = finish === undefined ? at : 0;
    for (let s = 0; s < steps.length; s++) encodeStep(steps[s]!, inputs, target, base + this.offsets[s]!, this.lookups[s]);
    if (finish === undefined) return;
    // Finished columns first (each followed by its indicator), then the pass-through ones in raw order.
    let o = at;
    const finished = new Uint8Array(this.rawWidth);
    for (const c of finish.columns) {
      const v = this.raw[c.raw]!;
      const missing = v !== v;
      out[o++] = ((missing ? c.median : v) - c.mean) / c.scale;
      if (c.indicator) out[o++] = missing ? 1 : 0;
      finished[c.raw] = 1;
    }
    for (let j = 0; j < this.rawWidth; j++) if (finished[j] === 0) out[o++] = this.raw[j]!;
  }

  /** The feature matrix of a table (rows on shared memory, ready for worker threads). */
  transformTable(table: Table, source?: string): Matrix {
    const inputs = new TableInputs(table, this.inputNames, source);
    const X = allocateMatrix(table.nRows, this.width);
    for (let i = 0; i < table.nRows; i++) {
      inputs.row = i;
      this.encode(inputs, X.data as Float64Array, i * this.width);
    }
    return X;
  }

  /** The features of one JSON row: the serving path, through the same `encode` as batches. */
  transformRow(row: Readonly<Record<string, unknown>>): Float64Array {
    const out = new Float64Array(this.width);
    this.encode(new JsonInputs(this.inputNames, row), out, 0);
    return out;
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

/**
 * Fits the default recipe for a learner family from the training table and its schema: numbers as
 * they are, binaries as 0/1, categories as codes (trees) or one-hot of the frequent levels (linear),
 * dates as their parts, text as hashed words and bigrams with idf (linear only, unless textBuckets is
 * given). For the linear family, missing values are imputed with medians, flagged, and everything is
 * standardized.
 */
export function fitRecipe(table: Table, schema: readonly ColumnSchema[], options: RecipeOptions): Recipe {
  const exclude = new Set(options.exclude ?? []);
  const linear = options.family === 'linear';
  const maxLevels = options.maxLevels ?? (linear ? 200 : MAX_TREE_LEVELS);
  const minCount = options.minLevelCount ?? (linear ? 2 : 1);
  const inputs: Recipe['inputs'] = [];
  const steps: Step[] = [];
  const names: string[][] = [];
  for (const col of schema) {
    if (exclude.has(col.name) || !isFeatureType(col.type)) continue;
    const input = inputs.length;
    inputs.push({ name: col.name, type: col.type });
    switch (col.type) {
      case 'numeric':
        steps.push({ kind: 'number', input });
        names.push([col.name]);
        break;
      case 'binary': {
        const levels = levelCounts(table, col.name).map(([l]) => l);
        const column = table.columns.find((c) => c.name === col.name)!;
        // The schema's order puts the "true" spelling last; otherwise the rarer label is positive.
        const ordered = column.kind === 'categorical' && column.dictionary.length === 2 ? [...column.dictionary] : levels.slice().reverse();
        steps.push({ kind: 'binary', input, negative: ordered[0] ?? '', positive: ordered[1] ?? ordered[0] ?? '' });
        names.push([col.name]);
        break;
      }
      case 'categorical': {
        const levels = levelCounts(table, col.name)
          .filter(([, n]) => n >= minCount)
          .slice(0, maxLevels)
          .map(([l]) => l);
        if (linear) {
          steps.push({ kind: 'one-hot', input, levels });
          names.push([...levels.map((l) => `${col.name}=${l}`), `${col.name}=(other)`]);
        } else {
          steps.push({ kind: 'codes', input, levels });
          names.push([col.name]);
        }
        break;
      }
      case 'datetime':
        steps.push({ kind: 'datetime', input });
        names.push(['year', 'month', 'weekday', 'hour', 'days'].map((p) => `${col.name}.${p}`));
        break;
      case 'text': {
        // Trees split hashed word counts poorly (each bucket mixes unrelated words); linear models
        // weigh them well. Trees leave text out unless told how many buckets to use.
        if (!linear && options.textBuckets === undefined) {
          inputs.pop();
          break;
        }
        const buckets = options.textBuckets ?? 256;
        steps.push({ kind: 'hashing', input, buckets, idf: textIdf(table, col.name, buckets) });
        names.push(Array.from({ length: buckets }, (_, b) => `${col.name}#${b}`));
        break;
      }
      default:
        break;
    }
  }
  if (steps.length === 0) throw new HyperplaneError('no feature columns left: every column is the target, excluded, an id or constant', { field: 'features' });
  const recipe: Recipe = { version: 1, family: options.family, inputs, steps, finish: undefined, features: names.flat(), categorical: [] };
  if (!linear) {
    let at = 0;
    steps.forEach((s, i) => {
      if (s.kind === 'codes') recipe.categorical.push(at);
      at += names[i]!.length;
    });
    return recipe;
  }
  recipe.finish = fitFinish(table, recipe, names);
  return recipe;
}

/** Inverse document frequency per bucket, smoothed as scikit-learn's TfidfTransformer: ln((1 + n) / (1 + df)) + 1. */
function textIdf(table: Table, name: string, buckets: number): number[] {
  const df = new Float64Array(buckets);
  const seen = new Uint8Array(buckets);
  const inputs = new TableInputs(table, [name]);
  const touched: number[] = [];
  for (let i = 0; i < table.nRows; i++) {
    inputs.row = i;
    const text = inputs.text(0);
    if (text === null) continue;
    hashTokens(text, buckets, (b) => {
      if (seen[b] === 0) {
        seen[b] = 1;
        touched.push(b);
      }
    });
    for (const b of touched) {
      df[b]!++;
      seen[b] = 0;
    }
    touched.length = 0;
  }
  return Array.from(df, (d) => Math.log((1 + table.nRows) / (1 + d)) + 1);
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
    const pass = step.kind === 'one-hot' || step.kind === 'hashing';
    for (let j = 0; j < w; j++) {
      if (pass) {
        passNames.push(rawNames[at + j]!);
        continue;
      }
      const present: number[] = [];
      for (let i = 0; i < n; i++) {
        const v = values[i * width + at + j]!;
        if (v === v) present.push(v);
      }
      present.sort((a, b) => a - b);
      const median = present.length === 0 ? 0 : present.length % 2 === 1 ? present[(present.length - 1) / 2]! : (present[present.length / 2 - 1]! + present[present.length / 2]!) / 2;
      let mean = 0;
      for (const v of present) mean += v;
      mean = n === 0 ? 0 : (mean + median * (n - present.length)) / n;
      let ss = 0;
      for (const v of present) ss += (v - mean) ** 2;
      ss += (n - present.length) * (median - mean) ** 2;
      const sd = Math.sqrt(ss / Math.max(1, n));
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
