import { HyperplaneError } from '../../errors.js';
import type { ColumnSchema } from '../schema/schema.js';
import type { Column, Table } from '../table.js';

export type Task = 'binary' | 'multiclass' | 'regression';

export interface ClassCount {
  label: string;
  count: number;
  share: number;
}

export interface TargetInfo {
  name: string;
  task: Task;
  reason: string;
  /** Rows whose target is missing; training drops them. */
  missing: number;
  /** Classification only: classes by count, most frequent first. */
  classes?: ClassCount[];
}

const fmt = (n: number): string => n.toLocaleString('en-US');
const MAX_INTEGER_CLASSES = 10;

export function findColumn(table: Table, name: string, source: string): Column {
  const column = table.columns.find((c) => c.name === name);
  if (column === undefined) {
    const names = table.columns.map((c) => c.name);
    const near = names.find((n) => n.toLowerCase() === name.toLowerCase());
    const hint = near !== undefined ? ` (did you mean '${near}'?)` : '';
    throw new HyperplaneError(`--target '${name}': no such column${hint}; columns are: ${names.join(', ')}`, { file: source });
  }
  return column;
}

/** The learning task a target implies, with a reason, and its label distribution. */
export function inferTarget(column: Column, schema: ColumnSchema, nRows: number): TargetInfo {
  const name = column.name;
  const refuse = (why: string): never => {
    throw new HyperplaneError(`cannot be a target: ${why}`, { column: name });
  };
  switch (schema.type) {
    case 'constant':
      return refuse(`it has a single value (${schema.reason}); there is nothing to learn`);
    case 'datetime':
      return refuse('it holds dates; predict a number or a class derived from them instead');
    case 'text':
    case 'id':
      return refuse(`it looks like ${schema.type === 'id' ? 'an identifier' : 'free text'} (${schema.reason}); set its type to categorical in a schema file if it really is a label`);
    case 'binary':
    case 'categorical': {
      if (column.kind !== 'categorical') return refuse('it is not stored as categories');
      const classes = classCounts(column.codes, column.dictionary);
      const missing = countMissingCodes(column.codes);
      if (classes.length < 2) return refuse('it has a single class');
      const task: Task = classes.length === 2 ? 'binary' : 'multiclass';
      return { name, task, reason: `${classes.length} classes in a ${schema.type} column → ${task}`, missing, classes };
    }
    case 'numeric': {
      if (column.kind !== 'numeric') return refuse('it is not stored as numbers');
      const values = column.values;
      const distinct = new Set<number>();
      let integers = true;
      let missing = 0;
      for (let i = 0; i < nRows; i++) {
        const x = values[i]!;
        if (x !== x) {
          missing++;
          continue;
        }
        if (!Number.isInteger(x)) integers = false;
        if (distinct.size <= MAX_INTEGER_CLASSES) distinct.add(x);
      }
      if (integers && distinct.size <= MAX_INTEGER_CLASSES) {
        const levels = [...distinct].sort((a, b) => a - b);
        const codes = new Int32Array(nRows);
        for (let i = 0; i < nRows; i++) codes[i] = values[i] !== values[i] ? -1 : levels.indexOf(values[i]!);
        const classes = classCounts(codes, levels.map(String));
        const task: Task = classes.length === 2 ? 'binary' : 'multiclass';
        return { name, task, reason: `${levels.length} distinct integer values (${levels.join(', ')}) → ${task}`, missing, classes };
      }
      const what = integers ? `more than ${MAX_INTEGER_CLASSES} distinct integers` : 'fractional numbers';
      return { name, task: 'regression', reason: `${what} → regression`, missing };
    }
  }
}

function countMissingCodes(codes: Int32Array): number {
  let m = 0;
  for (const c of codes) if (c < 0) m++;
  return m;
}

function classCounts(codes: Int32Array, dictionary: readonly string[]): ClassCount[] {
  const counts = new Float64Array(dictionary.length);
  let total = 0;
  for (const c of codes) {
    if (c < 0) continue;
    counts[c]!++;
    total++;
  }
  return dictionary
    .map((label, i) => ({ label, count: counts[i]!, share: total > 0 ? counts[i]! / total : 0 }))
    .filter((c) => c.count > 0)
    .sort((a, b) => b.count - a.count);
}

export function describeTarget(t: TargetInfo): string {
  const missing = t.missing > 0 ? `; ${fmt(t.missing)} rows have no target and will be dropped` : '';
  return `${t.task} (${t.reason})${missing}`;
}
