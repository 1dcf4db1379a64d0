import type { Column, Table } from '../data/table.js';
import type { OutputColumn } from '../pipeline/io.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { Explainer } from './explainer.js';
import { rowExplanation } from './factors.js';

/** How many driving factors `--explain` asks for: a count, or every column's contribution. */
export type ExplainDepth = number | 'all';

/** A table cell as written beside its factor: as it was read (datetimes in ISO 8601), null when missing. */
export function cellValue(column: Column | undefined, i: number): string | number | null {
  if (column === undefined) return null;
  switch (column.kind) {
    case 'numeric':
      return column.values[i] === column.values[i] ? column.values[i]! : null;
    case 'categorical':
      return column.codes[i]! >= 0 ? column.dictionary[column.codes[i]!]! : null;
    case 'text':
      return column.values[i] ?? null;
    case 'datetime':
      return column.values[i] === column.values[i] ? new Date(column.values[i]!).toISOString() : null;
  }
}

/** A factor in words, as the seeds show them: `credit_history_months = 10 → +14%` (the signed share). */
export function factorText(column: string, value: unknown, share: number): string {
  const shown = value === null || value === undefined ? 'missing' : typeof value === 'string' ? (value.length > 40 ? `${value.slice(0, 40)}…` : value) : String(value);
  const percent = Math.round(share * 100);
  return `${column} = ${shown} → ${share >= 0 ? '+' : '−'}${Math.abs(percent)}%`;
}

/**
 * The columns `hyperplane predict --explain` adds. A count K: `factor_1` … `factor_K`, each a driving
 * factor in words. `all`: `base` and `contribution_<column>` for every input column (base + Σ = the
 * margin: for binary the logit of the positive class's probability), the class explained for multiclass,
 * and for an ensemble each row's additivity error.
 */
export function explanationColumns(explainer: Explainer, pipeline: Pipeline, table: Table, source: string | undefined, scores: Float64Array, depth: ExplainDepth): OutputColumn[] {
  const explained = explainer.explainTable(table, source);
  const labels = pipeline.spec.target.labels;
  const byName = new Map(table.columns.map((c) => [c.name, c]));
  const n = table.nRows;
  const rows = Array.from({ length: n }, (_, i) => rowExplanation(explained, i, scores, labels, (column) => cellValue(byName.get(column), i), depth === 'all' ? 'all' : depth));
  if (depth !== 'all') {
    return Array.from({ length: depth }, (_, f) => ({
      name: `factor_${f + 1}`,
      kind: 'text' as const,
      values: rows.map((r) => {
        const factor = r.contributions[f];
        return factor === undefined ? null : factorText(factor.column, factor.value, factor.share);
      }),
    }));
  }
  const out: OutputColumn[] = [];
  if (explained.outputs > 1) out.push({ name: 'explained_class', kind: 'text', values: rows.map((r) => r.class ?? null) });
  out.push({ name: 'base', kind: 'number', values: Float64Array.from(rows, (r) => r.base) });
  const contributions = explained.columns.map(() => new Float64Array(n));
  const index = new Map(explained.columns.map((c, j) => [c, j]));
  rows.forEach((r, i) => {
    for (const f of r.contributions) contributions[index.get(f.column)!]![i] = f.contribution;
  });
  explained.columns.forEach((column, j) => out.push({ name: `contribution_${column}`, kind: 'number', values: contributions[j]! }));
  if (explained.ensemble) out.push({ name: 'additivity_error', kind: 'number', values: Float64Array.from(rows, (r) => r.additivityError ?? 0) });
  return out;
}
