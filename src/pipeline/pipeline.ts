import type { MonitorReference } from '../monitor/reference.js';
import type { ColumnSchema } from '../data/schema/schema.js';
import type { Table } from '../data/table.js';
import { FittedRecipe, type Recipe } from '../features/recipe.js';
import type { Model, Task } from '../learn/contract.js';
// The predict-time registry: scoring imports no node: module (Node's batch accelerators register themselves).
import { prepareBatch, predict as predictModel } from '../learn/predictors.js';
import { HyperplaneError } from '../errors.js';
import { RowValidator, type ValidationOptions } from './validate-rows.js';
import { ANOMALY_FLAGS, InvalidRowsError, predictionInto, type Prediction } from './prediction.js';
import type { ModelSignature } from './signature.js';

/** What was predicted and how it is labelled. */
export interface TargetSpec {
  /** The target column; an anomaly model's labelled column (when it was trained with one), else 'anomaly'. */
  name: string;
  task: Task;
  /** Class labels by code (classification). */
  labels?: string[];
  /** Binary: the probability of labels[1] at or above which it is predicted. Anomaly: the score at or above which a row is flagged. */
  threshold?: number;
  /** Anomaly, trained with a labelled column: that column's value that marks an anomaly. */
  positive?: string;
}

/** The tasks learned from a target column (anomaly and cluster models learn from the inputs alone). */
export type SupervisedTask = Exclude<Task, 'anomaly' | 'cluster'>;
export type SupervisedTarget = TargetSpec & { task: SupervisedTask };

/** The target of a supervised model; an anomaly model's is refused with `what` it cannot do (e.g. 'be retrained on labels'). */
export function supervisedTarget(target: TargetSpec, what: string): SupervisedTarget {
  if (target.task === 'anomaly' || target.task === 'cluster') throw new HyperplaneError(`${target.task === 'anomaly' ? 'an anomaly' : 'a clustering'} model cannot ${what}: it has no target column it was trained to predict`);
  return target as SupervisedTarget;
}

/** One model of a pipeline, with the recipe that feeds it; an ensemble has several, averaged by weight. */
export interface ModelMember {
  recipe: Recipe;
  model: Model;
  weight: number;
}

/** A pipeline's member: every one is a recipe and a model (rules too: their recipe evaluates the conditions). */
export type Member = ModelMember;

/**
 * A trained pipeline: the training schema, fitted recipes, models and target labels. Everything
 * needed to turn raw rows into predictions, as plain data (the package file stores it).
 */
export interface PipelineSpec {
  target: TargetSpec;
  schema: ColumnSchema[];
  members: Member[];
  /**
   * Up to 100 training rows (their input columns, as JSON rows), evenly spread: the background that
   * interventional explanations measure each row against. Absent in packages made before them.
   */
  background?: BackgroundRow[];
  /** Sketches of the training rows and held-out predictions that live traffic is monitored against. Absent in packages made before monitoring. */
  monitor?: MonitorReference;
}

/** A row of input columns as a JSON request holds it: numbers, labels and dates (ISO 8601) as text, null when missing. */
export type BackgroundRow = Record<string, string | number | null>;

/** Applies a pipeline to tables (batches) and JSON rows (serving) through the same recipe code. */
/** How one member turns a table or JSON rows into scores. */
interface Scorer {
  inputs: string[];
  table(table: Table, source?: string): Float64Array;
  rows(rows: readonly Readonly<Record<string, unknown>>[]): Float64Array;
}

function modelScorer(m: ModelMember): Scorer {
  const recipe = new FittedRecipe(m.recipe);
  return {
    inputs: recipe.inputNames,
    table: (table, source) => predictModel(m.model, recipe.transformTable(table, source)),
    rows: (rows) => {
      const X = { data: new Float64Array(rows.length * recipe.width), n: rows.length, d: recipe.width };
      for (let i = 0; i < rows.length; i++) recipe.transformRowInto(rows[i]!, X.data, i * recipe.width);
      return predictModel(m.model, X);
    },
  };
}

export class Pipeline {
  private readonly scorers: Scorer[];
  /** Checks rows for `predict` as the server does (made on first use). */
  private validator: RowValidator | undefined;

  constructor(readonly spec: PipelineSpec) {
    this.scorers = spec.members.map(modelScorer);
  }

  /** Scores per row: each class's probability, or one value (regression, an anomaly score). */
  get classes(): number {
    const { task, labels } = this.spec.target;
    return task === 'anomaly' || task === 'cluster' ? 1 : (labels?.length ?? 1);
  }

  /** Columns a row must (or may) carry: every input of every member's recipe. */
  get inputColumns(): string[] {
    return [...new Set(this.scorers.flatMap((s) => s.inputs))];
  }

  /** What the pipeline takes and gives: the columns it reads with their training types, and the target. */
  get signature(): ModelSignature {
    const types = new Map(this.spec.schema.map((c) => [c.name, c.type]));
    const { name, task, labels } = this.spec.target;
    return {
      inputs: this.inputColumns.map((column) => ({ name: column, type: types.get(column) ?? 'numeric' })),
      output: { name, task, ...(labels !== undefined ? { labels } : {}) },
    };
  }

  /** Readies the models for a big batch (prediction threads started) while its data is still being read. */
  prepareBatch(): void {
    for (const m of this.spec.members) prepareBatch(m.model);
  }

  scoreTable(table: Table, source?: string): Float64Array {
    return this.blend((s) => s.table(table, source), table.nRows);
  }

  /**
   * The bare scores of JSON rows, unchecked: classification, n × k probabilities in the order of
   * `spec.target.labels` (no label, no threshold applied); regression, n values. `predict` gives
   * each row's answer as the server does.
   */
  scoreRows(rows: readonly Readonly<Record<string, unknown>>[]): Float64Array {
    return this.blend((s) => s.rows(rows), rows.length);
  }

  /**
   * Each row's answer, as `POST /v1/models/NAME/predict` gives it (less the id, model, version and
   * time): the label as the training data spells it (a binary model's positive class at or above its
   * threshold) or the value; each class's probability by label; notes such as unknown categories.
   * The rows are checked first, as the server checks them: rows it would refuse with a 400 throw an
   * `InvalidRowsError` listing every problem. `options`: the server's `validation` (default: extra
   * fields ignored, a row with none of the model's fields scored as all missing, with a note).
   */
  predict(rows: readonly Readonly<Record<string, unknown>>[], options?: ValidationOptions): Prediction[] {
    const validator = options !== undefined ? new RowValidator(this.signature, this.spec, options) : (this.validator ??= new RowValidator(this.signature, this.spec));
    const { problems, notes } = validator.check(rows);
    if (problems.length > 0) throw new InvalidRowsError(problems);
    const scores = this.scoreRows(rows);
    const codes = this.codes(scores);
    const out: Prediction[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = predictionInto({}, this.spec.target, codes, scores, i, notes[i]!);
    return out;
  }

  /** The members' scores averaged by weight. */
  private blend(score: (scorer: Scorer) => Float64Array, n: number): Float64Array {
    const members = this.spec.members;
    if (members.length === 1) return score(this.scorers[0]!);
    const out = new Float64Array(n * this.classes);
    const total = members.reduce((s, m) => s + m.weight, 0);
    members.forEach((m, j) => {
      const s = score(this.scorers[j]!);
      for (let i = 0; i < out.length; i++) out[i] += (m.weight / total) * s[i]!;
    });
    return out;
  }

  /** Classification: each row's label as a code into `target.labels` (the thresholded positive class, or the most probable). */
  labelCodes(scores: Float64Array): Int32Array {
    const { task, threshold } = this.spec.target;
    const k = this.classes;
    const n = scores.length / k;
    const out = new Int32Array(n);
    if (task === 'cluster') return Int32Array.from(scores);
    if (task === 'anomaly') {
      // Codes into ANOMALY_FLAGS: flagged at or above the threshold.
      const t = threshold ?? Infinity;
      for (let i = 0; i < n; i++) out[i] = scores[i]! >= t ? 1 : 0;
      return out;
    }
    if (task === 'binary') {
      const t = threshold ?? 0.5;
      for (let i = 0; i < n; i++) out[i] = scores[2 * i + 1]! >= t ? 1 : 0;
      return out;
    }
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (scores[i * k + c]! > scores[i * k + best]!) best = c;
      out[i] = best;
    }
    return out;
  }

  /** Classification: each row's label code (as `labelCodes`); anomaly: each row's flag (into ANOMALY_FLAGS); regression: undefined, the scores are the values. */
  codes(scores: Float64Array): Int32Array | undefined {
    const { task, labels } = this.spec.target;
    if (task === 'anomaly' || task === 'cluster') return this.labelCodes(scores);
    return task === 'regression' || labels === undefined ? undefined : this.labelCodes(scores);
  }

  /** The labels `codes` index: the classes, or an anomaly model's flags. */
  get answerLabels(): readonly string[] | undefined {
    const { task, labels } = this.spec.target;
    if (task === 'cluster') return Array.from({ length: this.spec.members[0]?.model.nClasses ?? 0 }, (_, c) => String(c));
    return task === 'anomaly' ? ANOMALY_FLAGS : labels;
  }

  /** Labels from scores: the thresholded positive class, the most probable class, an anomaly flag, or the value. */
  label(scores: Float64Array): (string | number)[] {
    const codes = this.codes(scores);
    const labels = this.answerLabels;
    if (codes === undefined || labels === undefined) return Array.from(scores);
    return Array.from(codes, (code) => labels[code]!);
  }
}
