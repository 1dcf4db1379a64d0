import type { ColumnSchema } from '../data/schema/schema.js';
import { cellText, type Table } from '../data/table.js';
import { suspectLabels } from '../evaluate/suspects.js';
import type { TargetSpec } from './pipeline.js';

/** A training row whose label the out-of-fold scores confidently contradict. */
export interface SuspectLabel {
  /** Its row in the data (1 = the first data row). */
  row: number;
  /** Its id column's value, when the data has one. */
  id?: string;
  label: string;
  /** The class the model gives it, with that class's probability and the label's. */
  suggested: string;
  probability: number;
  labelProbability: number;
}

/** Suspect labels listed at most. */
export const SUSPECTS_LISTED = 200;

/** The suspects among the scored training rows (`positions`: their places in y; every row when absent), each data row once. */
export function suspectRows(data: { table: Table; schema: readonly ColumnSchema[] }, spec: TargetSpec, y: Float64Array, scores: Float64Array, sourceRows: Int32Array, positions?: Int32Array): SuspectLabel[] {
  const labels = spec.labels ?? [];
  const yScored = positions === undefined ? y : Float64Array.from(positions, (i) => y[i]!);
  const idName = data.schema.find((c) => c.type === 'id')?.name;
  const id = data.table.columns.find((c) => c.name === idName);
  const seen = new Set<number>();
  const out: SuspectLabel[] = [];
  for (const s of suspectLabels(yScored, scores, labels.length)) {
    const source = sourceRows[positions === undefined ? s.position : positions[s.position]!]!;
    // An upsampled row's copies are one row of the data.
    if (seen.has(source)) continue;
    seen.add(source);
    const value = id === undefined ? null : cellText(id, source);
    out.push({ row: source + 1, ...(value !== null ? { id: value } : {}), label: labels[s.given]!, suggested: labels[s.suggested]!, probability: s.suggestedProbability, labelProbability: s.givenProbability });
    if (out.length === SUSPECTS_LISTED) break;
  }
  return out;
}
