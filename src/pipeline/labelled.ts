import { sameLevel } from '../data/schema/values.js';
import type { InfiniteValues } from '../data/schema/schema-file.js';
import type { Table } from '../data/table.js';
import { HyperplaneError } from '../errors.js';
import { supervisedTarget, type Pipeline } from './pipeline.js';
import { encodeTarget, infiniteTarget } from './target.js';

/** A model's scores on the rows of a table that have a target value, with those values coded as the model's. */
export interface LabelledScores {
  /** The table's rows that have a target value, ascending. */
  rows: Int32Array;
  /** Class codes in the model's label order, or values. */
  y: Float64Array;
  /** rows.length × k probabilities, or rows.length values. */
  scores: Float64Array;
}

/**
 * Scores the rows of `table` (typed for this pipeline, target included) that have a target value: what
 * `evaluate` measures a model on, and what `retrain` compares two models on. A class the model never saw
 * is an error naming it: the model cannot be right or wrong about it.
 */
export function labelledScores(pipeline: Pipeline, table: Table, source: string, infinite: readonly InfiniteValues[] = []): LabelledScores {
  const target = supervisedTarget(pipeline.spec.target, 'be scored against a target column');
  const inf = infinite.find((i) => i.column === target.name);
  if (inf !== undefined) throw infiniteTarget(inf, source);
  const encoded = encodeTarget(table, pipeline.spec.schema, target.name, source, target.task);
  const want = new Map((target.labels ?? []).map((l, i) => [l, i]));
  const keep: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < table.nRows; i++) {
    const v = encoded.y[i]!;
    if (v !== v) continue;
    if (target.task === 'regression') y.push(v);
    else {
      const label = encoded.spec.labels![v]!;
      // A model trained before label spellings were kept knows Yes/No as true/false.
      const code = want.get(label) ?? (target.labels ?? []).findIndex((l) => sameLevel(label, l));
      if (code === -1) throw new HyperplaneError(`class '${label}' was not in the training data (classes: ${[...want.keys()].join(', ')})`, { file: source, column: target.name });
      y.push(code);
    }
    keep.push(i);
  }
  if (keep.length === 0) throw new HyperplaneError(`no row has a '${target.name}' value to evaluate against`, { file: source, column: target.name });
  const all = pipeline.scoreTable(table, source);
  const k = pipeline.classes;
  const scores = new Float64Array(keep.length * k);
  keep.forEach((row, r) => scores.set(all.subarray(row * k, row * k + k), r * k));
  return { rows: Int32Array.from(keep), y: Float64Array.from(y), scores };
}
