import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { ServedModels } from '../../src/serve/served-models.js';
import { openStore, type Store } from '../../src/store/index.js';
import { cli, dropPgSchema, fixture, missingFromLog, PG_URL, postgresUnreachable, ROOT, runCli, serveOnFreePort, tempDir } from '../helpers.js';

/** The server's probabilities for a batch equal scoring it here, in this process and on one thread. */
async function expectScoredAsHere(store: Store, model: string, batch: readonly Record<string, unknown>[], answered: readonly { probabilities: Record<string, number> }[]): Promise<void> {
  const local = await new ServedModels(store, { extraFields: 'ignore' }).add(model);
  const scores = local.pipeline.scoreRows(batch);
  const labels = local.pipeline.spec.target.labels!;
  expect(answered.map((p) => labels.map((l) => p.probabilities[l]))).toEqual(batch.map((_, r) => labels.map((_, c) => scores[r * labels.length + c])));
}

/** How many descriptors of the socket listening on `port` process `pid` holds (`ss -p` lists each), or undefined where ss can't tell. */
function listeningDescriptors(port: string, pid: number): number | undefined {
  const users = spawnSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
  return users.error === undefined && users.stdout.includes('users:') ? (users.stdout.match(new RegExp(`pid=${pid},`, 'g')) ?? []).length : undefined;
}


const unreachable = await postgresUnreachable();
const skipPostgres = unreachable !== undefined && process.env['CI'] !== 'true';
if (skipPostgres) console.warn(`skipping serve on PostgreSQL: it is unreachable (${unreachable})`);
const schema = `serve_cli_${process.pid}`;
/** Requests the load tests send: enough for every connection to carry many, few enough to keep the suite short. */
const REQUESTS = 3_000;
afterAll(async () => {
  if (!skipPostgres) await dropPgSchema(schema);
});

describe('hyperplane serve on a real port', () => {
  /**
   * A folder whose SQLite store (the database and its artifacts beside it) holds penguins, a logistic model
   * registered with the production alias. Trained once: the tests that only need a model to serve each start
   * from a copy of it, as if they had trained it themselves.
   */
  let logisticTemplate: string;
  beforeAll(async () => {
    logisticTemplate = tempDir('hyperplane-serve-logistic-');
    const env = { HYPERPLANE_STORE: `sqlite:${join(logisticTemplate, 'hyperplane.db')}` };
    const train = await cli(['train', fixture('penguins.json'), '--target', 'Species', '--learner', 'logistic', '--json'], { cwd: logisticTemplate, env });
    expect(train.code, train.stderr).toBe(0);
    const registered = await cli(['models', 'register', JSON.parse(train.stdout).run, '--name', 'penguins', '--alias', 'production'], { cwd: logisticTemplate, env });
    expect(registered.code, registered.stderr).toBe(0);
  });
  /** A new folder with a copy of the template's store in it, and the environment that points the CLI at it. */
  const withLogistic = (prefix: string): { dir: string; env: { HYPERPLANE_STORE: string } } => {
    const dir = tempDir(prefix);
    cpSync(logisticTemplate, dir, { recursive: true });
    return { dir, env: { HYPERPLANE_STORE: `sqlite:${join(dir, 'hyperplane.db')}` } };
  };

  it.each([
    ['SQLite', (dir: string) => `sqlite:${join(dir, 'hyperplane.db')}`],
    ['PostgreSQL', () => `${PG_URL}?schema=${schema}`],
  ])(`on %s: answers ${REQUESTS.toLocaleString('en-US')} predictions at concurrency 32, and after SIGTERM every id a client got is in the prediction log`, async (name, uri) => {
    if (name === 'PostgreSQL' && skipPostgres) return;
    const dir = tempDir('hyperplane-serve-cli-');
    const env = { HYPERPLANE_STORE: uri(dir) };
    const train = runCli(['train', fixture('penguins.json'), '--target', 'Species', '--learner', 'gbdt', '--n-estimators', '20', '--json'], { cwd: dir, env });
    expect(train.code, train.stderr).toBe(0);
    expect(runCli(['models', 'register', JSON.parse(train.stdout).run, '--name', 'penguins', '--alias', 'production'], { cwd: dir, env }).code).toBe(0);

    const { server, address, exited, stderr } = await serveOnFreePort(dir, env);
    // A single process gets its 16 descriptors of the socket from a helper it forks, which then exits.
    const held = listeningDescriptors(new URL(address).port, server.pid!);
    if (held !== undefined) expect(held).toBe(16);
    expect(stderr()).toContain('accepting up to 16 connections a turn');

    const rows = JSON.parse(readFileSync(fixture('penguins.json'), 'utf8')) as Record<string, unknown>[];
    const ids: string[] = [];
    let next = 0;
    const client = async (): Promise<void> => {
      while (next < REQUESTS) {
        const i = next++;
        const r = await fetch(`${address}/v1/models/penguins/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rows[i % rows.length]) });
        expect(r.status).toBe(200);
        ids.push(((await r.json()) as { id: string }).id);
      }
    };
    await Promise.all(Array.from({ length: 32 }, client));
    expect(ids).toHaveLength(REQUESTS);
    const children = spawnSync('ps', ['--ppid', String(server.pid), '-o', 'args='], { encoding: 'utf8' });
    if (children.error === undefined) expect(children.stdout).not.toContain('listener-copies-helper');
    // A batch big enough for the server's prediction threads: the same probabilities as scoring here, on one thread.
    const batch = Array.from({ length: 700 }, (_, i) => rows[i % rows.length]!);
    const answered = (await (await fetch(`${address}/v1/models/penguins/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rows: batch }) })).json()) as { predictions: { id: string; probabilities: Record<string, number> }[] };
    server.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr()).toContain('flushing the prediction log');

    const store = await openStore({ uri: env.HYPERPLANE_STORE });
    try {
      await expectScoredAsHere(store, 'penguins', batch, answered.predictions);
      const batchIds = answered.predictions.map((p) => p.id);
      const { missing, logged: loggedCount } = await missingFromLog(store, 'penguins', [...ids, ...batchIds]);
      const journalDir = join(dir, '.hyperplane', 'journal');
      const left = existsSync(journalDir) ? readdirSync(journalDir, { recursive: true }) : [];
      expect(missing.length, `${missing.length} answered ids are not in the log (${missing.filter((id) => batchIds.includes(id)).length} of them the batch's; ${loggedCount} logged; journal files left: ${left.join(', ') || 'none'}); the server said: ${stderr()}`).toBe(0);
      // Each batch row is logged as the model read it (the target column sent along is not kept), beside its own answer.
      for (const [k, p] of answered.predictions.entries()) {
        const logged = await store.predictions.get(p.id);
        const { Species: _target, ...read } = batch[k] as Record<string, unknown>;
        expect(logged?.request).toEqual(read);
        expect((logged?.response as { probabilities?: unknown } | undefined)?.probabilities).toEqual(p.probabilities);
      }
      ids.push(...answered.predictions.map((p) => p.id));
      expect(await store.predictions.count({ model: 'penguins' })).toBe(REQUESTS + 700);
      expect((await missingFromLog(store, 'penguins', ids)).missing).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('a copy of SIGTERM moments after the first (a process group, then a parent forwarding it) still flushes; a second one later exits at once, and the journal ships at the next start', async () => {
    const { dir, env } = withLogistic('hyperplane-serve-signals-');
    const row = JSON.parse(readFileSync(fixture('penguins.json'), 'utf8'))[0] as Record<string, unknown>;
    const predictOnce = async (address: string): Promise<string> =>
      ((await (await fetch(`${address}/v1/models/penguins/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(row) })).json()) as { id: string }).id;

    const first = await serveOnFreePort(dir, env);
    const flushed = await predictOnce(first.address);
    first.server.kill('SIGTERM');
    first.server.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const store = await openStore({ uri: env.HYPERPLANE_STORE });
    try {
      expect((await store.predictions.get(flushed))?.id).toBe(flushed);
    } finally {
      await store.close();
    }

    // An idle keep-alive connection holds the drain for its 30 s; a second SIGTERM after a second does not wait for it.
    const second = await serveOnFreePort(dir, env, ['--drain-ms', '30000']);
    const kept = await predictOnce(second.address);
    const { connect } = await import('node:net');
    const idle = connect(Number(new URL(second.address).port), '127.0.0.1');
    await new Promise((r) => idle.once('connect', r));
    second.server.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    second.server.kill('SIGTERM');
    expect(await second.exited).toBe(130);
    idle.destroy();
    expect(second.stderr()).toContain('SIGTERM again: exiting now');
    // The next server ships what the journal kept.
    const third = await serveOnFreePort(dir, env);
    third.server.kill('SIGTERM');
    expect(await third.exited).toBe(0);
    const after = await openStore({ uri: env.HYPERPLANE_STORE });
    try {
      expect((await after.predictions.get(kept))?.id).toBe(kept);
    } finally {
      await after.close();
    }
  }, 60_000);

  it('SIGTERM under load: what clients send on open connections is answered, never reset; new connections are refused; every answer is in the log', async () => {
    const { dir, env } = withLogistic('hyperplane-serve-drain-');
    const { server, address, exited } = await serveOnFreePort(dir, env);

    const rows = JSON.parse(readFileSync(fixture('penguins.json'), 'utf8')) as Record<string, unknown>[];
    const ids: string[] = [];
    const outcomes = new Map<string, number>();
    const count = (outcome: string): void => void outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    let signalled = false;
    // Keep-alive clients sending back to back, as a load balancer does, until the server refuses them.
    const client = async (c: number): Promise<void> => {
      for (let i = c; ; i += 16) {
        if (!signalled && ids.length >= 1000) {
          signalled = true;
          server.kill('SIGTERM');
        }
        try {
          const r = await fetch(`${address}/v1/models/penguins/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rows[i % rows.length]) });
          count(String(r.status));
          if (r.status === 200) ids.push(((await r.json()) as { id: string }).id);
          else await r.text();
        } catch (e) {
          const code = String((e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message);
          count(code);
          if (code === 'ECONNREFUSED') return;
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, (_, c) => client(c)));
    expect(await exited).toBe(0);
    // A reset (ECONNRESET, UND_ERR_SOCKET) would leave its client not knowing whether the prediction was made.
    expect([...outcomes.keys()].sort(), JSON.stringify(Object.fromEntries(outcomes))).toEqual(['200', 'ECONNREFUSED']);
    expect(outcomes.get('ECONNREFUSED')).toBe(16);
    const store = await openStore({ uri: env.HYPERPLANE_STORE });
    try {
      expect((await missingFromLog(store, 'penguins', ids)).missing).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('--workers 2: two processes share the port, one killed is replaced without a failed request, and SIGTERM flushes both logs; the killed worker\'s journal is shipped, so none of its answers is lost', async () => {
    const dir = tempDir('hyperplane-serve-workers-');
    const env = { HYPERPLANE_STORE: `sqlite:${join(dir, 'hyperplane.db')}` };
    // All-numeric data, so the forest is walked in WebAssembly and big batches on the prediction threads.
    const train = runCli(['train', fixture('breast_cancer.csv'), '--target', 'diagnosis', '--learner', 'gbdt', '--n-estimators', '30', '--json'], { cwd: dir, env });
    expect(train.code, train.stderr).toBe(0);
    expect(runCli(['models', 'register', JSON.parse(train.stdout).run, '--name', 'cancer', '--alias', 'production'], { cwd: dir, env }).code).toBe(0);

    const server = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'serve', '--port', '0', '--workers', '2', '--backlog', '1500'], { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    // A failed assertion must not leave the servers running: SIGTERM to the primary stops its workers too.
    onTestFinished(() => {
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
    });
    let stderr = '';
    const workers = (): { pid: number; address: string }[] => [...stderr.matchAll(/worker (\d+) listening on (http:\/\/[\d.:]+)/g)].map((m) => ({ pid: Number(m[1]), address: m[2]! }));
    // One listener gathers stderr; each wait re-checks its condition on every chunk.
    const waiting = new Set<() => void>();
    server.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      for (const check of waiting) check();
    });
    const waitFor = (test: () => boolean): Promise<void> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`waited 40 s; serve said:\n${stderr}`)), 40_000);
        const check = (): void => {
          if (!test()) return;
          clearTimeout(timer);
          waiting.delete(check);
          resolve();
        };
        waiting.add(check);
        check();
      });
    server.once('exit', () => {
      for (const check of waiting) check();
    });
    await waitFor(() => workers().length === 2);
    const [first, second] = workers();
    expect(first!.pid).not.toBe(second!.pid);
    expect(first!.address).toBe(second!.address);
    // The listening socket's accept queue is the one asked for (a listening socket's Send-Q in `ss` is its backlog).
    const port = new URL(first!.address).port;
    const listening = spawnSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' });
    if (listening.error === undefined) expect(listening.stdout.trim().split(/\s+/)[2]).toBe('1500');
    else console.log(`not checking the listen backlog: ${listening.error.message}`);
    // Each worker polls 16 descriptors of the socket (--accepts-per-turn's default), so it accepts up to 16
    // connections a turn; the primary keeps only cluster's own and accepts nothing.
    const descriptors = (pid: number): number | undefined => listeningDescriptors(port, pid);
    if (descriptors(server.pid!) === undefined) console.log('not counting listening descriptors: ss -p shows no processes here');
    else {
      expect([descriptors(first!.pid), descriptors(second!.pid), descriptors(server.pid!)]).toEqual([16, 16, 1]);
      expect(stderr).toContain('accepting up to 16 connections a turn');
    }
    const exited = new Promise<number | null>((r) => server.once('exit', (code) => r(code)));

    const [header, ...lines] = readFileSync(fixture('breast_cancer.csv'), 'utf8').trim().split('\n');
    const names = header!.split(',');
    const rows = lines.map((line) => Object.fromEntries(line.split(',').map((v, j) => [names[j]!, names[j] === 'diagnosis' ? v : Number(v)])));
    const ids: string[] = [];
    const predictMany = async (n: number): Promise<void> => {
      let next = 0;
      const client = async (): Promise<void> => {
        while (next < n) {
          const i = next++;
          const r = await fetch(`${first!.address}/v1/models/cancer/predict`, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' }, body: JSON.stringify(rows[i % rows.length]) });
          expect(r.status).toBe(200);
          ids.push(((await r.json()) as { id: string }).id);
        }
      };
      await Promise.all(Array.from({ length: 8 }, client));
    };
    await predictMany(500);
    // A worker that dies is replaced; the other answers meanwhile.
    process.kill(first!.pid, 'SIGKILL');
    await predictMany(500);
    await waitFor(() => workers().length === 3);
    expect(stderr).toContain(`worker ${first!.pid} exited (SIGKILL); starting another`);
    // The replacement asks for its own copies; the primary closes each it passed on.
    if (descriptors(server.pid!) !== undefined) expect([descriptors(workers()[2]!.pid), descriptors(server.pid!)]).toEqual([16, 1]);
    await predictMany(500);
    // A batch big enough for the prediction threads: the same probabilities as scoring here, on one thread.
    const batch = Array.from({ length: 700 }, (_, i) => rows[i % rows.length]!);
    const answered = (await (await fetch(`${first!.address}/v1/models/cancer/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rows: batch }) })).json()) as { predictions: { probabilities: Record<string, number> }[] };
    server.kill('SIGTERM');
    expect(await exited).toBe(0);

    const store = await openStore({ uri: env.HYPERPLANE_STORE });
    try {
      // Every answer is in the log, the killed worker's too: it journaled them before answering, and the
      // worker that replaced it shipped what it left.
      await expectScoredAsHere(store, 'cancer', batch, answered.predictions);
      const { missing, logged } = await missingFromLog(store, 'cancer', ids);
      expect(missing).toEqual([]);
      expect(logged).toBeGreaterThanOrEqual(1500);
    } finally {
      await store.close();
    }
  });
  it('a port already taken, or a bad flag, is a clear error and exit 2, with --workers too (no worker is started again and again)', async () => {
    const dir = tempDir('hyperplane-serve-taken-');
    const env = { HYPERPLANE_STORE: `sqlite:${join(dir, 'hyperplane.db')}` };
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => void taken.close());
    const port = String((taken.address() as AddressInfo).port);
    // spawnSync would block this process, and with it the port's owner: run the CLI asynchronously.
    const serve = (args: string[]): Promise<{ code: number | null; stderr: string }> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'serve', ...args], { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.once('exit', (code) => {
          clearTimeout(timer);
          resolve({ code, stderr });
        });
      });
    const inUse = `hyperplane: error: cannot listen on 127.0.0.1:${port}: the port is in use (another server?); choose another with --port`;
    // Three servers that must each refuse to start, side by side.
    const [alone, two, flag] = await Promise.all([
      serve(['--port', port]),
      serve(['--port', port, '--workers', '2']),
      // Flags are checked in the primary, before a worker starts.
      serve(['--port', '0', '--workers', '2', '--accepts-per-turn', '0']),
    ]);
    expect(alone).toEqual({ code: 2, stderr: expect.stringContaining(inUse) as string });
    expect(alone.stderr).not.toContain('internal error');
    expect(two.code).toBe(2);
    expect(two.stderr.split(inUse).length - 1).toBe(2);
    expect(two.stderr.match(/exited \(2\) before it listened; not starting another/g)).toHaveLength(2);
    expect(flag).toEqual({ code: 2, stderr: 'hyperplane: error: --accepts-per-turn 0: expected a whole number, 1 or more\n' });
  });

  it.concurrent.each(['99999', '65536', '-1', 'abc', '1.5', ''])('--port %j is exit 2 with one line naming --port and the range', async (port) => {
    const dir = tempDir('hyperplane-serve-port-');
    const r = await cli(['serve', '--port', port], { cwd: dir, env: { HYPERPLANE_STORE: `sqlite:${join(dir, 'hyperplane.db')}` } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toBe(`hyperplane: error: --port ${port}: expected a whole number from 0 to 65535\n`);
  });

  it('says when it starts that --no-auth and --any-version are on', async () => {
    const dir = tempDir('hyperplane-serve-open-');
    const { server, exited, stderr } = await serveOnFreePort(dir, { HYPERPLANE_STORE: `sqlite:${join(dir, 'hyperplane.db')}` }, ['--no-auth', '--any-version']);
    server.kill('SIGTERM');
    await exited;
    expect(stderr()).toMatch(/--no-auth: predictions and feedback need no API key/);
    expect(stderr()).toMatch(/--any-version: any name@alias or name\/N in the store is answered/);
  });
});
