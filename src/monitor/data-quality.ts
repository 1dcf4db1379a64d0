import type { MonitorReference } from './reference.js';
import type { CategoricalSketch, NumericSketch } from './sketch.js';
import type { WindowAggregate } from './window.js';

/**
 * What broke the training schema in a window, per column, counted as values (cells): a value of the
 * wrong type (a non-numeric string, a boolean or an object where training had numbers — the model reads
 * it as missing; an object where it had labels), a number outside the training range (below its minimum
 * or above its maximum, exactly), a label training never had. null: not measured (a window folded
 * before these were counted).
 */
export interface NumericQuality {
  column: string;
  type: 'numeric';
  invalid: number | null;
  /** below + above. */
  outOfRange: number | null;
  below: number | null;
  above: number;
}

export interface CategoricalQuality {
  column: string;
  type: 'categorical';
  invalid: number | null;
  unknownCategory: number | null;
}

export type ColumnQuality = NumericQuality | CategoricalQuality;

export interface DataQuality {
  /** The window's rows, so each count reads as a share. */
  rows: number;
  /** Totals over the columns (null where any column's was not measured). */
  invalid: number | null;
  outOfRange: number | null;
  unknownCategory: number | null;
  byColumn: ColumnQuality[];
}

export function dataQuality(reference: MonitorReference, window: WindowAggregate): DataQuality {
  const byColumn = Object.entries(reference.columns).map(([name, ref]): ColumnQuality => {
    const sketch = window.columns[name]!;
    return ref.kind === 'numeric' ? numericQuality(name, sketch as NumericSketch) : { column: name, type: 'categorical', invalid: sketch.invalid ?? null, unknownCategory: (sketch as CategoricalSketch).unknown ?? null };
  });
  const numeric = byColumn.filter((c): c is NumericQuality => c.type === 'numeric');
  const categorical = byColumn.filter((c): c is CategoricalQuality => c.type === 'categorical');
  return { rows: window.rows, invalid: total(byColumn.map((c) => c.invalid)), outOfRange: total(numeric.map((c) => c.outOfRange)), unknownCategory: total(categorical.map((c) => c.unknownCategory)), byColumn };
}

function numericQuality(column: string, sketch: NumericSketch): NumericQuality {
  // The last bin holds exactly the values above the training maximum (the last edge); with no edges, training had no range.
  const above = sketch.edges.length > 0 ? sketch.counts[sketch.counts.length - 1]! : 0;
  const below = sketch.below ?? null;
  return { column, type: 'numeric', invalid: sketch.invalid ?? null, outOfRange: below === null ? null : below + above, below, above };
}

function total(counts: readonly (number | null)[]): number | null {
  return counts.some((c) => c === null) ? null : counts.reduce<number>((s, c) => s + c!, 0);
}

/** Whether a window has anything to say about its data quality. */
export function hasIssues(q: DataQuality): boolean {
  return (q.invalid ?? 0) + (q.outOfRange ?? 0) + (q.unknownCategory ?? 0) > 0;
}
