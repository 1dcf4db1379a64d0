import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogFieldPolicy } from '../../src/serve/log-fields.js';
import { parsePolicy } from '../../src/serve/policies.js';
import { buildServer, type Server } from '../../src/serve/server.js';
import { openStore, type EncodedPrediction, type PredictionRecord, type Store } from '../../src/store/index.js';
import { fixture, IN_TEST, runCli, tempDir } from '../helpers.js';

type Row = Record<string, string | number | null>;
const penguins = JSON.parse(readFileSync(fixture('penguins.json'), 'utf8')) as Row[];
const KEY = 'a-team-secret-of-some-length';
const hmac = (text: string): string => createHmac('sha256', KEY).update(text).digest('hex');
/** A row holding only fields the model reads (no Species): the one the fast path logs as sent. */
const { Species: _target, ...readRow } = penguins[0]!;

/** The server hands the log encoded records (its JSON as text). */
const encoded = (r: PredictionRecord): EncodedPrediction => {
  if (!('requestJson' in r)) throw new Error('expected an encoded record');
  return r;
};

/** Trains a penguins model with the CLI and registers it (the first one as production). */
function register(store: Store, learner: string, alias?: string): void {
  const env = { HYPERPLANE_STORE: `sqlite:${store.location}` };
  const train = runCli(['train', fixture('penguins.json'), '--target', 'Species', '--learner', learner, '--json'], { cwd: tempDir(), env });
  expect(train.code, train.stderr).toBe(0);
  const registered = runCli(['models', 'register', JSON.parse(train.stdout).run, '--name', 'penguins', ...(alias !== undefined ? ['--alias', alias] : [])], { env });
  expect(registered.code, registered.stderr).toBe(0);
}

describe('the prediction log redacts and hashes the fields it is told to', () => {
  let store: Store;
  let shaped: Server;
  let plain: Server;
  const records: EncodedPrediction[] = [];
  const plainRecords: EncodedPrediction[] = [];

  beforeAll(async () => {
    store = await openStore({ uri: `sqlite:${join(tempDir('hyperplane-log-fields-'), 'hyperplane.db')}` });
    register(store, 'logistic', 'production');
    register(store, 'gbdt');
    const fields = LogFieldPolicy.from({ redact: ['Sex'], hash: ['Island'], hashKey: KEY });
    shaped = await buildServer({ store, ...IN_TEST, reloadMs: 0, anyVersion: true, log: { record: (r) => records.push(encoded(r)), fields } });
    plain = await buildServer({ store, ...IN_TEST, reloadMs: 0, anyVersion: true, log: { record: (r) => plainRecords.push(encoded(r)) } });
  }, 120_000);
  afterAll(async () => {
    await shaped.close();
    await plain.close();
    await store.close();
  });

  const post = (server: Server, url: string, payload: unknown) => server.app.inject({ method: 'POST', url, payload: payload as object });
  const request = (r: EncodedPrediction): Row => JSON.parse(r.requestJson) as Row;

  it('a one-row body of read fields only (the fast path) is encoded when it holds a redacted or hashed field: neither value reaches the record', async () => {
    records.length = 0;
    const r = await post(shaped, '/v1/models/penguins/predict', readRow);
    expect(r.statusCode, r.body).toBe(200);
    const record = records.at(-1)!;
    expect(record.requestJson).not.toContain(String(readRow['Sex']));
    expect(record.requestJson).not.toContain(String(readRow['Island']));
    const { Sex: _redacted, Island: island, ...rest } = readRow;
    expect(request(record)).toEqual({ ...rest, Island: hmac(String(island)) });
    expect(Object.keys(request(record))).not.toContain('Sex');
  });

  it('answers exactly as a server that logs rows as sent', async () => {
    for (const row of penguins.slice(0, 20)) {
      const a = (await post(shaped, '/v1/models/penguins/predict', row)).json();
      const b = (await post(plain, '/v1/models/penguins/predict', row)).json();
      expect({ ...a, id: '', ms: 0 }).toEqual({ ...b, id: '', ms: 0 });
    }
    const batchA = (await post(shaped, '/v1/models/penguins/predict', { rows: penguins.slice(0, 20) })).json();
    const batchB = (await post(plain, '/v1/models/penguins/predict', { rows: penguins.slice(0, 20) })).json();
    expect(batchA.predictions.map((p: { prediction: string; probabilities: object }) => [p.prediction, p.probabilities])).toEqual(batchB.predictions.map((p: { prediction: string; probabilities: object }) => [p.prediction, p.probabilities]));
  });

  it("a batch's rows, and rows with fields the model does not read, are redacted and hashed too", async () => {
    records.length = 0;
    const rows: Row[] = penguins.slice(0, 10).map((row, i) => ({ ...row, note: `extra ${i}` }));
    expect((await post(shaped, '/v1/models/penguins/predict', { rows })).statusCode).toBe(200);
    await shaped.logged();
    expect(records).toHaveLength(10);
    records.forEach((record, i) => {
      const logged = request(record);
      expect(logged).not.toHaveProperty('Sex');
      expect(logged).not.toHaveProperty('note');
      expect(logged['Island']).toBe(hmac(String(rows[i]!['Island'])));
    });
  });

  it('a row holding none of the named fields is still logged as sent (the fast path keeps its text)', async () => {
    records.length = 0;
    const { Sex: _s, Island: _i, ...untouched } = readRow;
    const text = JSON.stringify(untouched);
    const r = await shaped.app.inject({ method: 'POST', url: '/v1/models/penguins/predict', payload: text, headers: { 'content-type': 'application/json' } });
    expect(r.statusCode, r.body).toBe(200);
    expect(records.at(-1)!.requestJson).toBe(text);
  });

  it("a shadow's records are redacted and hashed like the answer's", async () => {
    await store.deployments.put('penguins', parsePolicy('penguins', 'shadow v2'));
    await shaped.reload();
    try {
      records.length = 0;
      expect((await post(shaped, '/v1/models/penguins/predict', readRow)).statusCode).toBe(200);
      await shaped.logged();
      expect(records.map((r) => r.arm)).toEqual(['penguins@production', 'shadow']);
      for (const record of records) {
        expect(request(record)).not.toHaveProperty('Sex');
        expect(request(record)['Island']).toBe(hmac(String(readRow['Island'])));
      }
    } finally {
      await store.deployments.delete('penguins');
      await shaped.reload();
    }
  });

  it('hashes with the key: a string as its text, other values as their JSON, null as null', () => {
    const policy = LogFieldPolicy.from({ hash: ['id'], hashKey: KEY })!;
    expect(policy.hashValue('c-42')).toBe(hmac('c-42'));
    expect(policy.hashValue(42)).toBe(hmac('42'));
    expect(policy.hashValue(null)).toBeNull();
    expect(LogFieldPolicy.from({ hash: ['id'], hashKey: `${KEY}!` })!.hashValue('c-42')).not.toBe(hmac('c-42'));
  });

  it('refuses a hash without a key of 16 characters or more, a field both redacted and hashed, and an empty name', () => {
    expect(() => LogFieldPolicy.from({ hash: ['id'] }, {})).toThrow(/HYPERPLANE_LOG_HASH_KEY \(no key was given\)/);
    expect(() => LogFieldPolicy.from({ hash: ['id'] }, { HYPERPLANE_LOG_HASH_KEY: 'short' })).toThrow(/at least 16 characters/);
    expect(LogFieldPolicy.from({ hash: ['id'] }, { HYPERPLANE_LOG_HASH_KEY: KEY })!.hashValue('x')).toBe(hmac('x'));
    expect(() => LogFieldPolicy.from({ redact: ['id'], hash: ['id'], hashKey: KEY })).toThrow(/both redacted and hashed/);
    expect(() => LogFieldPolicy.from({ redact: ['a', ''] })).toThrow(/empty field name/);
    // Redaction alone needs no key; naming nothing is no policy at all.
    expect(LogFieldPolicy.from({ redact: ['email'] }, {})).toBeDefined();
    expect(LogFieldPolicy.from({}, {})).toBeUndefined();
  });
});
