import type { Table } from '../data/table.js';
import { FittedRecipe } from '../features/recipe.js';
import type { Contributions, Matrix } from '../learn/contract.js';
import { explain, getPredictor } from '../learn/predictors.js';
import { type ModelMember, type Pipeline } from '../pipeline/pipeline.js';
import { HyperplaneError } from '../errors.js';

/**
 * A pipeline's predictions explained by input column: each column's additive contribution to each row's
 * margin (log-odds for binary classification, per-class margins for multiclass, the value for
 * regression), n × outputs × columns, beside the base and the margin.
 *
 * A column's contribution is the sum of its features' (its one-hot levels, missing indicator, date
 * parts, text hashes): a user sees `plan`, never `plan=pro`, as shap's maintainers advise (shap#397). A
 * feature made from several columns (a crossed category) is shared equally among them.
 */
export interface Explained {
  columns: readonly string[];
  n: number;
  outputs: number;
  link: Contributions['link'];
  /** Per output. */
  base: Float64Array;
  /** n × outputs × columns. */
  values: Float64Array;
  /** n × outputs: base + Σ values; for an ensemble, the blend's own margin. */
  margin: Float64Array;
  /**
   * Ensembles only: per row, the blend's own margin (for the explained output) minus base + Σ values once
   * the members' averaged contributions are scaled to it (see fitToBlend): 0 but for rows whose
   * contributions sum to nearly nothing. 0 for a single model.
   */
  additivityError: Float64Array;
  /** Whether several models are blended. */
  ensemble: boolean;
}

interface Part {
  member: ModelMember;
  recipe: FittedRecipe;
  /** For each matrix feature, the columns (indices into `columns`) it is made from. */
  featureColumns: number[][];
  weight: number;
}

/** How contributions are measured: path-dependent TreeSHAP, or against the package's background rows. */
export type ExplainMethod = 'path-dependent' | 'interventional';

/** JSON rows through a member's recipe. */
function matrixOf(recipe: FittedRecipe, rows: readonly Readonly<Record<string, unknown>>[]): Matrix {
  const data = new Float64Array(rows.length * recipe.width);
  for (let i = 0; i < rows.length; i++) recipe.transformRowInto(rows[i]!, data, i * recipe.width);
  return { data, n: rows.length, d: recipe.width };
}

/** Why a pipeline cannot be explained, or undefined when it can. */
export function cannotExplain(pipeline: Pipeline): string | undefined {
  for (const m of pipeline.spec.members) {
    if (getPredictor(m.model.kind).firedRules !== undefined) return `a ${m.model.kind} model is explained by the rule that fired, not by contributions`;
    if (m.model.task === 'anomaly') return `${m.model.kind} models cannot explain their anomaly scores yet`;
    if (getPredictor(m.model.kind).explain === undefined) return `a ${m.model.kind} model cannot explain its predictions`;
  }
  return undefined;
}

export class Explainer {
  readonly columns: readonly string[];
  private readonly parts: Part[];
  /** Interventional: each member's background matrix (the package's background rows through its recipe). */
  private readonly backgrounds: (Matrix | undefined)[];

  /** Throws a HyperplaneError saying why when the pipeline cannot be explained. */
  /**
   * Path-dependent by default (TreeSHAP weighs unseen branches by their training cover); `interventional`
   * measures each row against the package's background rows instead, like shap's
   * feature_perturbation="interventional" (linear models measure against the training mean either way).
   */
  constructor(
    private readonly pipeline: Pipeline,
    readonly method: ExplainMethod = 'path-dependent',
  ) {
    const why = cannotExplain(pipeline);
    if (why !== undefined) throw new HyperplaneError(`this model cannot explain its predictions: ${why}`);
    this.columns = pipeline.inputColumns;
    const at = new Map(this.columns.map((c, i) => [c, i]));
    const members = pipeline.spec.members as ModelMember[];
    const total = members.reduce((s, m) => s + m.weight, 0);
    this.parts = members.map((member) => {
      const recipe = new FittedRecipe(member.recipe);
      const names = recipe.inputNames;
      return { member, recipe, featureColumns: recipe.featureInputs().map((inputs) => inputs.map((k) => at.get(names[k]!)!)), weight: member.weight / total };
    });
    const background = pipeline.spec.background;
    if (method === 'interventional' && (background === undefined || background.length === 0)) {
      throw new HyperplaneError('this model package keeps no background rows (it was made before interventional explanations): train it again, or explain path-dependently');
    }
    this.backgrounds = this.parts.map((p) => (method === 'interventional' ? matrixOf(p.recipe, background!) : undefined));
  }

  /** JSON rows, as the server reads them. */
  explainRows(rows: readonly Readonly<Record<string, unknown>>[]): Explained {
    return this.combine(
      rows.length,
      this.parts.map((p) => matrixOf(p.recipe, rows)),
      () => this.pipeline.scoreRows(rows),
    );
  }

  /** A table, as `hyperplane predict` reads it. */
  explainTable(table: Table, source?: string): Explained {
    return this.combine(
      table.nRows,
      this.parts.map((p) => p.recipe.transformTable(table, source)),
      () => this.pipeline.scoreTable(table, source),
    );
  }

  private combine(n: number, matrices: readonly Matrix[], scores: () => Float64Array): Explained {
    const C = this.columns.length;
    let each = this.parts.map((part, m) => {
      const background = this.backgrounds[m];
      return explain(part.member.model, matrices[m]!, background !== undefined ? { background } : undefined);
    });
    // Members on different scales (a forest's averaged probability beside a boosted log-odds) are all put on the probability scale.
    if (each.some((c) => c.link !== each[0]!.link || c.outputs !== each[0]!.outputs)) each = each.map(onProbabilityScale);
    const { outputs, link } = each[0]!;
    const base = new Float64Array(outputs);
    const values = new Float64Array(n * outputs * C);
    const margin = new Float64Array(n * outputs);
    this.parts.forEach((part, m) => this.add(each[m]!, part, n, outputs, base, values, margin));
    const additivityError = new Float64Array(n);
    if (this.parts.length > 1) this.fitToBlend(scores(), n, outputs, link, base, values, margin, additivityError);
    return { columns: this.columns, n, outputs, link, base, values, margin, additivityError, ensemble: this.parts.length > 1 };
  }

  /** Adds one member's contributions, weighted, grouped by column. */
  private add(c: Contributions, part: Part, n: number, outputs: number, base: Float64Array, values: Float64Array, margin: Float64Array): void {
    const C = this.columns.length;
    const d = part.featureColumns.length;
    for (let o = 0; o < outputs; o++) base[o] += part.weight * c.base[o]!;
    for (let i = 0; i < n; i++) {
      for (let o = 0; o < outputs; o++) {
        margin[i * outputs + o] += part.weight * c.margin[i * outputs + o]!;
        const from = (i * outputs + o) * d;
        const to = (i * outputs + o) * C;
        for (let j = 0; j < d; j++) {
          const cols = part.featureColumns[j]!;
          const share = (part.weight * c.values[from + j]!) / cols.length;
          for (const col of cols) values[to + col] += share;
        }
      }
    }
  }

  /**
   * An ensemble's members' contributions, averaged with the blend's weights, do not add up to the blend's
   * own margin (the link's inverse of its averaged score: averaging probabilities is not averaging
   * margins). So each row's contributions are scaled, one factor per row and output, to add up to it:
   * each column keeps its share of the members' averaged attribution, and the margin is the blend's.
   * What no scaling can place (a row whose contributions sum to nearly 0 while the margins differ) stays
   * as the additivity error; it is 0 for every other row.
   */
  private fitToBlend(scores: Float64Array, n: number, outputs: number, link: Contributions['link'], base: Float64Array, values: Float64Array, margin: Float64Array, error: Float64Array): void {
    const C = this.columns.length;
    const k = this.pipeline.classes;
    for (let i = 0; i < n; i++) {
      // Softmax margins are defined up to a constant per row: the blend's are shifted to the members' mean.
      let shift = 0;
      if (link === 'softmax') {
        for (let o = 0; o < outputs; o++) shift += (margin[i * outputs + o]! - marginOf(scores, i, k, o, outputs, link)) / outputs;
      }
      for (let o = 0; o < outputs; o++) {
        const target = marginOf(scores, i, k, o, outputs, link) + shift;
        const at = (i * outputs + o) * C;
        let sum = 0;
        for (let c = 0; c < C; c++) sum += values[at + c]!;
        const wanted = target - base[o]!;
        if (Math.abs(sum) > 1e-9 * Math.max(1, Math.abs(wanted))) {
          const factor = wanted / sum;
          for (let c = 0; c < C; c++) values[at + c] = values[at + c]! * factor;
        }
        margin[i * outputs + o] = target;
        // The explained output's: class 1 for binary, the most probable class for multiclass.
        if (o === (outputs === 1 ? 0 : argmax(scores, i * k, k))) {
          let total = base[o]!;
          for (let c = 0; c < C; c++) total += values[at + c]!;
          error[i] = target - total;
        }
      }
    }
  }
}

/** The blend's margin for output `o` of row `i`, from its averaged scores. */
function marginOf(scores: Float64Array, i: number, k: number, o: number, outputs: number, link: Contributions['link']): number {
  if (link === 'identity') return outputs === 1 && k === 2 ? scores[i * k + 1]! : scores[i * k + o]!;
  if (link === 'exp') return Math.log(scores[i]!);
  const clamp = (p: number): number => Math.min(1 - 1e-15, Math.max(1e-15, p));
  if (link === 'logistic') return Math.log(clamp(scores[i * k + 1]!) / clamp(scores[i * k]!));
  // Softmax margins are defined up to a constant per row: taken with mean log-probability 0 here (fitToBlend shifts them).
  let meanLog = 0;
  for (let c = 0; c < k; c++) meanLog += Math.log(clamp(scores[i * k + c]!)) / k;
  return Math.log(clamp(scores[i * k + o]!)) - meanLog;
}

function argmax(x: Float64Array, at: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (x[at + c]! > x[at + best]!) best = c;
  return best;
}

/**
 * Contributions moved to the probability scale (a regression's: the value): each row's margins through the link, and each feature
 * keeping its share of the row's distance from the base, so the member stays additive on the new scale.
 * A binary member gives class 1's probability; a multiclass one every class's.
 */
function onProbabilityScale(c: Contributions): Contributions {
  const { outputs } = c;
  const n = c.margin.length / outputs;
  const d = n === 0 ? 0 : c.values.length / c.margin.length;
  const probabilities = (m: Float64Array, at: number): Float64Array => {
    const out = new Float64Array(outputs);
    if (c.link === 'identity') for (let o = 0; o < outputs; o++) out[o] = m[at + o]!;
    else if (c.link === 'exp') for (let o = 0; o < outputs; o++) out[o] = Math.exp(m[at + o]!);
    else if (c.link === 'logistic') out[0] = 1 / (1 + Math.exp(-m[at]!));
    else {
      let max = -Infinity;
      for (let o = 0; o < outputs; o++) max = Math.max(max, m[at + o]!);
      let total = 0;
      for (let o = 0; o < outputs; o++) total += out[o] = Math.exp(m[at + o]! - max);
      for (let o = 0; o < outputs; o++) out[o] = out[o]! / total;
    }
    return out;
  };
  const base = probabilities(c.base, 0);
  const values = new Float64Array(c.values.length);
  const margin = new Float64Array(c.margin.length);
  for (let i = 0; i < n; i++) {
    const p = probabilities(c.margin, i * outputs);
    for (let o = 0; o < outputs; o++) {
      margin[i * outputs + o] = p[o]!;
      let from = 0;
      for (let j = 0; j < d; j++) from += c.values[(i * outputs + o) * d + j]!;
      const scale = from !== 0 ? (p[o]! - base[o]!) / from : 0;
      for (let j = 0; j < d; j++) values[(i * outputs + o) * d + j] = c.values[(i * outputs + o) * d + j]! * scale;
    }
  }
  return { outputs, base, values, margin, link: 'identity' };
}
