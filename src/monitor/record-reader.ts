import { predictionScore } from './reference.js';
import { FALSE, FlatJsonReader, NUMBER, OBJECT, STRING, TRUE, type FlatRow } from './flat-json.js';

/**
 * What the fold reads of a logged prediction: the request as a row of the reference's columns, and of
 * the answer its score and predicted label. From JSON text (the journal's) through the flat scanner,
 * JSON.parse where it declines; or from values already parsed. Reused from record to record.
 */
export class RecordReader {
  private readonly requests: FlatJsonReader;
  private readonly responses: FlatJsonReader;
  private readonly probabilities: FlatJsonReader;
  /** The answer's probabilities of the target's labels, in order. */
  private readonly scores: Float64Array;
  /** The last answer's score (NaN: none) and predicted label. */
  score = NaN;
  predicted: string | null = null;
  /** Whether the last answer gave probabilities (then `probabilities` holds them, in the labels' order). */
  hasProbabilities = false;

  constructor(
    columns: readonly string[],
    private readonly labels: readonly string[] | undefined,
  ) {
    this.requests = new FlatJsonReader(columns);
    this.probabilities = new FlatJsonReader(labels ?? []);
    // An anomaly model answers a flag as its prediction and the score beside it.
    this.responses = new FlatJsonReader(['prediction', 'probabilities', 'score'], { probabilities: this.probabilities });
    this.scores = new Float64Array(labels?.length ?? 0);
  }

  /** The last answer's probabilities, in the labels' order (valid while hasProbabilities). */
  get classProbabilities(): Float64Array {
    return this.scores;
  }

  get row(): FlatRow {
    return this.requests.row;
  }

  /** A request's text into row. The journal holds valid JSON (the server encoded it); text that is not reads as an empty row. */
  requestText(text: string): void {
    if (!this.requests.read(text)) this.row.fill(parseOrNull(text));
  }

  request(value: unknown): void {
    this.row.fill(value);
  }

  responseText(text: string): void {
    if (!this.responses.read(text)) return this.response(parseOrNull(text));
    const row = this.responses.row;
    this.predicted = labelAt(row, 0);
    this.hasProbabilities = row.kind[1] === OBJECT && this.labels !== undefined;
    if (this.hasProbabilities) {
      const p = this.probabilities.row;
      for (let k = 0; k < this.scores.length; k++) this.scores[k] = numberAt(p, k);
      this.score = predictionScore(this.scores);
    } else this.score = row.kind[2] === NUMBER ? row.num[2]! : numberAt(row, 0);
  }

  response(value: unknown): void {
    const response = isRecord(value) ? value : {};
    const probabilities = response['probabilities'];
    this.predicted = asLabel(response['prediction']);
    this.hasProbabilities = isRecord(probabilities) && this.labels !== undefined;
    if (isRecord(probabilities) && this.labels !== undefined) {
      for (let k = 0; k < this.scores.length; k++) this.scores[k] = asNumber(own(probabilities, this.labels[k]!));
      this.score = predictionScore(this.scores);
    } else this.score = typeof response['score'] === 'number' ? response['score'] : asNumber(response['prediction']);
  }
}

/** A row's value j as a number: a numeric string is one; anything else is NaN. */
export function numberAt(row: FlatRow, j: number): number {
  const kind = row.kind[j];
  if (kind === NUMBER) return row.num[j]!;
  return kind === STRING ? asNumber(row.str[j]) : NaN;
}

/** A row's value j as a label: an object (or array) is of the wrong type, read as missing. */
export function labelAt(row: FlatRow, j: number): string | null {
  switch (row.kind[j]) {
    case NUMBER:
      return String(row.num[j]!);
    case STRING:
      return row.str[j] === '' ? null : row.str[j]!;
    case TRUE:
      return 'true';
    case FALSE:
      return 'false';
    default:
      return null;
  }
}

/** Whether value j, read as no number, was of the wrong type rather than missing (absent, null or blank). */
export function invalidNumberAt(row: FlatRow, j: number): boolean {
  const kind = row.kind[j];
  if (kind === STRING) return row.str[j]!.trim() !== '';
  return kind === TRUE || kind === FALSE || kind === OBJECT;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return NaN;
}

export function asLabel(v: unknown): string | null {
  if (v === null || v === undefined || v === '') return null;
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

/** An own property: a key the JSON text did not have is not read from Object.prototype. */
function own(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function parseOrNull(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
