import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { EncodedPrediction, Prediction } from '../../../src/store/index.js';
import { encodeHeader, encodeRecords, readSegment, segmentBatches } from '../../../src/store/prediction-log/record-format.js';

const record = (i: number, extra: Partial<EncodedPrediction> = {}): EncodedPrediction => ({
  id: `p-${i}`,
  model: 'churn',
  version: 3,
  timestamp: 1_700_000_000_000 + i,
  // Raw text as the server encoded it: spacing and key order must come back byte for byte.
  requestJson: `{ "tenure" : ${i}, "plan":"b\\"asic \u00e9\u{1F600}", "note":"a,\\"request\\":x" }`,
  responseJson: '{"prediction":"yes","probabilities":{"yes":0.75,"no":0.25}}',
  latencyMs: 0.125,
  ...extra,
});

const segment = (...records: EncodedPrediction[]): Buffer => Buffer.concat([encodeHeader(4242, 1_700_000_000_000), encodeRecords(records)]);

describe('journal segment format', () => {
  it('round-trips records: unicode, raw JSON text untouched, optional fields only where given', () => {
    const records = [record(0), record(1, { arm: 'v4', requestId: 'req-\u00e9' }), record(2, { arm: null, requestId: null }), record(3, { id: 'id "quoted", \\ \u2028', requestJson: '[]', responseJson: '"x"' })];
    const back = readSegment(segment(...records), 'test.seg');
    expect(back.records).toEqual(records);
    expect(back.torn).toBe(0);
    expect(back.tornBytes).toBe(0);
    expect(back.header).toEqual({ version: 1, pid: 4242, createdMs: 1_700_000_000_000 });
  });

  it('reads the scalar fields without JSON.parse as JSON.parse reads them, and hand-written orders too', () => {
    const records = [record(4, { latencyMs: 1e-7, version: 2 ** 40, id: '\u00e9t\u00e9-\u{1F600}', model: 'm,"q":1' }), record(5, { latencyMs: 0, arm: '', requestId: 'r' })];
    expect(readSegment(segment(...records), 'test.seg').records).toEqual(records);
    // Another writer's key order: read by JSON.parse.
    const payload = Buffer.from('{"model":"m","id":"x","version":1,"timestamp":2,"latencyMs":3,"q":2,"request":{},"response":"y"}');
    const frame = Buffer.alloc(8);
    frame.writeUInt32LE(payload.length, 0);
    frame.writeUInt32LE(crc32(payload), 4);
    expect(readSegment(Buffer.concat([encodeHeader(1, 0), frame, payload]), 'x.seg').records).toEqual([{ id: 'x', model: 'm', version: 1, timestamp: 2, latencyMs: 3, requestJson: '{}', responseJson: '"y"' }]);
  });

  it('encodes a record with values (not text) as their JSON', () => {
    const plain: Prediction = { id: 'v', model: 'm', version: 1, timestamp: 5, request: { a: [1, 'é'] }, response: { prediction: 2.5 }, latencyMs: 1 };
    const [back] = readSegment(Buffer.concat([encodeHeader(1, 1), encodeRecords([plain])])).records;
    expect(back).toEqual({ id: 'v', model: 'm', version: 1, timestamp: 5, requestJson: '{"a":[1,"é"]}', responseJson: '{"prediction":2.5}', latencyMs: 1 });
  });

  it('a segment cut in the middle of a record reads the records before it and counts one torn', () => {
    const whole = segment(record(0), record(1), record(2));
    for (const cut of [whole.length - 1, whole.length - 20, whole.length - record(2).requestJson.length - 60]) {
      const back = readSegment(whole.subarray(0, cut));
      expect(back.records.map((r) => r.id)).toEqual(['p-0', 'p-1']);
      expect(back.torn).toBe(1);
      expect(back.tornBytes).toBeGreaterThan(0);
    }
    // Cut inside the frame's 8 bytes of length and CRC.
    const twoOnly = segment(record(0), record(1)).length;
    expect(readSegment(whole.subarray(0, twoOnly + 3)).records).toHaveLength(2);
    expect(readSegment(whole.subarray(0, twoOnly + 3)).tornBytes).toBe(3);
  });

  it('a flipped byte fails the CRC: the records before it are read, the rest counted torn', () => {
    const whole = segment(record(0), record(1), record(2));
    const damaged = Buffer.from(whole);
    const inSecond = segment(record(0)).length + 8 + 10;
    damaged[inSecond] = damaged[inSecond]! ^ 0x01;
    const back = readSegment(damaged);
    expect(back.records.map((r) => r.id)).toEqual(['p-0']);
    expect(back.torn).toBe(1);
    expect(back.tornBytes).toBe(whole.length - segment(record(0)).length);
  });

  it('skips a record whose frame is intact but whose payload does not decode, and reads on', () => {
    const garbage = Buffer.from('{"id":"no request here"}');
    const frame = Buffer.alloc(8);
    frame.writeUInt32LE(garbage.length, 0);
    frame.writeUInt32LE(crc32(garbage), 4);
    const back = readSegment(Buffer.concat([segment(record(0)), frame, garbage, encodeRecords([record(1)])]));
    expect(back.records.map((r) => r.id)).toEqual(['p-0', 'p-1']);
    expect(back).toMatchObject({ undecodable: 1, torn: 0 });
  });

  it('leaves out a record that cannot be encoded, telling the caller, and keeps the rest', () => {
    const left: string[] = [];
    const bad = { ...record(1), requestJson: undefined } as unknown as EncodedPrediction;
    const noId = { ...record(2), id: undefined } as unknown as EncodedPrediction;
    const bytes = encodeRecords([record(0), bad, noId, record(3)], (r) => left.push(String(r.id)));
    expect(left).toEqual(['p-1', 'undefined']);
    expect(readSegment(Buffer.concat([encodeHeader(1, 1), bytes])).records.map((r) => r.id)).toEqual(['p-0', 'p-3']);
    expect(() => encodeRecords([bad])).toThrow(/must encode to JSON text/);
  });

  it('segmentBatches gives the records readSegment reads, a batch at a time, then the segment\'s torn and undecodable counts', () => {
    const garbage = Buffer.from('{"id":"no request here"}');
    const frame = Buffer.alloc(8);
    frame.writeUInt32LE(garbage.length, 0);
    frame.writeUInt32LE(crc32(garbage), 4);
    const torn = encodeRecords([record(9)]);
    const bytes = Buffer.concat([segment(record(0), record(1), record(2)), frame, garbage, encodeRecords([record(3), record(4)]), torn.subarray(0, 12)]);
    const batches = segmentBatches(bytes, 'x.seg', 2);
    const seen: string[][] = [];
    let next = batches.next();
    for (; next.done !== true; next = batches.next()) seen.push(next.value.map((r) => r.id));
    expect(seen).toEqual([['p-0', 'p-1'], ['p-2', 'p-3'], ['p-4']]);
    const { records, ...rest } = readSegment(bytes);
    expect(records.map((r) => r.id)).toEqual(seen.flat());
    expect(next.value).toEqual(rest);
    expect(rest).toMatchObject({ torn: 1, tornBytes: 12, undecodable: 1 });
  });

  it('a header cut short is an empty, torn segment; an empty file is an empty one', () => {
    expect(readSegment(encodeHeader(1, 1).subarray(0, 9))).toMatchObject({ records: [], torn: 1, tornBytes: 9 });
    expect(readSegment(Buffer.alloc(0))).toMatchObject({ records: [], torn: 0, tornBytes: 0 });
  });

  it('refuses an unknown format version, or a file that is not a segment, naming the file', () => {
    const future = segment(record(0));
    future.writeUInt16LE(2, 4);
    expect(() => readSegment(future, '/j/123-4/000007.seg')).toThrow(/\/j\/123-4\/000007\.seg is a prediction journal segment of format version 2; this Hyperplane reads version 1 only/);
    expect(() => readSegment(Buffer.from('{"id":1}\n'), 'x.seg')).toThrow(/x\.seg is not a prediction journal segment/);
  });
});
