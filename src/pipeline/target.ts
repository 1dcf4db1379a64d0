import { HyperplaneError } from '../errors.js';
import { findColumn, inferTarget } from '../data/profile/target.js';
import type { ColumnSchema } from '../data/schema/schema.js';
import type { InfiniteValues } from '../data/schema/schema-file.js';
import type { Table } from '../data/table.js';
import type { SupervisedTarget, SupervisedTask } from './pipeline.js';

export interface EncodedTarget {
  spec: SupervisedTarget;
  /** Class codes (indices into spec.labels) or values; NaN where the target is missing. */
  y: Float64Array;
  missing: number;
  reason: string;
}

/**
 * The target column as numbers a learner takes: class codes in label order for classification, the
 * values for regression. The task is inferred from the column unless given.
 */
export function encodeTarget(table: Table, schema: readonly ColumnSchema[], name: string, source: string, task?: SupervisedTask): EncodedTarget {
  const column = findColumn(table, name, source);
  const columnSchema = schema.find((c) => c.name === name)!;
  const info = inferTarget(column, columnSchema, table.nRows);
  const chosen = task ?? (info.task as SupervisedTask);
  const n = table.nRows;
  const y = new Float64Array(n);
  if (chosen === 'regression') {
    if (column.kind !== 'numeric') throw new HyperplaneError(`regression needs a numeric target; this column holds ${column.kind} values`, { column: name });
    y.set(column.values);
    return { spec: { name, task: 'regression' }, y, missing: info.missing, reason: task === undefined ? info.reason : 'set with --task' };
  }
  // Classes: the labels present, in the column's order (categories as the schema orders them, numbers ascending).
  let labels: string[];
  if (column.kind === 'categorical') {
    const present = new Uint8Array(column.dictionary.length);
    for (const c of column.codes) if (c >= 0) present[c] = 1;
    const codeOf = new Int32Array(column.dictionary.length).fill(-1);
    labels = [];
    column.dictionary.forEach((label, c) => {
      if (present[c] === 1) {
        codeOf[c] = labels.length;
        labels.push(label);
      }
    });
    for (let i = 0; i < n; i++) y[i] = column.codes[i]! < 0 ? NaN : codeOf[column.codes[i]!]!;
  } else if (column.kind === 'numeric') {
    const levels = [...new Set(Array.from(column.values).filter((v) => v === v))].sort((a, b) => a - b);
    if (levels.length > 1000) throw new HyperplaneError(`has ${levels.length} distinct values: too many classes (use --task regression)`, { column: name });
    const index = new Map(levels.map((v, i) => [v, i]));
    labels = levels.map(String);
    for (let i = 0; i < n; i++) y[i] = column.values[i] !== column.values[i] ? NaN : index.get(column.values[i]!)!;
  } else {
    throw new HyperplaneError(`cannot be a classification target: it holds ${column.kind} values`, { column: name });
  }
  if (labels.length < 2) throw new HyperplaneError(`has a single class ('${labels[0] ?? ''}'); there is nothing to learn`, { column: name });
  const classification: SupervisedTask = labels.length === 2 ? 'binary' : 'multiclass';
  let missing = 0;
  for (const v of y) if (v !== v) missing++;
  return { spec: { name, task: classification, labels }, y, missing, reason: task === undefined ? info.reason : 'set with --task' };
}

/** An infinite target is no label to learn from or score against: exit 2 naming the first row. */
export function infiniteTarget(inf: InfiniteValues, source: string): HyperplaneError {
  const n = inf.count.toLocaleString('en-US');
  return new HyperplaneError(`row ${(inf.firstRow + 1).toLocaleString('en-US')}: the target is infinite${inf.count > 1 ? ` (${n} rows are)` : ''}; fix or remove those rows`, { file: source, column: inf.column });
}
