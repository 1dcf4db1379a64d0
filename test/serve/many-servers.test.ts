import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Compiled, as serve runs it: the journal's shipper thread and its monitor fold are .js files beside it.
import { startServer } from '../../dist/serve/lifecycle/start-server.js';
import { openStore, type Store } from '../../src/store/index.js';
import { cli, dropPgSchema, fixture, IN_TEST, missingFromLog, PG_URL, postgresUnreachable, tempDir } from '../helpers.js';

// Several servers on one PostgreSQL store, as replicas behind a load balancer run. The fourth promise of
// that setup, that a scheduled job (the monitor) runs on one of them at a time, is tested with two
// `hyperplane serve` processes in monitor-schedule.test.ts: its lease holder is named by host and pid,
// which two servers in one process would share.
//
// Here the servers are two `startServer` calls in this process, as a Node application embeds them. Each
// has everything a server process has of its own: its store connection pool, its LISTEN connection, its
// reload timer, its policies and bandit state, its journal folder and shipper thread. What a process
// does share is named by pid (the journal's folder inside its root), so each gets its own journal root.

const unreachable = await postgresUnreachable();
const skip = unreachable !== undefined && process.env['CI'] !== 'true';
if (skip) console.warn(`skipping the many-servers tests: PostgreSQL is unreachable (${unreachable})`);

type Row = Record<string, unknown>;
const rows = JSON.parse(readFileSync(fixture('penguins.json'), 'utf8')) as Row[];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.skipIf(skip)('two servers on one PostgreSQL store', () => {
  const schema = `hp_many_${process.pid}`;
  const uri = `${PG_URL}?schema=${schema}`;
  const env = { HYPERPLANE_STORE: uri };
  const dir = tempDir('hyperplane-many-servers-');
  /** Every server started and not yet stopped, stopped in afterAll should a test fail before its own finally. */
  const running = new Set<() => Promise<void>>();
  let store: Store;

  interface Replica {
    url: string;
    notices: string[];
    stop(): Promise<void>;
  }

  /** A server as `hyperplane serve` starts one, on its own store connection and journal root. */
  async function replica(name: string, reloadMs: number): Promise<Replica> {
    const own = await openStore({ uri, actor: `serve:${name}` });
    const notices: string[] = [];
    let started;
    try {
      started = await startServer({ store: own, storeUri: uri, journalDir: join(dir, `journal-${name}`), journalSync: 10, port: 0, reloadMs, acceptsPerTurn: 1, dashboard: false, ...IN_TEST, onNotice: (line) => notices.push(line) });
    } catch (e) {
      await own.close();
      throw e;
    }
    const { url } = started;
    let stopped: Promise<void> | undefined;
    const stop = (): Promise<void> =>
      (stopped ??= (async () => {
        running.delete(stop);
        try {
          await started.stop();
        } finally {
          await own.close();
        }
      })());
    running.add(stop);
    return { url, notices, stop };
  }

  async function predict(server: Replica, model: string, row: Row, requestId?: string): Promise<{ id: string; version: number }> {
    const res = await fetch(`${server.url}/v1/models/${model}/predict`, { method: 'POST', headers: { 'content-type': 'application/json', ...(requestId !== undefined ? { 'x-request-id': requestId } : {}) }, body: JSON.stringify(row) });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    return JSON.parse(text) as { id: string; version: number };
  }

  beforeAll(async () => {
    // Two versions of one model: logistic and the baseline. `penguins` (production at v1) is served by
    // its alias; `birds` holds the same two runs under a bandit deployment.
    const trained: string[] = [];
    for (const learner of ['logistic', 'baseline']) {
      const train = await cli(['train', fixture('penguins.json'), '--target', 'Species', '--learner', learner, '--json'], { cwd: dir, env });
      expect(train.code, train.stderr).toBe(0);
      trained.push((JSON.parse(train.stdout) as { run: string }).run);
    }
    for (const [i, run] of trained.entries()) {
      for (const name of ['penguins', 'birds']) {
        const r = await cli(['models', 'register', run, '--name', name, ...(name === 'penguins' && i === 0 ? ['--alias', 'production'] : [])], { cwd: dir, env });
        expect(r.code, r.stderr).toBe(0);
      }
    }
    const deploy = await cli(['deploy', 'birds', '--policy', 'bandit v1,v2'], { cwd: dir, env });
    expect(deploy.code, deploy.stderr).toBe(0);
    store = await openStore({ uri });
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled([...running].map((stop) => stop()));
    await store?.close();
    await dropPgSchema(schema);
  });

  it('an alias moved by another process reaches both servers within a second, with polling off', async () => {
    // reloadMs 0: no poll runs, so only the store's NOTIFY can bring version 2 in.
    const [a, b] = await Promise.all([replica('alias-a', 0), replica('alias-b', 0)]);
    try {
      for (const s of [a, b]) expect((await predict(s, 'penguins', rows[0]!)).version).toBe(1);
      // Each server is asked every 10 ms from now on; the first answer with version 2 is timed.
      const firstSeen = async (s: Replica): Promise<number | undefined> => {
        const until = Date.now() + 10_000;
        while (Date.now() < until) {
          if ((await predict(s, 'penguins', rows[0]!)).version === 2) return Date.now();
          await sleep(10);
        }
        return undefined;
      };
      const seen = Promise.all([firstSeen(a), firstSeen(b)]);
      const move = await cli(['models', 'alias', 'penguins@production', '2'], { cwd: dir, env });
      expect(move.code, move.stderr).toBe(0);
      const [atA, atB] = await seen;
      // The move's time as the store recorded it, in the move's own transaction (before it committed).
      const [entry] = await store.audit.list({ action: 'alias.set', target: 'penguins@production', limit: 1 });
      expect(entry?.after).toEqual({ version: 2 });
      const latency = [atA, atB].map((at) => (at === undefined ? Infinity : at - entry!.at));
      console.log(`alias move reached server A in ${latency[0]} ms, server B in ${latency[1]} ms`);
      expect(latency[0], 'server A').toBeLessThanOrEqual(1000);
      expect(latency[1], 'server B').toBeLessThanOrEqual(1000);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  }, 30_000);

  it("rewards sent to one server move the other's bandit traffic to the better arm", async () => {
    // How often a server reads the rewards again: at each reload, which feedback (unlike an alias move)
    // does not trigger; so the poll, shortened here from its 2 s.
    const [a, b] = await Promise.all([replica('bandit-a', 200), replica('bandit-b', 200)]);
    const shareOfV2 = async (s: Replica, n: number): Promise<number> => {
      let v2 = 0;
      for (let i = 0; i < n; i++) if ((await predict(s, 'birds', rows[i % rows.length]!)).version === 2) v2++;
      return v2 / n;
    };
    try {
      // No evidence yet: B splits its traffic about evenly (200 draws: 0.5 ± 0.035).
      const before = await shareOfV2(b, 200);
      expect(before).toBeGreaterThan(0.3);
      expect(before).toBeLessThan(0.7);
      // To A only: predictions, and their rewards: 1 for birds/2's answers, 0 for birds/1's.
      const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => predict(a, 'birds', rows[i % rows.length]!)));
      const feedback = await fetch(`${a.url}/v1/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ feedback: answers.map((x) => ({ id: x.id, outcome: { reward: x.version === 2 ? 1 : 0 } })) }) });
      expect(feedback.status, await feedback.text()).toBe(202);
      // The rewards count once A's shipper has the predictions in the store (the tally joins them).
      const until = Date.now() + 10_000;
      const counted = async (): Promise<number> => (await store.feedback.rewards('birds')).reduce((n, t) => n + t.count, 0);
      while ((await counted()) < answers.length && Date.now() < until) await sleep(50);
      expect(await counted()).toBe(answers.length);
      // Two of B's polls later, B routes by them.
      await sleep(500);
      const after = await shareOfV2(b, 200);
      console.log(`server B's share to birds/2: ${before} before the rewards sent to A, ${after} after`);
      expect(after).toBeGreaterThanOrEqual(0.8);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  }, 30_000);

  it("both servers' predictions land in the one store's log, each once, after they stop", async () => {
    const [a, b] = await Promise.all([replica('log-a', 0), replica('log-b', 0)]);
    const prefix = `many-${process.pid}-${Date.now()}`;
    const sent = new Map<string, string>();
    try {
      // N to A and M to B, each with a request id of its own.
      for (const [s, tag, n] of [[a, 'a', 30], [b, 'b', 20]] as const) {
        for (let i = 0; i < n; i++) {
          const requestId = `${prefix}-${tag}-${i}`;
          sent.set((await predict(s, 'penguins', rows[i % rows.length]!, requestId)).id, requestId);
        }
      }
    } finally {
      // Graceful: each flushes its journal to the store before stop() resolves.
      await Promise.all([a.stop(), b.stop()]);
    }
    expect(sent.size).toBe(50);
    const { missing } = await missingFromLog(store, 'penguins', [...sent.keys()]);
    expect(missing).toEqual([]);
    const { predictions } = await store.predictions.list({ model: 'penguins', limit: 100_000 });
    const ours = predictions.filter((p) => p.requestId?.startsWith(prefix) === true);
    expect(ours).toHaveLength(50);
    expect(new Set(ours.map((p) => p.id)).size).toBe(50);
    expect(new Map(ours.map((p) => [p.id, p.requestId]))).toEqual(sent);
  }, 30_000);
});
