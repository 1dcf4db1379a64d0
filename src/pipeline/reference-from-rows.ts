import { cellText, type Table } from '../data/table.js';
import { buildReference, type MonitorReference } from '../monitor/reference.js';
import type { ModelPackage } from './package.js';
import { Pipeline } from './pipeline.js';

/**
 * A monitoring reference for a package trained elsewhere (an imported model), from rows like those it was
 * fitted on: each input column's sketch and a sample of rows, and the model's predictions on them, marked
 * 'training' since nothing says they were held out. When the rows carry the target column, its distribution too.
 */
export function referenceFromRows(pkg: ModelPackage, table: Table, seed = 0): MonitorReference {
  const pipeline = new Pipeline(pkg.pipeline);
  const spec = pkg.pipeline.target;
  const scores = pipeline.scoreTable(table);
  const labels = spec.labels ?? [];
  const column = table.columns.find((c) => c.name === spec.name);
  let y: Float64Array | undefined;
  if (column !== undefined && spec.task === 'regression' && column.kind === 'numeric') y = Float64Array.from(column.values);
  else if (column !== undefined && spec.task !== 'regression') {
    // Labels compared as text, as the package spells them; one it does not know counts as none.
    const code = new Map(labels.map((l, i) => [l, i]));
    y = Float64Array.from({ length: table.nRows }, (_, i) => code.get(cellText(column, i) ?? '') ?? -1);
  }
  const prediction = { scores, rows: table.nRows, source: 'training' as const, ...(spec.task !== 'regression' ? { predicted: pipeline.label(scores).map(String) } : {}) };
  return buildReference(table, pipeline.inputColumns, prediction, undefined, y === undefined ? undefined : { y, ...(spec.task !== 'regression' ? { labels } : {}) }, seed);
}
