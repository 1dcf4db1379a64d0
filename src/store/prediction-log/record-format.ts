import { crc32 } from 'node:zlib';
import { HyperplaneError } from '../../errors.js';
import { isEncoded, type EncodedPrediction, type PredictionRecord } from '../serving.js';

/**
 * The prediction journal's segment format, version 1.
 *
 * Header (20 bytes): magic `HPJL`, u16 LE format version, u16 LE header length, u32 LE writer pid,
 * f64 LE creation time (epoch ms). A reader refuses a version it does not know.
 *
 * Then records, each framed as u32 LE payload length, u32 LE CRC-32 of the payload, payload. The
 * payload is UTF-8 JSON: the record's scalar fields, then `"request":` and `"response":` with the
 * request and response JSON text spliced in as given (the server encoded them once already; they are
 * never parsed here). `q` holds the request's byte length, so a reader cuts the two texts out without
 * parsing them: `{"id":…,"model":…,…,"q":17,"request":{…},"response":{…}}`.
 */
export const SEGMENT_MAGIC = Buffer.from('HPJL', 'latin1');
export const SEGMENT_VERSION = 1;
export const HEADER_BYTES = 20;
/** Each record's frame: u32 payload length, u32 CRC-32. */
export const FRAME_BYTES = 8;

export interface SegmentHeader {
  version: number;
  pid: number;
  createdMs: number;
}

export function encodeHeader(pid: number, createdMs: number): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  SEGMENT_MAGIC.copy(header, 0);
  header.writeUInt16LE(SEGMENT_VERSION, 4);
  header.writeUInt16LE(HEADER_BYTES, 6);
  header.writeUInt32LE(pid >>> 0, 8);
  header.writeDoubleLE(createdMs, 12);
  return header;
}

/**
 * The header of a segment, or undefined when the file is shorter than one (a writer killed as it
 * created the file). Throws, naming `file`, for bytes that are not a segment or a version this code
 * cannot read: shipping such a file as if it were one would lose its records.
 */
export function readHeader(bytes: Uint8Array, file: string): SegmentHeader | undefined {
  const buf = asBuffer(bytes);
  const magicBytes = Math.min(buf.length, SEGMENT_MAGIC.length);
  if (!buf.subarray(0, magicBytes).equals(SEGMENT_MAGIC.subarray(0, magicBytes))) {
    throw new HyperplaneError(`${file} is not a prediction journal segment (no HPJL magic)`, { file });
  }
  if (buf.length < 6) return undefined;
  const version = buf.readUInt16LE(4);
  if (version !== SEGMENT_VERSION) {
    throw new HyperplaneError(`${file} is a prediction journal segment of format version ${version}; this Hyperplane reads version ${SEGMENT_VERSION} only`, { file });
  }
  if (buf.length < HEADER_BYTES) return undefined;
  return { version, pid: buf.readUInt32LE(8), createdMs: buf.readDoubleLE(12) };
}

/**
 * One turn's records as one buffer of framed records, for one write. A record that cannot be encoded
 * (a field of the wrong kind, a value JSON refuses) is left out and given to `onUnencodable`, so one bad
 * record never holds back a turn; without `onUnencodable` it throws.
 */
export function encodeRecords(records: readonly PredictionRecord[], onUnencodable?: (record: PredictionRecord, error: unknown) => void): Buffer {
  const payloads: string[] = [];
  for (const record of records) {
    try {
      payloads.push(payloadText(record));
    } catch (e) {
      if (onUnencodable === undefined) throw e;
      onUnencodable(record, e);
    }
  }
  let total = 0;
  for (const p of payloads) total += FRAME_BYTES + Buffer.byteLength(p);
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const p of payloads) {
    // Written straight into the turn's buffer: no buffer per record.
    const length = out.write(p, at + FRAME_BYTES);
    out.writeUInt32LE(length, at);
    out.writeUInt32LE(crc32(out.subarray(at + FRAME_BYTES, at + FRAME_BYTES + length)), at + 4);
    at += FRAME_BYTES + length;
  }
  return out;
}

const str = JSON.stringify;

function payloadText(record: PredictionRecord): string {
  const requestJson = isEncoded(record) ? record.requestJson : str(record.request);
  const responseJson = isEncoded(record) ? record.responseJson : str(record.response);
  // A record that cannot be encoded (a non-string text, a value JSON refuses) fails here, at commit, rather than in the shipper.
  if (typeof requestJson !== 'string' || typeof responseJson !== 'string') {
    throw new HyperplaneError(`prediction ${String(record.id)}: its request and response must encode to JSON text`);
  }
  if (typeof record.id !== 'string' || typeof record.model !== 'string' || typeof record.version !== 'number' || typeof record.timestamp !== 'number' || typeof record.latencyMs !== 'number') {
    throw new HyperplaneError(`prediction ${String(record.id)}: id and model must be text; version, timestamp and latencyMs numbers`);
  }
  // Field by field rather than JSON.stringify of an object: this runs for every prediction, on the serving thread.
  let text = `{"id":${str(record.id)},"model":${str(record.model)},"version":${str(record.version)},"timestamp":${str(record.timestamp)},"latencyMs":${str(record.latencyMs)}`;
  if (record.arm !== undefined) text += `,"arm":${str(record.arm)}`;
  if (record.requestId !== undefined) text += `,"requestId":${str(record.requestId)}`;
  return `${text},"q":${Buffer.byteLength(requestJson)},"request":${requestJson},"response":${responseJson}}`;
}

const REQUEST_KEY = Buffer.from(',"request":');
const RESPONSE_KEY = Buffer.from(',"response":');

/**
 * A payload back as an EncodedPrediction. `,"request":` cannot occur inside the JSON text of the scalar
 * fields before it (a quote inside a string is always escaped), so its first occurrence ends them.
 */
export function decodePayload(payload: Buffer): EncodedPrediction {
  const requestAt = payload.indexOf(REQUEST_KEY);
  if (requestAt < 0) throw new Error('a journal record without its request');
  const meta = scanMeta(payload, requestAt) ?? (JSON.parse(`${payload.toString('utf8', 0, requestAt)}}`) as Meta);
  const requestStart = requestAt + REQUEST_KEY.length;
  const requestEnd = requestStart + meta.q;
  if (!bytesAt(payload, requestEnd, RESPONSE_KEY) || payload[payload.length - 1] !== 0x7d) {
    throw new Error(`journal record ${String(meta.id)} is malformed`);
  }
  const record: EncodedPrediction = {
    id: meta.id,
    model: meta.model,
    version: meta.version,
    timestamp: meta.timestamp,
    latencyMs: meta.latencyMs,
    requestJson: payload.toString('utf8', requestStart, requestEnd),
    responseJson: payload.toString('utf8', requestEnd + RESPONSE_KEY.length, payload.length - 1),
  };
  if (meta.arm !== undefined) record.arm = meta.arm;
  if (meta.requestId !== undefined) record.requestId = meta.requestId;
  return record;
}

type Meta = Omit<EncodedPrediction, 'requestJson' | 'responseJson'> & { q: number };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

/**
 * The scalar fields as payloadText writes them (in its order), read without JSON.parse: this runs for
 * every record the shipper loads, and parsing them was its largest cost. Undefined for anything else
 * (another order, an escaped quote in a text): JSON.parse then reads it.
 */
function scanMeta(b: Buffer, end: number): Meta | undefined {
  let at = 0;
  const key = (name: Buffer): boolean => {
    if (!bytesAt(b, at, name)) return false;
    at += name.length;
    return true;
  };
  const text = (): string | undefined => {
    if (b[at] !== QUOTE) return undefined;
    const close = b.indexOf(QUOTE, at + 1);
    if (close < 0 || close > end) return undefined;
    // An escape inside: JSON.parse reads this record (the quote found may be an escaped one).
    for (let i = at + 1; i < close; i++) if (b[i] === BACKSLASH) return undefined;
    const value = b.toString('utf8', at + 1, close);
    at = close + 1;
    return value;
  };
  const number = (): number | undefined => {
    let stop = b.indexOf(COMMA, at);
    if (stop < 0 || stop > end) stop = end;
    const value = Number(b.toString('latin1', at, stop));
    if (stop === at || !Number.isFinite(value)) return undefined;
    at = stop;
    return value;
  };
  if (!key(META_KEYS.id)) return undefined;
  const id = text();
  if (id === undefined || !key(META_KEYS.model)) return undefined;
  const model = text();
  if (model === undefined || !key(META_KEYS.version)) return undefined;
  const version = number();
  if (version === undefined || !key(META_KEYS.timestamp)) return undefined;
  const timestamp = number();
  if (timestamp === undefined || !key(META_KEYS.latencyMs)) return undefined;
  const latencyMs = number();
  if (latencyMs === undefined) return undefined;
  const meta: Meta = { id, model, version, timestamp, latencyMs, q: 0 };
  if (key(META_KEYS.arm)) {
    const arm = text();
    if (arm === undefined) return undefined;
    meta.arm = arm;
  }
  if (key(META_KEYS.requestId)) {
    const requestId = text();
    if (requestId === undefined) return undefined;
    meta.requestId = requestId;
  }
  if (!key(META_KEYS.q)) return undefined;
  const q = number();
  if (q === undefined || at !== end) return undefined;
  meta.q = q;
  return meta;
}

/** Whether `b` holds `bytes` at `at`: compared in place, since a subarray per comparison was a third of the scan's cost. */
function bytesAt(b: Buffer, at: number, bytes: Buffer): boolean {
  if (at + bytes.length > b.length) return false;
  for (let i = 0; i < bytes.length; i++) if (b[at + i] !== bytes[i]) return false;
  return true;
}

const META_KEYS = {
  id: Buffer.from('{"id":'),
  model: Buffer.from(',"model":'),
  version: Buffer.from(',"version":'),
  timestamp: Buffer.from(',"timestamp":'),
  latencyMs: Buffer.from(',"latencyMs":'),
  arm: Buffer.from(',"arm":'),
  requestId: Buffer.from(',"requestId":'),
  q: Buffer.from(',"q":'),
};

export interface SegmentContents {
  header: SegmentHeader | undefined;
  records: EncodedPrediction[];
  /** Records cut off or corrupt at the end (a writer killed mid-write, a damaged disk): 1 per torn tail, 0 for a clean file. */
  torn: number;
  /** Bytes after the last readable record. */
  tornBytes: number;
  /** Records whose frame and CRC are intact but whose payload does not decode (written wrong, not torn): skipped, the rest read. */
  undecodable: number;
}

/**
 * Reads a whole segment. The first record whose length runs past the end or whose CRC fails ends the
 * readable part: what follows cannot be framed reliably, and a torn tail is what a killed writer leaves.
 */
export function readSegment(bytes: Uint8Array, file = 'segment'): SegmentContents {
  const records: EncodedPrediction[] = [];
  const batches = segmentBatches(bytes, file, Number.POSITIVE_INFINITY);
  for (let next = batches.next(); ; next = batches.next()) {
    if (next.done === true) return { ...next.value, records };
    for (const r of next.value) records.push(r);
  }
}

/**
 * A segment's records decoded `batchSize` at a time, as readSegment reads them, then (as the generator's
 * return value) what the whole segment held besides. The shipper stores and summarizes each batch before
 * the next is decoded, so it holds one batch of records decoded, never a whole segment's (~15,000 records,
 * tens of MB as strings and objects, in a segment of half a second at full load).
 */
export function* segmentBatches(bytes: Uint8Array, file: string, batchSize: number): Generator<EncodedPrediction[], Omit<SegmentContents, 'records'>> {
  const buf = asBuffer(bytes);
  const header = readHeader(buf, file);
  if (header === undefined) return { header, torn: buf.length > 0 ? 1 : 0, tornBytes: buf.length, undecodable: 0 };
  let batch: EncodedPrediction[] = [];
  let undecodable = 0;
  let at = buf.readUInt16LE(6);
  while (at < buf.length) {
    if (at + FRAME_BYTES > buf.length) break;
    const length = buf.readUInt32LE(at);
    const end = at + FRAME_BYTES + length;
    if (end > buf.length) break;
    const payload = buf.subarray(at + FRAME_BYTES, end);
    if (crc32(payload) !== buf.readUInt32LE(at + 4)) break;
    try {
      batch.push(decodePayload(payload));
    } catch {
      // Its frame is intact, so the records after it can still be read.
      undecodable++;
    }
    at = end;
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
  const tornBytes = buf.length - at;
  return { header, torn: tornBytes > 0 ? 1 : 0, tornBytes, undecodable };
}

const asBuffer = (bytes: Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
