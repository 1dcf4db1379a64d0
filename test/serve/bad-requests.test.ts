import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timeOrderedId } from '../../src/serve/ids.js';
import { buildServer, type Server } from '../../src/serve/server.js';
import { openStore, type PredictionRecord, type Store } from '../../src/store/index.js';
import { fixture, IN_TEST, runCli, tempDir } from '../helpers.js';

type Row = Record<string, string | number | null>;
const penguins = JSON.parse(readFileSync(fixture('penguins.json'), 'utf8')) as Row[];

/** Trains a small model with the CLI and registers it as the next version of `name`. */
async function register(store: Store, name: string, alias?: string): Promise<number> {
  const out = tempDir('hyperplane-bad-model-');
  const r = runCli(['train', fixture('penguins.json'), '--target', 'Species', '--learner', 'logistic', '--no-track', '--out', out]);
  expect(r.code, r.stderr).toBe(0);
  const run = await store.tracking.createRun({ experiment: 'bad-requests' });
  await store.tracking.attachArtifact(run.id, 'model', await store.artifacts.put(readFileSync(join(out, 'model.hpkg'))));
  await store.tracking.setStatus(run.id, 'finished');
  const v = await store.registry.createVersion(name, { runId: run.id });
  if (alias !== undefined) await store.registry.setAlias(name, alias, v.version);
  return v.version;
}

/** 'bogus': a bearer token in no key's format. */
type Key = 'none' | 'bogus' | 'predict' | 'feedback' | 'admin';
interface Case {
  name: string;
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  /** A string is sent as it is (raw JSON); anything else is encoded. */
  body?: unknown;
  key: Key;
  status: number;
  /** A fragment the answer's body holds. */
  says: string | RegExp;
  /** A fragment it must not hold (a detail kept from callers without an admin key). */
  hides?: string;
}

const KNOWN = 'known';
const big = 'x'.repeat(5 * 1024 * 1024);
const inputsOf = (names: string[], n = 1) => names.map((name) => ({ name, shape: [n], datatype: 'BYTES', data: Array.from({ length: n }, () => null) }));

let store: Store;
let server: Server;
let keys: Record<Exclude<Key, 'none'>, string>;
/** A prediction answered by this server: its id stands for `KNOWN` in the cases. */
let knownId = '';
const recorded = new Map<string, PredictionRecord>();

beforeAll(async () => {
  store = await openStore({ uri: `sqlite:${join(tempDir('hyperplane-bad-requests-'), 'hyperplane.db')}` });
  await register(store, 'penguins', 'production');
  await register(store, 'penguins', 'staging');
  await register(store, 'secretmodel');
  // penguins/3: registered, but its artifact is not a model package: it can't load.
  await store.registry.createVersion('penguins', { artifact: await store.artifacts.put(new TextEncoder().encode('not a model')) });
  keys = {
    bogus: 'hp_not-a-key',
    predict: (await store.apiKeys.create('p', ['predict'])).key,
    feedback: (await store.apiKeys.create('f', ['feedback'])).key,
    admin: (await store.apiKeys.create('a', ['admin'])).key,
  };
  server = await buildServer({ store, ...IN_TEST, refs: ['penguins'], reloadMs: 0, log: { record: (p) => recorded.set(p.id, p), unshipped: () => ({ find: async (id) => recorded.get(id) }) } });
  const answer = await server.app.inject({ method: 'POST', url: '/v1/models/penguins/predict', payload: penguins[0]!, headers: { authorization: `Bearer ${keys.predict}` } });
  expect(answer.statusCode, answer.body).toBe(200);
  knownId = answer.json().id;
});
afterAll(async () => {
  await server?.close();
  await store?.close();
});

const PREDICT = '/v1/models/penguins/predict';
const INFER = '/v2/models/penguins/infer';
const FEEDBACK = '/v1/feedback';
const DEPLOY = '/v1/admin/deployments/penguins';
/** An id made an hour ago: in the format of the server's ids, and no prediction of this server. */
const oldId = timeOrderedId(Date.now() - 3_600_000);

const CASES: Case[] = [
  // 1: only what the server was asked to serve.
  { name: 'a version of a model with no alias, not served', method: 'POST', path: '/v1/models/secretmodel/versions/1/predict', body: penguins[0], key: 'predict', status: 404, says: 'not served', hides: 'secretmodel/1 ' },
  { name: 'another alias of a served model', method: 'POST', path: '/v1/models/penguins@staging/predict', body: penguins[0], key: 'predict', status: 404, says: 'not served' },
  { name: 'a version of a served model its alias does not name', method: 'POST', path: '/v1/models/penguins/versions/2/predict', body: penguins[0], key: 'predict', status: 404, says: 'not served' },
  { name: 'an unknown alias: its aliases are not listed', method: 'POST', path: '/v1/models/penguins@nosuch/predict', body: penguins[0], key: 'predict', status: 404, says: 'not served', hides: 'production' },
  { name: 'an unknown model', method: 'POST', path: '/v1/models/nope/predict', body: penguins[0], key: 'predict', status: 404, says: 'not served' },
  { name: 'v2 metadata of a model not served', method: 'GET', path: '/v2/models/secretmodel', key: 'predict', status: 404, says: 'not served' },
  { name: 'v2 infer on a version not served', method: 'POST', path: '/v2/models/penguins/versions/2/infer', body: { inputs: inputsOf(['Island']) }, key: 'predict', status: 404, says: 'not served' },
  { name: '/invocations naming a model not served', method: 'POST', path: '/invocations?model=secretmodel', body: { dataframe_records: [penguins[0]] }, key: 'predict', status: 404, says: 'not served' },
  { name: 'readiness without an admin key: no details', method: 'GET', path: '/readyz', key: 'none', status: 200, says: '"ready":true', hides: 'penguins' },
  { name: 'v2 readiness without an admin key', method: 'GET', path: '/v2/health/ready', key: 'none', status: 200, says: '"ready":true', hides: 'penguins' },
  { name: 'a model name holding a lone %', method: 'POST', path: '/v1/models/a%25/predict', body: penguins[0], key: 'predict', status: 404, says: 'not served' },
  { name: 'a version that is not a number', method: 'POST', path: '/v1/models/penguins/versions/abc/predict', body: penguins[0], key: 'predict', status: 400, says: 'expected a version number' },
  { name: 'readiness with a key that is not an admin key: no details', method: 'GET', path: '/readyz', key: 'predict', status: 200, says: '"ready":true', hides: 'penguins' },
  // 1-2: a percent-encoded letter reaches the same route (the router decodes it), and needs the same key.
  { name: 'admin reload with an encoded letter, no key', method: 'POST', path: '/v1/%61dmin/reload', body: {}, key: 'none', status: 401, says: 'admin' },
  { name: 'an encoded admin path with a predict key', method: 'POST', path: '/%761/admin/reload', body: {}, key: 'predict', status: 403, says: 'admin' },
  { name: 'a deployment put through an encoded path, no key', method: 'PUT', path: '/v1/%61dmin/deployments/penguins', body: { policy: { kind: 'fixed', ref: 'penguins/2' } }, key: 'none', status: 401, says: 'admin' },
  { name: 'the audit trail through an encoded path, no key', method: 'GET', path: '/v1/%61dmin/audit', key: 'none', status: 401, says: 'admin' },
  { name: 'a prediction through an encoded path, no key', method: 'POST', path: '/v1/%6dodels/penguins/predict', body: penguins[0], key: 'none', status: 401, says: 'predict' },
  { name: '/invocations through an encoded path, no key', method: 'POST', path: '/%69nvocations', body: { dataframe_records: [penguins[0]] }, key: 'none', status: 401, says: 'predict' },
  { name: 'v2 infer through an encoded path, no key', method: 'POST', path: '/%762/models/penguins/infer', body: { inputs: inputsOf(['Island']) }, key: 'none', status: 401, says: 'predict' },
  { name: 'feedback through an encoded path, no key', method: 'POST', path: '/v1/%66eedback', body: { id: KNOWN, outcome: 'Adelie' }, key: 'none', status: 401, says: 'feedback' },
  // A body nested 200,000 deep parses, but stringifying or flattening it overflowed the stack (a 500).
  { name: 'v2 tensor data nested 200,000 deep', method: 'POST', path: INFER, body: `{"inputs":[{"name":"Island","shape":[1],"datatype":"BYTES","data":${'['.repeat(200_000)}${']'.repeat(200_000)}}]}`, key: 'predict', status: 400, says: 'more than 64 levels deep' },
  { name: 'a feedback outcome nested 200,000 deep', method: 'POST', path: FEEDBACK, body: `{"id":"x","outcome":{"a":${'['.repeat(200_000)}${']'.repeat(200_000)}}}`, key: 'feedback', status: 400, says: 'more than 64 levels deep' },
  { name: 'a row field nested 200,000 deep', method: 'POST', path: PREDICT, body: `{"Island":${'['.repeat(200_000)}${']'.repeat(200_000)}}`, key: 'predict', status: 400, says: 'more than 64 levels deep' },
  { name: 'brackets inside strings are not nesting', method: 'POST', path: PREDICT, body: JSON.stringify({ ...penguins[0], Island: '['.repeat(500) }), key: 'predict', status: 200, says: 'prediction' },
  // 3: a deployment is checked like `hyperplane deploy` checks it.
  { name: 'a deployment to a version that does not exist', method: 'PUT', path: DEPLOY, body: { policy: { kind: 'fixed', ref: 'penguins/999' } }, key: 'admin', status: 400, says: 'policy.ref' },
  { name: 'a deployment to a ref like a path', method: 'PUT', path: DEPLOY, body: { policy: { kind: 'fixed', ref: '../../x' } }, key: 'admin', status: 400, says: 'policy.ref' },
  { name: 'a deployment name like a path', method: 'PUT', path: '/v1/admin/deployments/..%2F..%2Fx', body: { policy: { kind: 'fixed', ref: 'penguins/1' } }, key: 'admin', status: 400, says: 'deployment name' },
  { name: 'a negative weight', method: 'PUT', path: DEPLOY, body: { policy: { kind: 'split', arms: [{ ref: 'penguins/1', weight: -5 }, { ref: 'penguins/2', weight: 10 }] } }, key: 'admin', status: 400, says: 'policy.arms[0].weight' },
  { name: 'a zero weight', method: 'PUT', path: DEPLOY, body: { policy: { kind: 'split', arms: [{ ref: 'penguins/1', weight: 0 }, { ref: 'penguins/2', weight: 10 }] } }, key: 'admin', status: 400, says: 'policy.arms[0].weight' },
  { name: 'a weight of 1e308', method: 'PUT', path: DEPLOY, body: { policy: { kind: 'split', arms: [{ ref: 'penguins/1', weight: 1e308 }, { ref: 'penguins/2', weight: 1e308 }] } }, key: 'admin', status: 400, says: 'policy.arms[0].weight' },
  { name: 'a weight that is a string', method: 'PUT', path: DEPLOY, body: { policy: { kind: 'split', arms: [{ ref: 'penguins/1', weight: '50' }, { ref: 'penguins/2', weight: 50 }] } }, key: 'admin', status: 400, says: 'policy.arms[0].weight' },
  { name: 'a deployment to a version that does not load', method: 'PUT', path: DEPLOY, body: { policy: { kind: 'fixed', ref: 'penguins/3' } }, key: 'admin', status: 400, says: "'penguins/3' does not load" },
  { name: 'a deployment body that is a list', method: 'PUT', path: DEPLOY, body: [{ kind: 'fixed', ref: 'penguins/1' }], key: 'admin', status: 400, says: "field 'policy'" },
  { name: 'a policy with a field it does not take', method: 'PUT', path: DEPLOY, body: { policy: { kind: 'fixed', ref: 'penguins/1', weight: 3 } }, key: 'admin', status: 400, says: 'weight' },
  { name: 'a split of one arm', method: 'PUT', path: DEPLOY, body: { policy: { kind: 'split', arms: [{ ref: 'penguins/1', weight: 1 }] } }, key: 'admin', status: 400, says: 'policy.arms' },
  { name: 'a bandit arm that is an alias', method: 'PUT', path: DEPLOY, body: { policy: { kind: 'bandit', arms: ['penguins@production', 'penguins/2'] } }, key: 'admin', status: 400, says: 'policy.arms[0]' },
  { name: 'an unknown policy kind', method: 'PUT', path: DEPLOY, body: { policy: { kind: 'roulette', ref: 'penguins/1' } }, key: 'admin', status: 400, says: 'policy.kind' },
  { name: 'no policy', method: 'PUT', path: DEPLOY, body: {}, key: 'admin', status: 400, says: 'policy' },
  { name: 'a shadow to a model with no such alias', method: 'PUT', path: DEPLOY, body: { policy: { kind: 'shadow', ref: 'penguins@production', shadow: 'penguins@canary' } }, key: 'admin', status: 400, says: 'policy.shadow' },
  { name: 'a deployment without an admin key', method: 'PUT', path: DEPLOY, body: { policy: { kind: 'fixed', ref: 'penguins/1' } }, key: 'predict', status: 403, says: 'admin' },
  // 11: shapes that mean nothing.
  { name: 'rows that are a number', method: 'POST', path: PREDICT, body: { rows: 5 }, key: 'predict', status: 400, says: "'rows'" },
  { name: 'rows that are a string', method: 'POST', path: PREDICT, body: { rows: 'x' }, key: 'predict', status: 400, says: "'rows'" },
  { name: 'rows that are an object', method: 'POST', path: PREDICT, body: { rows: { a: 1 } }, key: 'predict', status: 400, says: "'rows'" },
  { name: 'rows that are null', method: 'POST', path: PREDICT, body: { rows: null }, key: 'predict', status: 400, says: "'rows'" },
  { name: 'rows of numbers', method: 'POST', path: PREDICT, body: { rows: [1, 2] }, key: 'predict', status: 400, says: 'an object of field' },
  { name: 'no rows', method: 'POST', path: PREDICT, body: { rows: [] }, key: 'predict', status: 400, says: "'rows' is empty" },
  { name: 'nested arrays as rows', method: 'POST', path: PREDICT, body: { rows: [[penguins[0]]] }, key: 'predict', status: 400, says: 'got an array' },
  { name: 'a body that is an array', method: 'POST', path: PREDICT, body: [penguins[0]], key: 'predict', status: 400, says: 'got an array' },
  { name: 'a body that is null', method: 'POST', path: PREDICT, body: 'null', key: 'predict', status: 400, says: 'got null' },
  { name: 'a field named __proto__', method: 'POST', path: PREDICT, body: '{"__proto__": {"x": 1}, "Island": "Dream"}', key: 'predict', status: 400, says: '__proto__' },
  { name: 'a field named constructor with a prototype', method: 'POST', path: PREDICT, body: '{"constructor": {"prototype": {"x": 1}}}', key: 'predict', status: 400, says: 'constructor' },
  { name: 'a field that is an object', method: 'POST', path: PREDICT, body: { ...penguins[0], Island: { name: 'Dream' } }, key: 'predict', status: 400, says: 'got an object' },
  { name: 'a row with none of the features', method: 'POST', path: PREDICT, body: {}, key: 'predict', status: 200, says: 'none of the fields the model reads' },
  { name: 'a row with only unknown fields', method: 'POST', path: PREDICT, body: { colour: 'blue' }, key: 'predict', status: 200, says: 'none of the fields the model reads' },
  { name: 'a v2 tensor with an unknown input name', method: 'POST', path: INFER, body: { inputs: [...inputsOf(['Island']), { name: 'colour', shape: [1], datatype: 'BYTES', data: ['blue'] }] }, key: 'predict', status: 400, says: 'colour' },
  { name: 'a v2 tensor whose only input is unknown', method: 'POST', path: INFER, body: { inputs: [{ name: 'colour', shape: [1], datatype: 'BYTES', data: ['blue'] }] }, key: 'predict', status: 400, says: 'colour' },
  { name: 'a v2 tensor named twice', method: 'POST', path: INFER, body: { inputs: [...inputsOf(['Island']), ...inputsOf(['Island'])] }, key: 'predict', status: 400, says: 'Island' },
  { name: 'a v2 tensor whose shape disagrees with its data', method: 'POST', path: INFER, body: { inputs: [{ name: 'Island', shape: [3], datatype: 'BYTES', data: ['Dream', 'Biscoe'] }] }, key: 'predict', status: 400, says: 'Island' },
  { name: 'a v2 tensor of shape [n, 2] for one column', method: 'POST', path: INFER, body: { inputs: [{ name: 'Island', shape: [2, 2], datatype: 'BYTES', data: ['Dream', 'Biscoe'] }] }, key: 'predict', status: 400, says: 'Island' },
  { name: 'a v2 tensor with a negative shape', method: 'POST', path: INFER, body: { inputs: [{ name: 'input-0', shape: [-1, 7], datatype: 'FP64', data: [] }] }, key: 'predict', status: 400, says: 'shape' },
  { name: 'a v2 tensor with a shape that is not numbers', method: 'POST', path: INFER, body: { inputs: [{ name: 'Island', shape: ['a'], datatype: 'BYTES', data: ['Dream'] }] }, key: 'predict', status: 400, says: 'shape' },
  { name: 'a v2 tensor with an unknown datatype', method: 'POST', path: INFER, body: { inputs: [{ name: 'Island', shape: [1], datatype: 'STRINGS', data: ['Dream'] }] }, key: 'predict', status: 400, says: 'datatype' },
  { name: 'a v2 FP64 tensor holding strings', method: 'POST', path: INFER, body: { inputs: [{ name: 'Beak Length (mm)', shape: [1], datatype: 'FP64', data: ['long'] }] }, key: 'predict', status: 400, says: 'FP64' },
  { name: 'a v2 body without inputs', method: 'POST', path: INFER, body: { instances: [] }, key: 'predict', status: 400, says: 'inputs' },
  { name: 'a v2 body with a tensor that is not one', method: 'POST', path: INFER, body: { inputs: [5] }, key: 'predict', status: 400, says: 'inputs[0]' },
  // 12: feedback, item by item.
  { name: 'feedback for an id never answered', method: 'POST', path: FEEDBACK, body: { id: oldId, outcome: 'Adelie' }, key: 'feedback', status: 404, says: 'no prediction' },
  { name: 'feedback for an id not in the format of an id', method: 'POST', path: FEEDBACK, body: { id: 'x', outcome: 'Adelie' }, key: 'feedback', status: 404, says: 'no prediction' },
  { name: 'feedback with a label the model does not have', method: 'POST', path: FEEDBACK, body: { id: KNOWN, outcome: 'Martian' }, key: 'feedback', status: 400, says: "unknown label 'Martian'" },
  { name: 'feedback with a reward that is a string', method: 'POST', path: FEEDBACK, body: { id: KNOWN, outcome: { reward: 'x' } }, key: 'feedback', status: 400, says: 'reward' },
  { name: 'feedback with a negative reward', method: 'POST', path: FEEDBACK, body: { id: KNOWN, outcome: { reward: -1 } }, key: 'feedback', status: 400, says: 'reward' },
  { name: 'feedback with a reward above 1', method: 'POST', path: FEEDBACK, body: { id: KNOWN, outcome: { reward: 2 } }, key: 'feedback', status: 400, says: 'reward' },
  { name: 'feedback with a NaN reward', method: 'POST', path: FEEDBACK, body: { id: KNOWN, outcome: { reward: 'NaN' } }, key: 'feedback', status: 400, says: 'reward' },
  { name: 'feedback with a 5 MB outcome', method: 'POST', path: FEEDBACK, body: { id: KNOWN, outcome: big }, key: 'feedback', status: 400, says: 'at most 4096 bytes' },
  { name: 'feedback of 20,000 items', method: 'POST', path: FEEDBACK, body: Array.from({ length: 20_000 }, () => ({ id: KNOWN, outcome: 'Adelie' })), key: 'feedback', status: 413, says: 'at most 1000 items' },
  { name: 'feedback without an id', method: 'POST', path: FEEDBACK, body: { outcome: 'Adelie' }, key: 'feedback', status: 400, says: 'id' },
  { name: 'feedback whose id is a number', method: 'POST', path: FEEDBACK, body: { id: 5, outcome: 'Adelie' }, key: 'feedback', status: 400, says: 'id' },
  { name: 'feedback without an outcome', method: 'POST', path: FEEDBACK, body: { id: KNOWN }, key: 'feedback', status: 400, says: 'outcome' },
  { name: 'feedback that is a string', method: 'POST', path: FEEDBACK, body: '"good"', key: 'feedback', status: 400, says: '(feedback)' },
  { name: 'feedback of no items', method: 'POST', path: FEEDBACK, body: [], key: 'feedback', status: 400, says: 'no feedback' },
  { name: 'feedback with a __proto__ field', method: 'POST', path: FEEDBACK, body: '{"id": "x", "outcome": 1, "__proto__": {"a": 1}}', key: 'feedback', status: 400, says: '__proto__' },
  { name: 'feedback whose outcome is a list', method: 'POST', path: FEEDBACK, body: { id: KNOWN, outcome: ['Adelie'] }, key: 'feedback', status: 400, says: 'got an array' },
  { name: 'feedback whose outcome is null', method: 'POST', path: FEEDBACK, body: { id: KNOWN, outcome: null }, key: 'feedback', status: 400, says: 'got null' },
  { name: 'feedback under a list that is not one', method: 'POST', path: FEEDBACK, body: { feedback: 'x' }, key: 'feedback', status: 400, says: '"field":"id"' },
  { name: 'feedback with a predict key', method: 'POST', path: FEEDBACK, body: { id: KNOWN, outcome: 'Adelie' }, key: 'predict', status: 403, says: "not 'feedback'" },
  { name: 'a v2 BOOL tensor holding strings', method: 'POST', path: INFER, body: { inputs: [{ name: 'Island', shape: [1], datatype: 'BOOL', data: ['Dream'] }] }, key: 'predict', status: 400, says: 'BOOL' },
  { name: '/invocations records that are numbers', method: 'POST', path: '/invocations', body: { dataframe_records: [1, 2] }, key: 'predict', status: 400, says: 'an object of field' },
  { name: '/invocations split rows shorter than the columns', method: 'POST', path: '/invocations', body: { dataframe_split: { columns: ['Island', 'Sex'], data: [['Dream']] } }, key: 'predict', status: 400, says: 'dataframe_split.data' },
  // 2: keys.
  { name: 'a key that is not a key', method: 'POST', path: PREDICT, body: penguins[0], key: 'bogus', status: 401, says: 'not valid' },
  { name: 'a prediction without a key', method: 'POST', path: PREDICT, body: penguins[0], key: 'none', status: 401, says: 'API key' },
  { name: 'reload without a key', method: 'POST', path: '/v1/admin/reload', body: {}, key: 'none', status: 401, says: 'admin' },
];

describe('bad requests: each gets a clear 4xx naming what is wrong, never a 500 or a silently wrong answer', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const body = typeof c.body === 'string' ? c.body : c.body === undefined ? undefined : JSON.stringify(c.body).replaceAll(`"${KNOWN}"`, JSON.stringify(knownId));
    const headers: Record<string, string> = { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(c.key !== 'none' ? { authorization: `Bearer ${keys[c.key]}` } : {}) };
    const r = await server.app.inject({ method: c.method, url: c.path, headers, ...(body !== undefined ? { payload: body } : {}) });
    expect(r.statusCode, r.body.slice(0, 600)).toBe(c.status);
    if (typeof c.says === 'string') expect(r.body.slice(0, 5000)).toContain(c.says);
    else expect(r.body).toMatch(c.says);
    if (c.hides !== undefined) expect(r.body).not.toContain(c.hides);
    // The server is still there, and still serving.
    expect((await server.app.inject({ method: 'POST', url: PREDICT, payload: penguins[1]!, headers: { authorization: `Bearer ${keys.predict}` } })).statusCode).toBe(200);
  });

  it('a rejected deployment changes nothing: the model is still answered by its production version', async () => {
    const put = await server.app.inject({ method: 'PUT', url: DEPLOY, payload: { policy: { kind: 'fixed', ref: 'penguins/999' } }, headers: { authorization: `Bearer ${keys.admin}` } });
    expect(put.statusCode).toBe(400);
    expect(await store.deployments.get('penguins')).toBeUndefined();
    const r = await server.app.inject({ method: 'POST', url: PREDICT, payload: penguins[1]!, headers: { authorization: `Bearer ${keys.predict}` } });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().version).toBe(1);
  });

  it('an admin key sees why a reference is not found, and the readiness details', async () => {
    const admin = { authorization: `Bearer ${keys.admin}` };
    const missing = await server.app.inject({ method: 'POST', url: '/v1/models/penguins@nosuch/predict', payload: penguins[0]!, headers: admin });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().message).toMatch(/not served here: this server serves penguins@production/);
    const ready = await server.app.inject({ method: 'GET', url: '/readyz', headers: admin });
    expect(ready.json()).toMatchObject({ ready: true, models: [expect.objectContaining({ ref: 'penguins@production', version: 1 })] });
  });

  it('notes a row with none of the features, and a strict server refuses it', async () => {
    const strict = await buildServer({ store, ...IN_TEST, refs: ['penguins'], reloadMs: 0, validation: { extraFields: 'ignore', strict: true } });
    try {
      const headers = { authorization: `Bearer ${keys.predict}` };
      const r = await strict.app.inject({ method: 'POST', url: PREDICT, payload: { rows: [penguins[0]!, { colour: 'blue' }] }, headers });
      expect(r.statusCode, r.body).toBe(400);
      expect(r.json().problems).toEqual([expect.objectContaining({ field: '(row)', row: 1, problem: expect.stringContaining('none of the fields the model reads') })]);
      expect((await strict.app.inject({ method: 'POST', url: PREDICT, payload: penguins[0]!, headers })).statusCode).toBe(200);
    } finally {
      await strict.close();
    }
  });
});

describe('the API reference and model schemas, once keys exist', () => {
  it('/docs is swagger-ui, open without a key, its static files shipped with the package', async () => {
    const docs = await server.app.inject({ method: 'GET', url: '/docs' });
    expect(docs.statusCode, docs.body.slice(0, 300)).toBe(200);
    expect(docs.headers['content-type']).toMatch(/text\/html/);
    expect(docs.body).toMatch(/swagger-ui/);
    for (const asset of ['/docs/static/swagger-ui.css', '/docs/static/swagger-ui-bundle.js', '/docs/static/swagger-initializer.js', '/docs/json']) {
      const r = await server.app.inject({ method: 'GET', url: asset });
      expect(r.statusCode, asset).toBe(200);
    }
    const spec = (await server.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(spec.openapi).toMatch(/^3\./);
    // swagger-ui's own routes are not API routes.
    expect(Object.keys(spec.paths).filter((p) => p.startsWith('/docs'))).toEqual([]);
  });

  it('GET /v1/models/NAME answers its input and output schema, as v2 metadata does, only for served refs and with the predict scope', async () => {
    const predictKey = { authorization: `Bearer ${keys.predict}` };
    const meta = await server.app.inject({ method: 'GET', url: '/v1/models/penguins', headers: predictKey });
    expect(meta.statusCode, meta.body).toBe(200);
    const v2 = (await server.app.inject({ method: 'GET', url: '/v2/models/penguins', headers: predictKey })).json();
    expect(meta.json()).toMatchObject({ name: 'penguins', version: 1, inputs: expect.any(Array), output: expect.any(Object) });
    expect(meta.json().inputs.map((i: { name: string }) => i.name)).toEqual(v2.inputs.map((i: { name: string }) => i.name));
    expect((await server.app.inject({ method: 'GET', url: '/v1/models/penguins@production', headers: predictKey })).statusCode).toBe(200);
    // A version is answered exactly when predicting with it is (this server serves the alias, not its version by number).
    const byVersion = await server.app.inject({ method: 'GET', url: '/v1/models/penguins/versions/1', headers: predictKey });
    expect(byVersion.statusCode).toBe((await server.app.inject({ method: 'POST', url: '/v1/models/penguins/versions/1/predict', payload: penguins[0]!, headers: predictKey })).statusCode);
    for (const ref of ['secretmodel', 'penguins@staging', 'nope']) {
      const r = await server.app.inject({ method: 'GET', url: `/v1/models/${encodeURIComponent(ref)}`, headers: predictKey });
      expect(r.statusCode, ref).toBe(404);
      expect(r.body).toContain('not served');
    }
    expect((await server.app.inject({ method: 'GET', url: '/v1/models/penguins/versions/2', headers: predictKey })).statusCode).toBe(404);
    expect((await server.app.inject({ method: 'GET', url: '/v1/models/penguins' })).statusCode).toBe(401);
    expect((await server.app.inject({ method: 'GET', url: '/v1/models/penguins', headers: { authorization: `Bearer ${keys.feedback}` } })).statusCode).toBe(403);
  });
});
