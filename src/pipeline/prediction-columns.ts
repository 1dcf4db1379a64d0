import type { Column, Table } from '../data/table.js';
import type { OutputColumn } from './io.js';
import type { Pipeline } from './pipeline.js';
import { ANOMALY_FLAGS } from './prediction.js';

/** The data's id column as written beside the predictions: as it was read (datetimes in ISO 8601). */
function idColumn(id: Column): OutputColumn {
  switch (id.kind) {
    case 'categorical':
      return { name: id.name, kind: 'label', codes: id.codes, labels: id.dictionary };
    case 'text':
      return { name: id.name, kind: 'text', values: id.values };
    case 'numeric':
      return { name: id.name, kind: 'number', values: id.values };
    case 'datetime':
      return { name: id.name, kind: 'text', values: Array.from(id.values, (ms) => (ms === ms ? new Date(ms).toISOString() : null)) };
  }
}

/**
 * What batch scoring writes for a table: its id column (when the data has the schema's id), the prediction (the
 * label, thresholded, or the value) and each class's probability. `hyperplane predict` and queue workers write the same.
 */
export function predictionColumns(pipeline: Pipeline, table: Table, scores: Float64Array): OutputColumn[] {
  const { spec } = pipeline;
  const columns: OutputColumn[] = [];
  const idName = spec.schema.find((c) => c.type === 'id' && table.columns.some((t) => t.name === c.name))?.name;
  const id = table.columns.find((c) => c.name === idName);
  if (id !== undefined) columns.push(idColumn(id));
  const classLabels = spec.target.labels;
  if (spec.target.task === 'cluster') {
    columns.push({ name: 'prediction', kind: 'label', codes: pipeline.labelCodes(scores), labels: [...pipeline.answerLabels!] });
    return columns;
  }
  if (spec.target.task === 'anomaly') {
    columns.push({ name: 'prediction', kind: 'label', codes: pipeline.labelCodes(scores), labels: [...ANOMALY_FLAGS] });
    columns.push({ name: 'score', kind: 'number', values: scores });
    return columns;
  }
  if (classLabels === undefined) {
    columns.push({ name: 'prediction', kind: 'number', values: scores });
    return columns;
  }
  columns.push({ name: 'prediction', kind: 'label', codes: pipeline.labelCodes(scores), labels: classLabels });
  const k = classLabels.length;
  classLabels.forEach((label, c) => {
    const values = new Float64Array(table.nRows);
    for (let i = 0; i < table.nRows; i++) values[i] = scores[i * k + c]!;
    columns.push({ name: `proba_${label}`, kind: 'number', values });
  });
  return columns;
}
