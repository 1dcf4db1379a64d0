import type { ColumnSchema } from '../data/schema/schema.js';
import type { Table } from '../data/table.js';
import { better, metricOf, type EvalTask, type MetricName } from './evaluate.js';

export interface Slice {
  column: string;
  level: string;
  rows: number;
  score: number;
}

/**
 * The categorical levels where the model does worst: for each categorical or binary column, each level
 * with at least `minRows` test rows is scored on its rows alone (levels where the metric is undefined,
 * such as AUC on one class, are skipped); the `top` worst that fall below the overall score are returned.
 */
export function worstSlices(
  table: Table,
  schema: readonly ColumnSchema[],
  exclude: string,
  task: EvalTask,
  metric: MetricName,
  y: ArrayLike<number>,
  scores: Float64Array,
  labels: readonly string[],
  overall: number,
  minRows = 30,
  top = 5,
): Slice[] {
  const k = task === 'regression' ? 1 : labels.length;
  const found: Slice[] = [];
  for (const col of schema) {
    if (col.name === exclude || (col.type !== 'categorical' && col.type !== 'binary')) continue;
    const column = table.columns.find((c) => c.name === col.name);
    if (column === undefined || column.kind !== 'categorical') continue;
    const byLevel = new Map<number, number[]>();
    for (let i = 0; i < table.nRows; i++) {
      const code = column.codes[i]!;
      if (code < 0) continue;
      let rows = byLevel.get(code);
      if (rows === undefined) byLevel.set(code, (rows = []));
      rows.push(i);
    }
    for (const [code, rows] of byLevel) {
      if (rows.length < minRows || rows.length === table.nRows) continue;
      const ys = rows.map((i) => y[i]!);
      const s = new Float64Array(rows.length * k);
      rows.forEach((i, r) => s.set(scores.subarray(i * k, i * k + k), r * k));
      const score = metricOf(metric, task, ys, s, labels);
      if (Number.isFinite(score) && better(metric, overall, score)) found.push({ column: col.name, level: column.dictionary[code]!, rows: rows.length, score });
    }
  }
  return found.sort((a, b) => (better(metric, a.score, b.score) ? 1 : better(metric, b.score, a.score) ? -1 : 0)).slice(0, top);
}
