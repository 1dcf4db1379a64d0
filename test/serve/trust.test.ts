import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timeOrderedId } from '../../src/serve/ids.js';
import { buildServer, type Server } from '../../src/serve/server.js';
import { openStore, type PredictionRecord, type Store } from '../../src/store/index.js';
import { fixture, IN_TEST, runCli, tempDir } from '../helpers.js';

type Row = Record<string, string | number | null>;
const penguins = JSON.parse(readFileSync(fixture('penguins.json'), 'utf8')) as Row[];

/** One trained package, registered again and again: training once keeps these tests quick. */
let packageBytes: Uint8Array | undefined;
async function register(store: Store, name: string, alias?: string): Promise<number> {
  if (packageBytes === undefined) {
    const out = tempDir('hyperplane-trust-model-');
    const r = runCli(['train', fixture('penguins.json'), '--target', 'Species', '--learner', 'logistic', '--no-track', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    packageBytes = readFileSync(join(out, 'model.hpkg'));
  }
  const v = await store.registry.createVersion(name, { artifact: await store.artifacts.put(packageBytes) });
  if (alias !== undefined) await store.registry.setAlias(name, alias, v.version);
  return v.version;
}

const newStore = (prefix: string): Promise<Store> => openStore({ uri: `sqlite:${join(tempDir(prefix), 'hyperplane.db')}` });
const predictOn = (server: Server, ref: string, headers: Record<string, string> = {}) => server.app.inject({ method: 'POST', url: `/v1/models/${ref}/predict`, payload: penguins[0]!, headers });

describe('a server answers only what it serves', () => {
  let store: Store;
  beforeAll(async () => {
    store = await newStore('hyperplane-trust-scope-');
    await register(store, 'cancer', 'production');
    await register(store, 'cancer', 'staging');
    await register(store, 'secretmodel');
  });
  afterAll(() => store.close());

  it('with no references: every production alias (one given one later too), nothing else; --any-version opens the rest', async () => {
    const server = await buildServer({ store, ...IN_TEST, reloadMs: 0 });
    try {
      expect((await predictOn(server, 'cancer')).statusCode).toBe(200);
      expect((await predictOn(server, 'cancer@production')).statusCode).toBe(200);
      expect((await predictOn(server, 'secretmodel/versions/1')).statusCode).toBe(404);
      expect((await predictOn(server, 'cancer@staging')).statusCode).toBe(404);
      expect((await predictOn(server, 'cancer/versions/2')).statusCode).toBe(404);
      // A model that gets a production alias later is served after the next reload, and listed.
      await register(store, 'later', 'production');
      await server.reload();
      expect(server.models.status().map((s) => s.ref)).toContain('later@production');
      expect((await predictOn(server, 'later')).statusCode).toBe(200);
    } finally {
      await server.close();
    }
    const open = await buildServer({ store, ...IN_TEST, reloadMs: 0, anyVersion: true });
    try {
      expect((await predictOn(open, 'cancer@staging')).statusCode).toBe(200);
      expect((await predictOn(open, 'secretmodel/versions/1')).statusCode).toBe(200);
    } finally {
      await open.close();
    }
  });

  it('a deployment routes to its references, which are served; a deployment of a model not served is not', async () => {
    await store.deployments.put('cancer', { kind: 'split', arms: [{ ref: 'cancer/1', weight: 1 }, { ref: 'cancer/2', weight: 1 }] });
    await store.deployments.put('secretmodel', { kind: 'fixed', ref: 'secretmodel/1' });
    const server = await buildServer({ store, ...IN_TEST, refs: ['cancer@production'], reloadMs: 0 });
    try {
      const versions = new Set<number>();
      // No request key: each request draws its arm, so 40 of them reach both (all on one: 2 in 10^12).
      for (let i = 0; i < 40; i++) versions.add((await predictOn(server, 'cancer')).json().version);
      expect([...versions].sort()).toEqual([1, 2]);
      expect((await predictOn(server, 'cancer/versions/2')).statusCode).toBe(200);
      expect((await predictOn(server, 'secretmodel')).statusCode).toBe(404);
      expect((await predictOn(server, 'secretmodel/versions/1')).statusCode).toBe(404);
    } finally {
      await server.close();
    }
    // A server for another alias of the model leaves the deployment (a request for the bare name) alone.
    const staging = await buildServer({ store, ...IN_TEST, refs: ['cancer@staging'], reloadMs: 0 });
    try {
      expect((await predictOn(staging, 'cancer@staging')).statusCode).toBe(200);
      expect((await predictOn(staging, 'cancer')).statusCode).toBe(404);
      expect((await predictOn(staging, 'cancer/versions/1')).statusCode).toBe(404);
    } finally {
      await staging.close();
      await store.deployments.delete('cancer');
      await store.deployments.delete('secretmodel');
    }
  });

  it('a deployment whose version fails to load keeps the previous policy serving', async () => {
    const junk = await store.registry.createVersion('cancer', { artifact: await store.artifacts.put(new TextEncoder().encode('not a model')) });
    await store.deployments.put('cancer', { kind: 'fixed', ref: 'cancer/2' });
    const server = await buildServer({ store, ...IN_TEST, refs: ['cancer'], reloadMs: 0 });
    try {
      expect((await predictOn(server, 'cancer')).json().version).toBe(2);
      await store.deployments.put('cancer', { kind: 'fixed', ref: `cancer/${junk.version}` });
      await server.reload();
      const r = await predictOn(server, 'cancer');
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().version).toBe(2);
    } finally {
      await server.close();
      await store.deployments.delete('cancer');
    }
  });
});

describe('one deployment schema for the CLI and the API', () => {
  it('hyperplane deploy refuses a weight the API refuses, naming the field', async () => {
    const store = await newStore('hyperplane-trust-deploy-');
    await register(store, 'cancer', 'production');
    await register(store, 'cancer');
    const env = { HYPERPLANE_STORE: `sqlite:${store.location}` };
    try {
      const r = runCli(['deploy', 'cancer', '--policy', 'split v1=1e308,v2=1'], { env });
      expect(r.code, r.stdout).toBe(2);
      expect(r.stderr).toBe(`hyperplane: error: field 'policy.arms[0].weight': expected a weight of at most 1000000\n`);
      expect(await store.deployments.get('cancer')).toBeUndefined();
      expect(runCli(['deploy', 'cancer', '--policy', 'split v1=90,v2=10'], { env }).code).toBe(0);
    } finally {
      await store.close();
    }
  });
});

describe('one readiness', () => {
  it('/readyz and /v2/health/ready agree with no model loaded, and with one', async () => {
    const store = await newStore('hyperplane-trust-ready-');
    const server = await buildServer({ store, ...IN_TEST, reloadMs: 0 });
    try {
      const both = async () => [(await server.app.inject({ method: 'GET', url: '/readyz' })).statusCode, (await server.app.inject({ method: 'GET', url: '/v2/health/ready' })).statusCode];
      expect(await both()).toEqual([503, 503]);
      await register(store, 'cancer', 'production');
      await server.reload();
      expect(await both()).toEqual([200, 200]);
      await server.drain(0);
      expect(await both()).toEqual([503, 503]);
    } finally {
      await server.close();
      await store.close();
    }
  });
});

describe('API keys fail closed', () => {
  it('once every key is revoked, a request needs a valid key all the same; --no-auth opens predict and feedback, never admin routes', async () => {
    const store = await newStore('hyperplane-trust-keys-');
    await register(store, 'cancer', 'production');
    const { info } = await store.apiKeys.create('only', ['admin']);
    await store.apiKeys.revoke(info.id);
    const server = await buildServer({ store, ...IN_TEST, reloadMs: 0 });
    const open = await buildServer({ store, ...IN_TEST, reloadMs: 0, noAuth: true });
    try {
      expect((await predictOn(server, 'cancer')).statusCode).toBe(401);
      expect((await server.app.inject({ method: 'POST', url: '/v1/feedback', payload: { id: timeOrderedId(), outcome: 'Adelie' } })).statusCode).toBe(401);
      expect((await predictOn(open, 'cancer')).statusCode).toBe(200);
      expect((await open.app.inject({ method: 'POST', url: '/v1/admin/reload', payload: {} })).statusCode).toBe(401);
    } finally {
      await server.close();
      await open.close();
      await store.close();
    }
  });

  it('a key deleted outright does not open a server started afterwards: the audit trail remembers a key was made', async () => {
    const store = await newStore('hyperplane-trust-deleted-');
    await register(store, 'cancer', 'production');
    const { info } = await store.apiKeys.create('gone', ['predict']);
    await store.apiKeys.delete(info.id);
    expect(await store.apiKeys.list()).toEqual([]);
    const server = await buildServer({ store, ...IN_TEST, reloadMs: 0 });
    try {
      expect((await predictOn(server, 'cancer')).statusCode).toBe(401);
      const list = runCli(['keys', 'list'], { env: { HYPERPLANE_STORE: `sqlite:${store.location}` } });
      expect(list.stdout).toMatch(/no API keys, but keys were made before: servers refuse predict and feedback/);
    } finally {
      await server.close();
      await store.close();
    }
  });

  it('a store that never had a key stays open for predictions, and turns closed once one is made and then revoked', async () => {
    const store = await newStore('hyperplane-trust-nokeys-');
    await register(store, 'cancer', 'production');
    const server = await buildServer({ store, ...IN_TEST, reloadMs: 0 });
    try {
      expect((await predictOn(server, 'cancer')).statusCode).toBe(200);
      const { info } = await store.apiKeys.create('k', ['predict']);
      const revoke = runCli(['keys', 'revoke', info.id], { env: { HYPERPLANE_STORE: `sqlite:${store.location}` } });
      expect(revoke.stderr).toMatch(/no active key is left: servers now refuse predict and feedback/);
      await server.reload();
      expect((await predictOn(server, 'cancer')).statusCode).toBe(401);
    } finally {
      await server.close();
      await store.close();
    }
  });
});

describe('feedback, item by item', () => {
  let store: Store;
  let server: Server;
  const held = new Map<string, PredictionRecord>();
  beforeAll(async () => {
    store = await newStore('hyperplane-trust-feedback-');
    await register(store, 'cancer', 'production');
    server = await buildServer({ store, ...IN_TEST, reloadMs: 0, log: { record: (p) => held.set(p.id, p), unshipped: () => ({ find: async (id) => held.get(id) }) } });
  });
  afterAll(async () => {
    await server.close();
    await store.close();
  });
  const feedback = (payload: unknown) => server.app.inject({ method: 'POST', url: '/v1/feedback', payload: payload as object });

  it('answers each item: accepted, unknown id, or invalid with why; stores only the accepted ones, once', async () => {
    const { id, prediction } = (await predictOn(server, 'cancer')).json() as { id: string; prediction: string };
    const old = timeOrderedId(Date.now() - 3_600_000);
    const r = await feedback([
      { id, outcome: prediction },
      { id: old, outcome: 'Adelie' },
      { id, outcome: 'Martian' },
      { id, outcome: { reward: 'x' } },
      { id, outcome: prediction },
    ]);
    expect(r.statusCode, r.body).toBe(202);
    expect(r.json()).toEqual({
      accepted: 2,
      results: [
        { status: 'accepted' },
        { status: 'unknown id', problem: `no prediction '${old}'` },
        { status: 'invalid', field: 'outcome', problem: expect.stringContaining("unknown label 'Martian'") },
        { status: 'invalid', field: 'outcome.reward', problem: expect.stringContaining('a number from 0 to 1') },
        { status: 'accepted' },
      ],
    });
    expect((await feedback({ id, outcome: prediction })).statusCode).toBe(202);
    expect((await store.feedback.list({ predictionId: id })).map((f) => [f.outcome, f.reward])).toEqual([[prediction, 1]]);
  });

  it('accepts an id answered a moment ago that no log holds yet (another worker answered it), without a reward', async () => {
    const fresh = timeOrderedId();
    const r = await feedback({ id: fresh, outcome: 'Adelie' });
    expect(r.statusCode, r.body).toBe(202);
    expect((await store.feedback.list({ predictionId: fresh })).map((f) => f.reward)).toEqual([null]);
  });
});

describe('the audit trail through the server', () => {
  it('records a deployment changed over the API with the admin key that changed it, and shows the trail to admin keys only', async () => {
    const store = await newStore('hyperplane-trust-audit-');
    try {
      await register(store, 'cancer', 'production');
      await register(store, 'cancer');
      const { key: admin } = await store.apiKeys.create('deployer', ['admin']);
      const { key: predictor } = await store.apiKeys.create('app', ['predict']);
      const server = await buildServer({ store, ...IN_TEST, refs: ['cancer@production'], reloadMs: 0 });
      try {
        const put = await server.app.inject({ method: 'PUT', url: '/v1/admin/deployments/cancer', headers: { authorization: `Bearer ${admin}` }, payload: { policy: { kind: 'fixed', ref: 'cancer/2' } } });
        expect(put.statusCode, put.body).toBe(200);
        const trail = await server.app.inject({ method: 'GET', url: '/v1/admin/audit?action=deployment.put', headers: { authorization: `Bearer ${admin}` } });
        expect(trail.statusCode, trail.body).toBe(200);
        const entries = trail.json().entries as { actor: string; action: string; target: string; before: unknown; after: unknown }[];
        expect(entries).toHaveLength(1);
        expect(entries[0]).toMatchObject({ actor: 'key:deployer', action: 'deployment.put', target: 'cancer', before: null, after: { kind: 'fixed', ref: 'cancer/2' } });
        // Key creation is on the trail too, and the whole trail pages by id.
        const all = (await server.app.inject({ method: 'GET', url: '/v1/admin/audit?limit=2', headers: { authorization: `Bearer ${admin}` } })).json().entries as { id: number; action: string }[];
        expect(all.map((e) => e.action)).toEqual(['deployment.put', 'key.create']);
        const next = (await server.app.inject({ method: 'GET', url: `/v1/admin/audit?before=${all[1]!.id}`, headers: { authorization: `Bearer ${admin}` } })).json().entries as { action: string }[];
        expect(next.map((e) => e.action)).toEqual(['key.create', 'alias.set']);
        expect((await server.app.inject({ method: 'GET', url: '/v1/admin/audit', headers: { authorization: `Bearer ${predictor}` } })).statusCode).toBe(403);
        expect((await server.app.inject({ method: 'GET', url: '/v1/admin/audit' })).statusCode).toBe(401);
        const bad = await server.app.inject({ method: 'GET', url: '/v1/admin/audit?who=x', headers: { authorization: `Bearer ${admin}` } });
        expect(bad.statusCode).toBe(400);
        expect(bad.body).toContain("field 'who'");
        const badNumber = await server.app.inject({ method: 'GET', url: '/v1/admin/audit?since=yesterday', headers: { authorization: `Bearer ${admin}` } });
        expect(badNumber.statusCode).toBe(400);
        expect(badNumber.body).toContain("field 'since'");
      } finally {
        await server.close();
      }
    } finally {
      await store.close();
    }
  });
});

describe('API keys that expire', () => {
  it('are refused with 401 once expired, even while the server still remembers them as verified', async () => {
    const store = await newStore('hyperplane-trust-expiry-');
    try {
      await register(store, 'cancer', 'production');
      const { key } = await store.apiKeys.create('short-lived', ['predict'], { expiresAt: Date.now() + 1500 });
      const server = await buildServer({ store, ...IN_TEST, refs: ['cancer@production'], reloadMs: 0 });
      try {
        expect((await predictOn(server, 'cancer', { authorization: `Bearer ${key}` })).statusCode).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 1600));
        const late = await predictOn(server, 'cancer', { authorization: `Bearer ${key}` });
        expect(late.statusCode).toBe(401);
        expect(late.body).toContain('expired');
      } finally {
        await server.close();
      }
    } finally {
      await store.close();
    }
  });
});

describe('label fidelity through the server', () => {
  it('a Yes/No model answers Yes/No in predictions, probability keys and v2 outputs, and takes feedback in the same spellings', async () => {
    const dir = tempDir('hyperplane-trust-labels-');
    const rows = ['x,member,churn'];
    for (let i = 0; i < 120; i++) rows.push(`${i * 1.5},${i % 3 === 0 ? 'Yes' : 'No'},${(i + (i % 7 === 0 ? 40 : 0)) % 120 >= 60 ? 'Yes' : 'No'}`);
    writeFileSync(join(dir, 'churn.csv'), `${rows.join('\n')}\n`);
    const r = runCli(['train', join(dir, 'churn.csv'), '--target', 'churn', '--learner', 'logistic', '--no-track', '--out', dir]);
    expect(r.code, r.stderr).toBe(0);
    const store = await newStore('hyperplane-trust-labels-store-');
    const log: PredictionRecord[] = [];
    try {
      const v = await store.registry.createVersion('churn', { artifact: await store.artifacts.put(readFileSync(join(dir, 'model.hpkg'))) });
      await store.registry.setAlias('churn', 'production', v.version);
      const server = await buildServer({ store, ...IN_TEST, reloadMs: 0, log: { record: (p) => void log.push(p), unshipped: () => ({ find: async (id) => log.find((p) => p.id === id) }) } });
      try {
        const answer = await server.app.inject({ method: 'POST', url: '/v1/models/churn/predict', payload: { rows: [{ x: 10, member: 'Yes' }, { x: 170, member: 'No' }] } });
        expect(answer.statusCode, answer.body).toBe(200);
        const body = answer.json() as { predictions: { id: string; prediction: string; probabilities: Record<string, number> }[] };
        expect(body.predictions.map((p) => p.prediction)).toEqual(['No', 'Yes']);
        expect(Object.keys(body.predictions[0]!.probabilities).sort()).toEqual(['No', 'Yes']);
        await server.logged();
        const feedback = await server.app.inject({ method: 'POST', url: '/v1/feedback', payload: [{ id: body.predictions[0]!.id, outcome: 'No' }, { id: body.predictions[1]!.id, outcome: 'true' }] });
        const results = (feedback.json() as { results: { status: string }[] }).results.map((x) => x.status);
        expect(results).toEqual(['accepted', 'invalid']);
      } finally {
        await server.close();
      }
    } finally {
      await store.close();
    }
  });
});

describe('a deployment put while the store is down', () => {
  it('is a 503 with Retry-After, not a 500, and changes nothing', async () => {
    const store = await newStore('hyperplane-trust-outage-');
    try {
      await register(store, 'cancer', 'production');
      await register(store, 'cancer');
      const { key } = await store.apiKeys.create('deployer', ['admin']);
      let down = false;
      // The registry as the store gives it, failing as a lost database connection does while `down`.
      const registry = new Proxy(store.registry, {
        get: (target, prop, receiver) => {
          const value = Reflect.get(target, prop, receiver) as unknown;
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => (down ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')) : (value as (...a: unknown[]) => unknown).apply(target, args));
        },
      });
      const server = await buildServer({ store: { ...store, registry } as Store, ...IN_TEST, refs: ['cancer@production'], reloadMs: 0 });
      try {
        down = true;
        const put = await server.app.inject({ method: 'PUT', url: '/v1/admin/deployments/cancer', headers: { authorization: `Bearer ${key}` }, payload: { policy: { kind: 'fixed', ref: 'cancer/2' } } });
        expect(put.statusCode, put.body).toBe(503);
        expect(put.headers['retry-after']).toBeDefined();
        expect(put.body).toContain('ECONNREFUSED');
        down = false;
        expect(await store.deployments.list()).toEqual([]);
      } finally {
        await server.close();
      }
    } finally {
      await store.close();
    }
  });
});
