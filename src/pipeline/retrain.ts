import { pairedBootstrap, type PairedGain } from '../evaluate/bootstrap.js';
import type { MetricName } from '../evaluate/evaluate.js';
import { holdout, type Split } from '../evaluate/splits.js';
import { columnByName, selectRows, type Table } from '../data/table.js';
import { HyperplaneError } from '../errors.js';
import { typeForPipeline } from './io.js';
import { labelledScores } from './labelled.js';
import { supervisedTarget, type Pipeline } from './pipeline.js';

/** The share of the new data both models are compared on. */
export const RETRAIN_HOLDOUT_SHARE = 0.2;

/** How the holdout was drawn, in words for the decision's record. */
export interface RecentHoldout extends Split {
  how: string;
}

/**
 * The rows both models are compared on: the latest `share` of the rows by `timeColumn` when there is
 * one (what the next weeks will look like more than a random draw does; rows without a time train),
 * otherwise a random `share`, stratified by class when `classes` are given.
 */
export function recentHoldout(table: Table, options: { timeColumn?: string; share?: number; seed: number; classes?: ArrayLike<number>; source: string }): RecentHoldout {
  const share = options.share ?? RETRAIN_HOLDOUT_SHARE;
  if (options.timeColumn === undefined) {
    const y = options.classes ?? new Float64Array(table.nRows);
    return { ...holdout(y, share, options.seed, options.classes !== undefined), how: `a ${options.classes !== undefined ? 'stratified ' : ''}random ${Math.round(share * 100)}% of the rows` };
  }
  const column = columnByName(table, options.timeColumn);
  if (column === undefined) throw new HyperplaneError(`no column '${options.timeColumn}' to order the rows by time`, { file: options.source, column: options.timeColumn });
  if (column.kind !== 'datetime' && column.kind !== 'numeric') throw new HyperplaneError(`holds ${column.kind} values: expected dates or numbers to order the rows by time`, { file: options.source, column: options.timeColumn });
  const timed: number[] = [];
  const untimed: number[] = [];
  for (let i = 0; i < table.nRows; i++) (Number.isNaN(column.values[i]) ? untimed : timed).push(i);
  // Ties keep the file's order: the later row of two at the same time is the more recent.
  timed.sort((a, b) => column.values[a]! - column.values[b]! || a - b);
  const take = Math.round(timed.length * share);
  if (take === 0 || take === table.nRows) throw new HyperplaneError(`${timed.length} rows have a time: too few to hold out the latest ${Math.round(share * 100)}%`, { file: options.source, column: options.timeColumn });
  const test = Int32Array.from(timed.slice(timed.length - take)).sort();
  const train = Int32Array.from([...timed.slice(0, timed.length - take), ...untimed]).sort();
  const from = column.kind === 'datetime' ? new Date(column.values[test.reduce((m, r) => (column.values[r]! < column.values[m]! ? r : m), test[0]!)]!).toISOString().slice(0, 10) : undefined;
  return { train, test, how: `the latest ${Math.round(share * 100)}% of the rows by '${options.timeColumn}'${from !== undefined ? ` (from ${from})` : ''}` };
}

/** The two models compared on the holdout: their metric, the gain and its interval. */
export interface Comparison extends PairedGain {
  metric: MetricName;
  /** Holdout rows with a target value: the rows compared. */
  rows: number;
}

/**
 * The served model and its challenger scored on the same holdout rows of the data as read (`raw`, before
 * typing: each model types it as it was trained), and the gain's paired-bootstrap interval. The two must
 * know the same classes: a class one of them never saw has no score from it to compare.
 */
export function compareOnHoldout(current: Pipeline, candidate: Pipeline, raw: Table, rows: Int32Array, source: string, metric: MetricName, options: { seed: number; level?: number; resamples?: number }): Comparison {
  const score = (p: Pipeline): ReturnType<typeof labelledScores> & { labels: readonly string[] } => {
    const typed = typeForPipeline(raw, source, p, true);
    return { ...labelledScores(p, selectRows(typed.table, rows), source, typed.infinite), labels: p.spec.target.labels ?? [] };
  };
  const a = score(current);
  const b = score(candidate);
  const task = supervisedTarget(current.spec.target, 'be retrained against a target column').task;
  if (candidate.spec.target.task !== task) throw new HyperplaneError(`the new model is ${candidate.spec.target.task} and the served one ${task}: they cannot be compared`, { field: 'task' });
  const aligned = task === 'regression' ? b.scores : alignClasses(b.scores, b.labels, a.labels);
  const gain = pairedBootstrap({ task, metric, y: a.y, current: a.scores, candidate: aligned, labels: a.labels }, options);
  return { ...gain, metric, rows: a.y.length };
}

/** n × k probabilities in the order of `from`'s labels, put in the order of `to`'s: the same classes, or an error. */
function alignClasses(scores: Float64Array, from: readonly string[], to: readonly string[]): Float64Array {
  const missing = to.filter((l) => !from.includes(l));
  const extra = from.filter((l) => !to.includes(l));
  if (missing.length > 0 || extra.length > 0) {
    const said = [...(extra.length > 0 ? [`the new data has class${extra.length > 1 ? 'es' : ''} ${extra.map((l) => `'${l}'`).join(', ')} the served model never saw`] : []), ...(missing.length > 0 ? [`it has no row of class${missing.length > 1 ? 'es' : ''} ${missing.map((l) => `'${l}'`).join(', ')}, which the served model predicts`] : [])];
    throw new HyperplaneError(`${said.join(', and ')}: the two models cannot be compared on one metric; register the new run's model and move the alias by hand if it should serve`, { field: 'classes' });
  }
  const k = to.length;
  const at = to.map((l) => from.indexOf(l));
  const out = new Float64Array(scores.length);
  for (let i = 0; i < scores.length / k; i++) for (let c = 0; c < k; c++) out[i * k + c] = scores[i * k + at[c]!]!;
  return out;
}

/** Moves the alias only when the interval's lower end clears the margin: a gain the holdout could show by chance does not. */
export const promotes = (comparison: Pick<Comparison, 'low'>, minGain: number): boolean => comparison.low >= minGain;
