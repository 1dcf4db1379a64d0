import { HyperplaneError } from '../../errors.js';
import { isEncoded, type EncodedPrediction, type PredictionRecord } from '../../store/index.js';
import { BatchBody, BatchRowPrediction } from './batch-rows.js';

/**
 * A batch of prediction records as it crosses to the log's thread: every string in one, every number
 * in one array. postMessage clones 500 record objects at ~1.7 µs each, property by property; one
 * string and one typed array cost about half, and nothing is left for the server's GC to trace.
 * The rows of a batch request travel as their request's body, once, with each row's place in it:
 * the rows are cut from it on the log's thread.
 */
export interface PackedBatch {
  count: number;
  text: string;
  /**
   * Per record: version, timestamp, latencyMs, then the lengths of id, model, request, response, arm
   * and requestId (-1: absent), then its body's index in `bodies` and its row in that body (-1, -1:
   * the request is in `text`).
   */
  numbers: Float64Array;
  /** Batch request bodies (`{"rows": [...]}` as they came) and their row counts. */
  bodies: { json: string; count: number }[];
}

const NUMBERS = 11;

/**
 * Packs records, checking each field's kind first: a record the store would refuse throws here (a
 * HyperplaneError naming the field), so the writer can still set it aside by halving the batch.
 */
export function packBatch(batch: readonly PredictionRecord[]): PackedBatch {
  const numbers = new Float64Array(batch.length * NUMBERS);
  const bodies: { json: string; count: number }[] = [];
  const bodyIndex = new Map<BatchBody, number>();
  let text = '';
  for (let i = 0; i < batch.length; i++) {
    const p = batch[i]!;
    const at = i * NUMBERS;
    const row = p instanceof BatchRowPrediction ? p : undefined;
    // A batch row's request is not read here: that would cut the whole body on this thread.
    const request = row !== undefined ? '' : isEncoded(p) ? p.requestJson : JSON.stringify(p.request);
    const response = isEncoded(p) ? p.responseJson : JSON.stringify(p.response);
    if (typeof p.id !== 'string' || typeof p.model !== 'string' || typeof request !== 'string' || typeof response !== 'string' || typeof p.version !== 'number' || typeof p.timestamp !== 'number' || typeof p.latencyMs !== 'number') {
      throw invalid(p, request, response);
    }
    if (row !== undefined) {
      // Each body once per pack, however its rows (and its shadows' rows) are interleaved with others.
      let index = bodyIndex.get(row.body);
      if (index === undefined) {
        index = bodies.push({ json: row.body.json, count: row.body.count }) - 1;
        bodyIndex.set(row.body, index);
      }
      numbers[at + 9] = index;
      numbers[at + 10] = row.rowIndex;
    } else {
      numbers[at + 9] = -1;
      numbers[at + 10] = -1;
    }
    const arm = p.arm ?? undefined;
    const requestId = p.requestId ?? undefined;
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
  return { count: batch.length, text, numbers, bodies };
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

/** The records again, their request and response JSON text (the store keeps them as such); batch rows are cut from their bodies here. */
export function unpackBatch({ count, text, numbers, bodies }: PackedBatch): EncodedPrediction[] {
  const out: EncodedPrediction[] = new Array(count);
  // Each body is cut once, at its first row's turn.
  const shared = bodies.map(({ json, count }) => new BatchBody(json, count));
  let pos = 0;
  const take = (length: number): string => text.slice(pos, (pos += length));
  for (let i = 0; i < count; i++) {
    const at = i * NUMBERS;
    const id = take(numbers[at + 3]!);
    const model = take(numbers[at + 4]!);
    let requestJson = take(numbers[at + 5]!);
    const responseJson = take(numbers[at + 6]!);
    const body = numbers[at + 9]!;
    if (body >= 0) requestJson = shared[body]!.row(numbers[at + 10]!);
    const record: EncodedPrediction = { id, model, version: numbers[at]!, timestamp: numbers[at + 1]!, requestJson, responseJson, latencyMs: numbers[at + 2]! };
    const armLength = numbers[at + 7]!;
    const requestIdLength = numbers[at + 8]!;
    if (armLength >= 0) record.arm = take(armLength);
    if (requestIdLength >= 0) record.requestId = take(requestIdLength);
    out[i] = record;
  }
  return out;
}
