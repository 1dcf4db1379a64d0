import type { z } from 'zod';

export type Task = 'binary' | 'multiclass' | 'regression' | 'anomaly' | 'cluster';

/** Dense row-major features: row i, column j is data[i * d + j]. */
export interface Matrix {
  data: Float64Array | Float32Array;
  n: number;
  d: number;
}

export interface Progress {
  iteration: number;
  loss: number;
}

export interface FitOptions {
  /** One non-negative weight per row; a weight of 2 counts a row twice. */
  weights?: Float64Array;
  signal?: AbortSignal;
  /**
   * A time (performance.now() milliseconds) after which learners that build a model step by step
   * (boosting rounds) stop and return what they have, with a warning; others ignore it.
   */
  deadline?: number;
  onProgress?: (progress: Progress) => void;
  /** For learners with randomness; the same seed gives the same model. */
  seed?: number;
  /** Classification: the class labels by code, for learners whose params name classes (rules' outcomes). */
  classes?: readonly string[];
  /**
   * Each row's group (a customer), when rows of one group must stay together: a learner that holds rows out of
   * its own fit (boosting's early stopping) holds out whole groups, or it would stop on rows whose group it sees.
   */
  groups?: Int32Array;
}

/** What production needs to know about how training went. */
export interface TrainingLog {
  iterations: number;
  /** Loss/gradient evaluations, where the optimizer counts them. */
  evaluations?: number;
  converged: boolean;
  durationMs: number;
  finalLoss: number;
  warnings: string[];
}

export type StateValue = Float64Array | Float32Array | Int32Array | Uint32Array | Uint8Array | number | string | boolean | null | StateValue[] | { [key: string]: StateValue };
export type ModelState = { [key: string]: StateValue };

/**
 * A fitted model is plain data: no functions, no closures, nothing that executes on load.
 * `predict(model, X)` in registry.ts finds the code by `kind`.
 */
export interface Model {
  kind: string;
  formatVersion: number;
  task: Task;
  nFeatures: number;
  /** Classes for classification (codes 0..nClasses-1), 1 otherwise. */
  nClasses: number;
  params: { [key: string]: unknown };
  state: ModelState;
  training: TrainingLog;
}

/** Kinds of model by how a person reads them, simplest first; opaque: no readable structure (neighbours, kernels). */
export type Interpretability = 'constant' | 'rules' | 'additive' | 'trees' | 'opaque';

/** What a learner can do; callers read these and never switch on a learner's name. */
export interface Capabilities {
  tasks: readonly Task[];
  sampleWeights: boolean;
  /** 'native': NaN is a value the learner handles; 'reject': NaN in X is an error; 'ignore': X is not read. */
  missingValues: 'native' | 'reject' | 'ignore';
  explanations: 'linear' | 'tree' | 'none';
  /** What a single-class y gives: an error, a model that always predicts that class, or what the params say (a model that does not learn from y: written rules). */
  singleClass: 'error' | 'constant' | 'unread';
  /**
   * How a person reads the model, simplest first: a constant, written rules, an additive model (a coefficient or
   * points per feature), trees, then what has no structure to read (nearest neighbours, a kernel). Leaderboards show it, and `--prefer simple` ranks by it. Default: from `explanations`.
   */
  interpretability?: Interpretability;
  /** A reference, not a model to keep: what a model must beat (the baseline). Scored and reported, never an ensemble member unless nothing beats it. */
  reference?: boolean;
}

/**
 * What `auto` tries of a learner: its candidates for a task and table size, best guess first. Every
 * learner's first candidate runs before any learner's second (by `rank`, lowest first), so a tight time
 * budget still compares families.
 */
export interface AutoCandidates {
  rank: number;
  /** `size`: the table's shape and auto's whole budget, for a learner whose cost grows fast with them (kNN, kernels) to offer less, or nothing. */
  candidates(task: Task, rows: number, size?: AutoSize): { [key: string]: unknown }[];
}

/** What auto knows of a table before it tries anything: its rows, its input columns, its classes, and the seconds it has for the whole search. */
export interface AutoSize {
  rows: number;
  features: number;
  /** Classes of a classification target; 1 for regression. */
  classes: number;
  budgetSeconds: number;
}

export interface Learner<P extends { [key: string]: unknown } = { [key: string]: unknown }> {
  name: string;
  description: string;
  /** Hyperparameters, declared once: type, default, range and a one-line doc each. */
  params: z.ZodType<P>;
  capabilities: Capabilities;
  /** What `auto` tries of this learner; absent, auto leaves it out (it can still be named). */
  auto?: AutoCandidates;
  /**
   * The params for one fit on every training row, given the models these params made on the folds of a
   * cross-validation: a learner that stops itself (early stopping, a deadline) gives the rounds those fits
   * reached, so the fit on every row holds no rows out and needs no clock. Undefined: the same params.
   */
  refitParams?(models: readonly Model[], params: { [key: string]: unknown }): { [key: string]: unknown } | undefined;
  /**
   * A learner over conditions the team wrote (rules): the conditions its params hold, in the expression
   * language, which it reads as its features (one 0/1 feature each, evaluated on the raw columns by the
   * recipe) instead of the columns' encodings. `field` is where each sits in the params, for errors.
   */
  conditions?(params: P): { if: string; field: string }[];
  formatVersion: number;
  /** Asynchronous so that training yields to the event loop, where an abort signal can be seen. */
  fit(X: Matrix, y: Float64Array, task: Task, params: P, options?: FitOptions): Promise<Model>;
  /** Scores: n × k class probabilities (row-major) for classifiers, n values for regression. */
  predict(model: Model, X: Matrix): Float64Array;
  /**
   * Checks a loaded model's state (types, lengths against nFeatures and nClasses, indices in range,
   * numbers finite): a model file is data anyone can edit, and a bad one must fail on load, naming the
   * field, not predict wrongly. Throws a LearnError (see state.ts).
   */
  checkState(model: Model): void;
  /** Optional: readies `model` for a big batch before its rows are read (e.g. starts prediction threads). */
  prepareBatch?(model: Model): void;
  /**
   * Each feature's additive contribution to each row's margin (explanations 'tree' or 'linear'): for
   * every row and output, base + Σ contributions = the margin (log-odds for binary, per-class margins for
   * multiclass, the value for regression; a forest's margin is its averaged score). Throws a LearnError
   * saying why for a model it cannot explain (one saved before explanations existed). With
   * `options.background`, tree learners give interventional values against those rows instead (base = their
   * mean margin); linear, logistic and baseline learners ignore it, being already exact against the
   * training mean.
   */
  explain?(model: Model, X: Matrix, options?: ExplainOptions): Contributions;
}

/**
 * What predict time needs of a learner, without its fitting code: predictors.ts maps each model kind
 * to one, built from modules that import no node: module (browsers and edge workers run them).
 */
export interface Predictor {
  kind: string;
  formatVersion: number;
  tasks: readonly Task[];
  predict(model: Model, X: Matrix): Float64Array;
  checkState(model: Model): void;
  prepareBatch?(model: Model): void;
  explain?(model: Model, X: Matrix, options?: ExplainOptions): Contributions;
  /** A decision list (rules) explains a row by the rule that gave its prediction: each row's rule index, the number of rules for the fallback. */
  firedRules?(model: Model, X: Matrix): Int32Array;
}

export interface ExplainOptions {
  /** Interventional: the background rows (a matrix of the model's features) to measure each row against; without it, path-dependent. */
  background?: Matrix;
}

/** Contributions on the margin scale, per row and output, of the matrix's features. */
export interface Contributions {
  /** Outputs per row: 1 for binary and regression, k for multiclass. */
  outputs: number;
  /** The margin of a row with nothing known: one per output. */
  base: Float64Array;
  /** n × outputs × d, row-major: row i, output o, feature j at (i * outputs + o) * d + j. */
  values: Float64Array;
  /** The model's margin per row and output (n × outputs), which base + Σ values equals. */
  margin: Float64Array;
  /**
   * How the margin maps to the score `predict` gives: 'logistic' (binary: p = 1 / (1 + e^−margin)),
   * 'softmax' (multiclass), 'identity' (regression, and forests, whose margin is the averaged score),
   * 'exp' (log-scale margins, as Poisson regression's: the prediction is e^margin).
   */
  link: 'logistic' | 'softmax' | 'identity' | 'exp';
}
