import type { JsonValue, Prediction, PredictionWithFeedback } from '../../store/index.js';

/** One exported prediction: flat columns, as a CSV or Parquet file holds them. */
export type ExportCell = string | number | null;
export type ExportRow = Record<string, ExportCell>;

const isObject = (v: JsonValue): v is { [key: string]: JsonValue } => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A value as one cell: numbers and strings as they are, anything else (booleans, lists, objects) as its JSON. */
const cell = (v: JsonValue | undefined): ExportCell => (v === undefined || v === null ? null : typeof v === 'number' || typeof v === 'string' ? v : JSON.stringify(v));

/**
 * The columns of a logged prediction: its record, each request field as `input.<field>`, the
 * prediction and each class probability as `proba.<class>` (the server logs
 * `{prediction, probabilities}`); a request or response of another shape is kept whole as JSON text.
 */
export function exportRow(p: Prediction | PredictionWithFeedback, withFeedback: boolean): ExportRow {
  const row: ExportRow = {
    id: p.id,
    timestamp: new Date(p.timestamp).toISOString(),
    model: p.model,
    version: p.version,
    arm: p.arm ?? null,
    request_id: p.requestId ?? null,
    latency_ms: p.latencyMs,
  };
  if (isObject(p.request)) for (const [field, v] of Object.entries(p.request)) row[`input.${field}`] = cell(v);
  else row['request'] = JSON.stringify(p.request);
  if (isObject(p.response) && 'prediction' in p.response) {
    row['prediction'] = cell(p.response['prediction']);
    const proba = p.response['probabilities'];
    if (isObject(proba)) for (const [label, v] of Object.entries(proba)) row[`proba.${label}`] = cell(v);
  } else row['prediction'] = JSON.stringify(p.response);
  if (withFeedback) {
    const f = 'feedback' in p ? p.feedback : null;
    row['outcome'] = f === null ? null : cell(f.outcome);
    row['reward'] = f?.reward ?? null;
    row['feedback_time'] = f === null ? null : new Date(f.timestamp).toISOString();
  }
  return row;
}

export type ColumnKind = 'number' | 'text';

/**
 * The columns seen across the rows and each one's kind: a CSV's header must be known before its
 * first row, and a Parquet column's type. Feedback columns go last, probabilities after the prediction.
 */
export class ExportColumns {
  private readonly kinds = new Map<string, ColumnKind>();

  add(row: ExportRow): void {
    for (const [name, v] of Object.entries(row)) {
      const was = this.kinds.get(name);
      // A column is numeric while every value seen is a number (or missing).
      const now: ColumnKind = ALWAYS_TEXT.has(name) || (v !== null && typeof v !== 'number') ? 'text' : 'number';
      if (was === undefined || (was === 'number' && now === 'text')) this.kinds.set(name, now);
    }
  }

  list(): { name: string; kind: ColumnKind }[] {
    const rank = (name: string): number => (name.startsWith('input.') || name === 'request' ? 1 : name === 'prediction' ? 2 : name.startsWith('proba.') ? 3 : FEEDBACK.includes(name) ? 4 : 0);
    // Array.prototype.sort is stable: within a rank, columns keep the order they were first seen in.
    return [...this.kinds].map(([name, kind]) => ({ name, kind })).sort((a, b) => rank(a.name) - rank(b.name));
  }
}

const FEEDBACK = ['outcome', 'reward', 'feedback_time'];
/** Text even when every value is missing (no prediction went through an arm). */
const ALWAYS_TEXT = new Set(['id', 'timestamp', 'model', 'arm', 'request_id', 'feedback_time']);
