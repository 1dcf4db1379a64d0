import { HyperplaneError } from '../../errors.js';
import { isEncoded, type EncodedPrediction, type PredictionRecord } from '../../store/index.js';

/**
 * A batch of prediction records as it crosses to the log's thread: every string in one, every number
 * in one array. postMessage clones 500 record objects at ~1.7 µs each, property by property; one
 * string and one typed array cost about half, and nothing is left for the server's GC to trace.
 */
export interface PackedBatch {
  count: number;
  text: string;
  /** Per record: version, timestamp, latencyMs, then the lengths of id, model, request, response, arm, requestId (-1: absent). */
  numbers: Float64Array;
}

const NUMBERS = 9;

/**
 * Packs records, checking each field's kind first: a record the store would refuse throws here (a
 * HyperplaneError naming the field), so the writer can still set it aside by halving the batch.
 */
export function packBatch(batch: readonly PredictionRecord[]): PackedBatch {
  const numbers = new Float64Array(batch.length * NUMBERS);
  let text = '';
  for (let i = 0; i < batch.length; i++) {
    const p = batch[i]!;
    const request = isEncoded(p) ? p.requestJson : JSON.stringify(p.request);
    const response = isEncoded(p) ? p.responseJson : JSON.stringify(p.response);
    if (typeof p.id !== 'string' || typeof p.model !== 'string' || typeof request !== 'string' || typeof response !== 'string' || typeof p.version !== 'number' || typeof p.timestamp !== 'number' || typeof p.latencyMs !== 'number') {
      throw invalid(p, request, response);
    }
    const arm = p.arm ?? undefined;
    const requestId = p.requestId ?? undefined;
    const at = i * NUMBERS;
    numbers[at] = p.version;
    numbers[at + 1] = p.timestamp;
    numbers[at + 2] = p.latencyMs;
    numbers[at + 3] = p.id.length;
    numbers[at + 4] = p.model.length;
    numbers[at + 5] = request.length;
    numbers[at + 6] = response.length;
    numbers[at + 7] = arm === undefined ? -1 : arm.length;
    numbers[at + 8] = requestId === undefined ? -1 : requestId.length;
    text += p.id + p.model + request + response + (arm ?? '') + (requestId ?? '');
  }
  return { count: batch.length, text, numbers };
}

function invalid(p: PredictionRecord, request: unknown, response: unknown): HyperplaneError {
  const fields: [string, unknown, 'string' | 'number', string][] = [
    ['id', p.id, 'string', 'a string'],
    ['model', p.model, 'string', 'a string'],
    ['request', request, 'string', 'JSON text (or a JSON value)'],
    ['response', response, 'string', 'JSON text (or a JSON value)'],
    ['version', p.version, 'number', 'a number'],
    ['timestamp', p.timestamp, 'number', 'a number'],
    ['latencyMs', p.latencyMs, 'number', 'a number'],
  ];
  const [field, value, , expected] = fields.find(([, v, kind]) => typeof v !== kind)!;
  return new HyperplaneError(`prediction ${String(p.id)}: ${field} must be ${expected}, got ${typeof value}`, { field });
}

/** The records again, their request and response still JSON text (the store keeps them as such). */
export function unpackBatch({ count, text, numbers }: PackedBatch): EncodedPrediction[] {
  const out: EncodedPrediction[] = new Array(count);
  let pos = 0;
  const take = (length: number): string => text.slice(pos, (pos += length));
  for (let i = 0; i < count; i++) {
    const at = i * NUMBERS;
    const record: EncodedPrediction = {
      id: take(numbers[at + 3]!),
      model: take(numbers[at + 4]!),
      version: numbers[at]!,
      timestamp: numbers[at + 1]!,
      requestJson: take(numbers[at + 5]!),
      responseJson: take(numbers[at + 6]!),
      latencyMs: numbers[at + 2]!,
    };
    const armLength = numbers[at + 7]!;
    const requestIdLength = numbers[at + 8]!;
    if (armLength >= 0) record.arm = take(armLength);
    if (requestIdLength >= 0) record.requestId = take(requestIdLength);
    out[i] = record;
  }
  return out;
}
