import type { ColumnSchema } from '../data/schema/schema.js';
import type { Table } from '../data/table.js';
import { HyperplaneError } from '../errors.js';
import type { Matrix } from '../learn/contract.js';

/**
 * The numbers clustering measures distance on, from a table: each numeric (and binary 0/1) column standardised
 * (minus its mean, over its population standard deviation), each categorical column with at most
 * MAX_LEVELS levels one-hot, each indicator × 1/√2 so that two rows of different levels are 1 apart, as two
 * rows one standard deviation apart in a numeric column. A missing value is the column's mean: 0 once
 * standardised, and the levels' shares for a categorical. Text, id, constant and datetime columns, and
 * categoricals with more levels, are left out. The encoding is plain data, so new rows can be encoded the same way.
 */

export const MAX_LEVELS = 20;
const ONE_HOT = Math.SQRT1_2;

export type ClusterColumn =
  | { name: string; kind: 'numeric'; mean: number; std: number }
  | { name: string; kind: 'categorical'; levels: string[]; shares: number[] };

export interface ClusterEncoding {
  columns: ClusterColumn[];
  /** The matrix's width: one per numeric column, one per level of each categorical. */
  width: number;
}

export interface ClusterMatrixOptions {
  /** Only these columns (an unknown one is an error naming it). Default: every usable column. */
  columns?: readonly string[];
  /** Columns to leave out (the target, in a profile). */
  exclude?: readonly string[];
  /** Where the column list came from, for errors: '--columns'. */
  flag?: string;
}

/** Why a column was left out, for a person. */
export interface SkippedColumn {
  name: string;
  reason: string;
}

export function fitClusterEncoding(table: Table, schema: readonly ColumnSchema[], options: ClusterMatrixOptions = {}): { encoding: ClusterEncoding; skipped: SkippedColumn[] } {
  const flag = options.flag ?? 'columns';
  const wanted = options.columns;
  if (wanted !== undefined) {
    for (const name of wanted) {
      if (!table.columns.some((c) => c.name === name)) {
        throw new HyperplaneError(`${flag}: no column '${name}' in the data (columns: ${table.columns.map((c) => c.name).join(', ')})`);
      }
    }
  }
  const columns: ClusterColumn[] = [];
  const skipped: SkippedColumn[] = [];
  table.columns.forEach((column, j) => {
    if (options.exclude?.includes(column.name)) return;
    if (wanted !== undefined && !wanted.includes(column.name)) return;
    const type = schema[j]!.type;
    const skip = (reason: string): void => {
      if (wanted !== undefined) throw new HyperplaneError(`${flag}: column '${column.name}' can't be clustered on: ${reason}`);
      skipped.push({ name: column.name, reason });
    };
    if (type === 'id' || type === 'constant' || type === 'text' || type === 'datetime') return skip(`it is ${type === 'id' ? 'an id' : type}`);
    if (column.kind === 'numeric') {
      let n = 0;
      let sum = 0;
      for (const v of column.values) if (!Number.isNaN(v)) (n++, (sum += v));
      if (n === 0) return skip('every value is missing');
      const mean = sum / n;
      let ss = 0;
      for (const v of column.values) if (!Number.isNaN(v)) ss += (v - mean) ** 2;
      const std = Math.sqrt(ss / n);
      if (!(std > 0)) return skip('it has one value');
      columns.push({ name: column.name, kind: 'numeric', mean, std });
    } else if (column.kind === 'categorical') {
      const counts = new Float64Array(column.dictionary.length);
      let n = 0;
      for (const c of column.codes) if (c >= 0) (counts[c]!++, n++);
      const present = column.dictionary.map((level, i) => ({ level, count: counts[i]! })).filter((l) => l.count > 0);
      if (present.length < 2) return skip(present.length === 0 ? 'every value is missing' : 'it has one value');
      if (present.length > MAX_LEVELS) return skip(`it has ${present.length} levels (at most ${MAX_LEVELS} are one-hot encoded)`);
      columns.push({ name: column.name, kind: 'categorical', levels: present.map((l) => l.level), shares: present.map((l) => l.count / n) });
    } else skip(`it is ${column.kind}`);
  });
  if (columns.length === 0) {
    const why = skipped.length > 0 ? `: ${skipped.map((s) => `'${s.name}' (${s.reason})`).join(', ')}` : '';
    throw new HyperplaneError(`${wanted !== undefined ? flag : 'data'}: no usable columns to cluster on${why}`);
  }
  const width = columns.reduce((w, c) => w + (c.kind === 'numeric' ? 1 : c.levels.length), 0);
  return { encoding: { columns, width }, skipped };
}

/** The table's rows encoded per `encoding` (n × width); a level the encoding has not seen counts as missing. */
export function encodeForClustering(table: Table, encoding: ClusterEncoding): Matrix {
  const n = table.nRows;
  const d = encoding.width;
  const data = new Float64Array(n * d);
  let offset = 0;
  for (const spec of encoding.columns) {
    const column = table.columns.find((c) => c.name === spec.name);
    if (column === undefined) throw new HyperplaneError(`no column '${spec.name}' in the data`);
    if (spec.kind === 'numeric') {
      if (column.kind !== 'numeric') throw new HyperplaneError(`column '${spec.name}' is ${column.kind}, not numeric`);
      for (let i = 0; i < n; i++) {
        const v = column.values[i]!;
        data[i * d + offset] = Number.isNaN(v) ? 0 : (v - spec.mean) / spec.std;
      }
      offset++;
    } else {
      if (column.kind !== 'categorical') throw new HyperplaneError(`column '${spec.name}' is ${column.kind}, not categorical`);
      const index = new Map(spec.levels.map((l, i) => [l, i]));
      const code = column.dictionary.map((l) => index.get(l) ?? -1);
      for (let i = 0; i < n; i++) {
        const c = column.codes[i]!;
        const level = c >= 0 ? code[c]! : -1;
        if (level >= 0) data[i * d + offset + level] = ONE_HOT;
        else for (let l = 0; l < spec.levels.length; l++) data[i * d + offset + l] = ONE_HOT * spec.shares[l]!;
      }
      offset += spec.levels.length;
    }
  }
  return { data, n, d };
}

/** A centroid in the columns' own units: numeric columns' values, and each categorical's level with the largest weight. */
export function describeCentroid(encoding: ClusterEncoding, centroid: ArrayLike<number>): { numeric: Record<string, number>; categorical: Record<string, string> } {
  const numeric: Record<string, number> = {};
  const categorical: Record<string, string> = {};
  let offset = 0;
  for (const spec of encoding.columns) {
    if (spec.kind === 'numeric') {
      numeric[spec.name] = spec.mean + spec.std * centroid[offset]!;
      offset++;
    } else {
      let best = 0;
      for (let l = 1; l < spec.levels.length; l++) if (centroid[offset + l]! > centroid[offset + best]!) best = l;
      categorical[spec.name] = spec.levels[best]!;
      offset += spec.levels.length;
    }
  }
  return { numeric, categorical };
}
