import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HyperplaneError } from '../../src/errors.js';
import { BatchBody, BatchRowPrediction } from '../../src/serve/log/batch-rows.js';
import { packBatch, unpackBatch } from '../../src/serve/log/packed-batch.js';
import { spillLine } from '../../src/serve/log/spill-file.js';
import { openStore, type EncodedPrediction, type Prediction, type PredictionRecord } from '../../src/store/index.js';
// The thread runs compiled code (`npm test` builds first), as it does in `hyperplane serve`.
import { WorkerPredictionLog } from '../../dist/serve/log/worker-log.js';
import { tempDir } from '../helpers.js';

const encoded = (i: number, extra: Partial<EncodedPrediction> = {}): EncodedPrediction => ({
  id: `01a2-${i}`,
  model: 'churn',
  version: 3,
  timestamp: 1_700_000_000_000 + i,
  requestJson: `{"tenure":${i},"plan":"b\\"asic \u00e9\u{1F600}"}`,
  responseJson: '{"prediction":"yes","probabilities":{"yes":0.75,"no":0.25}}',
  latencyMs: 0.125,
  ...extra,
});

describe('packed prediction batches (how the log crosses to its thread)', () => {
  it('unpack gives back every field, strings of any content and length, arm and request id only where given', () => {
    const plain: Prediction = { id: 'p-plain', model: 'm', version: 1, timestamp: 5, request: { a: [1, 'x'] }, response: { prediction: 2.5 }, latencyMs: 1, arm: null, requestId: null };
    const batch: PredictionRecord[] = [encoded(0), encoded(1, { arm: 'v4', requestId: 'req-\u00e9' }), encoded(2, { arm: '', requestId: '' }), plain, encoded(3, { requestJson: '{}', responseJson: '{"prediction":null}' })];
    const back = unpackBatch(packBatch(batch));
    expect(back).toEqual([
      encoded(0),
      encoded(1, { arm: 'v4', requestId: 'req-\u00e9' }),
      encoded(2, { arm: '', requestId: '' }),
      // A record with values is encoded as the store would encode it; null arm and request id are absent (stored as null alike).
      { id: 'p-plain', model: 'm', version: 1, timestamp: 5, requestJson: '{"a":[1,"x"]}', responseJson: '{"prediction":2.5}', latencyMs: 1 },
      encoded(3, { requestJson: '{}', responseJson: '{"prediction":null}' }),
    ]);
    expect(unpackBatch(packBatch([]))).toEqual([]);
  });

  it("a batch request's rows travel as its body, once, and are cut on the other side; a body the cut can't follow is parsed again", () => {
    const rows = [{ a: 1, b: 'x}"{' }, { a: -2.5e-7, b: null }, { a: 3, b: ['[', { c: '\\' }] }];
    const json = `{ "model": "ignored", "rows" : [ ${rows.map((r) => JSON.stringify(r, null, 1)).join(' ,\n')} ] }`;
    const body = new BatchBody(json, rows.length);
    const row = (i: number, armed = false): BatchRowPrediction => new BatchRowPrediction(body, i, `b-${i}`, 'churn', 2, 1_700_000_000_000, `{"prediction":${i}}`, 0.5, armed ? 'v2' : null, armed ? 'req-1' : null);
    // A body key spelled with an escape: the cut declines, and the rows are encoded from a second parse.
    const escaped = new BatchBody('{"r\\u006fws":[{"a":1},{"a":2}]}', 2);
    const batch: PredictionRecord[] = [encoded(0), row(0), row(1, true), new BatchRowPrediction(escaped, 1, 'e-1', 'churn', 2, 5, '{}', 1, null, null), row(2), encoded(1)];
    const packed = packBatch(batch);
    // Each body once, though the second body's row came between the first's.
    expect(packed.bodies.map((b) => b.json)).toEqual([json, escaped.json]);
    // Not cut on this side.
    expect(packed.text).not.toContain('x}');
    const back = unpackBatch(packed);
    const [r0, r1, r2] = rows.map((r) => JSON.stringify(r, null, 1));
    expect(back.map((p) => p.requestJson)).toEqual([encoded(0).requestJson, r0, r1, '{"a":2}', r2, encoded(1).requestJson]);
    expect(back.map((p) => JSON.parse(p.requestJson))).toEqual([{ tenure: 0, plan: 'b"asic \u00e9\u{1F600}' }, rows[0], rows[1], { a: 2 }, rows[2], { tenure: 1, plan: 'b"asic \u00e9\u{1F600}' }]);
    expect(back[2]).toEqual({ id: 'b-1', model: 'churn', version: 2, timestamp: 1_700_000_000_000, requestJson: JSON.stringify(rows[1], null, 1), responseJson: '{"prediction":1}', latencyMs: 0.5, arm: 'v2', requestId: 'req-1' });
    // Read on this thread (the spill file, PostgreSQL), a row is cut here; its body never leaks into the record's fields.
    expect(row(2).requestJson).toBe(JSON.stringify(rows[2], null, 1));
    const line = JSON.parse(spillLine(row(1, true)));
    const r1Text = JSON.stringify(rows[1], null, 1);
    expect(line).toEqual({ id: 'b-1', model: 'churn', version: 2, timestamp: 1_700_000_000_000, latencyMs: 0.5, arm: 'v2', requestId: 'req-1', requestLength: r1Text.length, responseLength: 16, request: rows[1], response: { prediction: 1 } });
    expect(Object.keys({ ...row(0) })).not.toContain('body');
  });

  it('a record the store would refuse throws a HyperplaneError naming the field', () => {
    const bad = { ...encoded(1), requestJson: undefined } as unknown as EncodedPrediction;
    expect(() => packBatch([encoded(0), bad])).toThrow(HyperplaneError);
    expect(() => packBatch([bad])).toThrow(/prediction 01a2-1: request must be JSON text/);
    expect(() => packBatch([{ ...encoded(2), version: '3' } as unknown as EncodedPrediction])).toThrow(/version must be a number, got string/);
  });

  it('WorkerPredictionLog stores batches through its own thread, and an invalid record fails the insert with its kind', async () => {
    const uri = `sqlite:${join(tempDir('hyperplane-wlog-'), 'h.db')}`;
    const store = await openStore({ uri });
    const log = new WorkerPredictionLog(uri);
    try {
      const batch = Array.from({ length: 700 }, (_, i) => encoded(i, i % 7 === 0 ? { arm: 'v4', requestId: `r${i}` } : {}));
      await log.insert(batch.slice(0, 300));
      await log.insert(batch.slice(300));
      expect(await store.predictions.count()).toBe(700);
      const stored = await store.predictions.get('01a2-14');
      expect(stored).toEqual({ id: '01a2-14', model: 'churn', version: 3, timestamp: 1_700_000_000_014, request: { tenure: 14, plan: 'b"asic \u00e9\u{1F600}' }, response: { prediction: 'yes', probabilities: { yes: 0.75, no: 0.25 } }, latencyMs: 0.125, arm: 'v4', requestId: 'r14' });
      // Refused by the store on its thread (an empty id), or before it crosses (a number for a name):
      // the writer sets records aside by this kind (the compiled module's HyperplaneError, so by name here).
      const refused = async (record: EncodedPrediction): Promise<Error> => log.insert([record]).then(() => new Error('stored'), (e: Error) => e);
      expect(await refused(encoded(900, { id: '' }))).toMatchObject({ name: 'HyperplaneError', message: expect.stringMatching(/prediction id/) });
      expect(await refused({ ...encoded(901), model: 7 } as unknown as EncodedPrediction)).toMatchObject({ name: 'HyperplaneError', message: expect.stringMatching(/model must be a string/) });
      expect(await store.predictions.count()).toBe(700);
    } finally {
      await log.close();
      await store.close();
    }
  });
});
