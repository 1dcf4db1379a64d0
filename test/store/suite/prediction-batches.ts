import { expect, it } from 'vitest';
import { HyperplaneError } from '../../../src/errors.js';
import type { EncodedPrediction } from '../../../src/store/index.js';
import { isInvalidRecord } from '../../../src/store/prediction-log/invalid-record.js';
import type { SuiteContext } from './context.js';

/** Text COPY's format gives a meaning to (tab, newline, CR, backslash, `\N`, `\.`), quotes, and non-ASCII. */
const NASTY = ['\t', '\n', '\r\n', '\\', '\\N', '\\.', '"', "'", ',', '😀', 'é', '\u2028', '𝄞x', ' lead', 'trail '];

/** The shipper's batch size: over the COPY threshold on PostgreSQL. */
const BATCH = 5_000;

function nastyRecord(i: number): EncodedPrediction {
  const nasty = NASTY[i % NASTY.length]!;
  return {
    id: `n${String(i).padStart(5, '0')}${nasty}`,
    // Raw control characters make JSON that get() and list() cannot parse: those go under a model of their own.
    model: i % 5 === 0 ? 'raw' : i % 2 === 0 ? 'churn' : `churn${nasty}`,
    version: 1 + (i % 3),
    timestamp: 1_700_000_000_000 + i,
    // Encoded JSON is stored as given: a raw tab or newline inside it must come back as it went in.
    requestJson: i % 5 === 0 ? `{"text":"${nasty}","i":${i}}` : JSON.stringify({ text: nasty, i, nested: [nasty, null] }),
    responseJson: JSON.stringify({ label: nasty, p: i / 7 }),
    latencyMs: i % 4 === 0 ? 0 : i / 3,
    ...(i % 3 === 0 ? {} : { arm: `arm${nasty}` }),
    ...(i % 2 === 0 ? {} : { requestId: nasty }),
  };
}

const nastyBatch = (): EncodedPrediction[] => Array.from({ length: BATCH }, (_, i) => nastyRecord(i));

export function predictionBatchCases(ctx: SuiteContext): void {
  it('stores a large batch of awkward text exactly as given, on every insert path', async () => {
    const batch = nastyBatch();
    await ctx.store.predictions.insert(batch);
    const stored = await ctx.store.db.selectFrom('prediction_log').selectAll().execute();
    const byId = new Map(stored.map((r) => [r.id, r]));
    expect(byId.size).toBe(BATCH);
    for (const p of batch) {
      expect(byId.get(p.id)).toEqual({
        id: p.id,
        model: p.model,
        version: p.version,
        ts: p.timestamp,
        request: p.requestJson,
        response: p.responseJson,
        latency_ms: p.latencyMs,
        arm: p.arm ?? null,
        request_id: p.requestId ?? null,
      });
    }
    const sample = batch[BATCH - 2]!;
    expect(await ctx.store.predictions.get(sample.id)).toEqual({
      id: sample.id,
      model: sample.model,
      version: sample.version,
      timestamp: sample.timestamp,
      request: JSON.parse(sample.requestJson),
      response: JSON.parse(sample.responseJson),
      latencyMs: sample.latencyMs,
      ...(sample.arm === undefined ? {} : { arm: sample.arm }),
      ...(sample.requestId === undefined ? {} : { requestId: sample.requestId }),
    });
    const listed = await ctx.store.predictions.list({ model: 'churn', limit: BATCH });
    const churn = batch.filter((p) => p.model === 'churn');
    expect(listed.predictions.map((p) => [p.id, p.request, p.response, p.latencyMs, p.arm ?? null, p.requestId ?? null])).toEqual(
      churn.map((p) => [p.id, JSON.parse(p.requestJson), JSON.parse(p.responseJson), p.latencyMs, p.arm ?? null, p.requestId ?? null]),
    );
  });

  it('stores nothing twice when a batch is inserted again, whole or overlapping', async () => {
    const batch = nastyBatch();
    await ctx.store.predictions.insert(batch);
    await ctx.store.predictions.insert(batch);
    // A re-shipped half plus new records: only the new ones are added, and the stored ones keep their first values.
    const again = batch.slice(BATCH / 2).map((p) => ({ ...p, latencyMs: -1 }));
    await ctx.store.predictions.insert([...again, ...Array.from({ length: 300 }, (_, i) => nastyRecord(BATCH + i))]);
    expect(await ctx.store.predictions.count()).toBe(BATCH + 300);
    const stored = await ctx.store.db.selectFrom('prediction_log').select('latency_ms').where('latency_ms', '=', -1).execute();
    expect(stored).toEqual([]);
  });

  it('keeps the first of two records with one id in a batch, as one INSERT would', async () => {
    const batch = nastyBatch();
    const first = batch[10]!;
    batch[BATCH - 1] = { ...first, responseJson: '{"second":true}' };
    await ctx.store.predictions.insert(batch);
    expect((await ctx.store.predictions.get(first.id))!.response).toEqual(JSON.parse(first.responseJson));
  });

  it('fails a whole large batch over one invalid record, with an error the shipper sets aside as a bad record', async () => {
    const refused = async (bad: EncodedPrediction): Promise<unknown> => {
      const batch = nastyBatch();
      batch[1234] = bad;
      const error = await ctx.store.predictions.insert(batch).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(await ctx.store.predictions.count()).toBe(0);
      return error;
    };
    const empty = await refused({ ...nastyRecord(1234), requestJson: '' });
    expect(empty).toBeInstanceOf(HyperplaneError);
    expect((empty as Error).message).toBe("field 'request': a prediction's request JSON must be non-empty text");
    expect(await refused({ ...nastyRecord(1234), timestamp: 1.5 })).toBeInstanceOf(HyperplaneError);
    expect(await refused({ ...nastyRecord(1234), timestamp: 10n as unknown as number })).toBeInstanceOf(HyperplaneError);
    if (ctx.store.dialect === 'postgres') {
      // Refused by the database, not the checks: a NUL in text (class 22), a missing latency (class 23).
      const nul = await refused({ ...nastyRecord(1234), model: 'a\u0000b' });
      expect(isInvalidRecord(nul)).toBe(true);
      const missing = await refused({ ...nastyRecord(1234), latencyMs: undefined as unknown as number });
      expect((missing as { code?: string }).code).toBe('23502');
      expect(isInvalidRecord(missing)).toBe(true);
    }
  });
}
