import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectRefused, runCliAsync, tempDir } from '../helpers.js';
import { dropPrefix, jobKeys, REDIS_URL, skipWithoutRedis, startCli, stop, testPrefix, writeCsv, type Child } from './harness.js';

describe('queue bad input', () => {
  it('a worker that cannot reach Redis exits 2 with one line naming the URL', async () => {
    await expectRefused(['worker', '--queue', 'redis://127.0.0.1:1'], /cannot reach the queue's Redis at redis:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/);
  });

  it('a search whose queue is unreachable, or which keeps no snapshot for the workers, is refused before reading data', async () => {
    const search = ['search', 'missing.csv', '--target', 'y', '--learner', 'gbdt'];
    await expectRefused([...search, '--queue', 'redis://127.0.0.1:1'], /cannot reach the queue's Redis at redis:\/\/127\.0\.0\.1:1/);
    await expectRefused([...search, '--queue', 'redis://127.0.0.1:1', '--no-track'], /--queue: .*drop --no-track/);
    await expectRefused([...search, '--queue', 'redis://127.0.0.1:1', '--no-snapshot'], /--queue: .*drop --no-snapshot/);
  });

  it('a malformed --queue or $HYPERPLANE_QUEUE is refused naming it and the expected form', async () => {
    await expectRefused(['worker', '--queue', 'http://127.0.0.1:6379'], /--queue 'http:\/\/127\.0\.0\.1:6379': expected redis:\/\/HOST:PORT/);
    await expectRefused(['search', 'data.csv', '--target', 'y', '--learner', 'gbdt', '--queue', '127.0.0.1:6379'], /--queue '127\.0\.0\.1:6379': expected redis:\/\/HOST:PORT/);
    const r = await runCliAsync(['worker', '--concurrency', '0'], 30_000, { env: { HYPERPLANE_QUEUE: 'redis:/x' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\$HYPERPLANE_QUEUE 'redis:\/x': expected redis:\/\/HOST:PORT/);
  });
});

const skip = await skipWithoutRedis('the queue driver and snapshot tests');

describe.skipIf(skip)('queue failures seen at the driver', () => {
  const dir = tempDir('hyperplane-queue-bad-');
  const data = writeCsv(dir);
  const prefix = testPrefix('bad');
  const env = { HYPERPLANE_STORE: `sqlite:${join(dir, 'hyperplane.db')}`, HYPERPLANE_QUEUE_PREFIX: prefix };
  const children: Child[] = [];
  const searchArgs = ['search', data, '--target', 'label', '--learner', 'logistic', '--strategy', 'grid', '--space', 'C=0.1..10:log', '--steps', '4', '--cv', '3', '--queue', REDIS_URL];
  afterAll(async () => {
    await Promise.all(children.map((c) => stop(c, 'SIGKILL')));
    await dropPrefix(prefix);
  });

  it('a worker that cannot open the store named by $HYPERPLANE_STORE exits 2 naming it', async () => {
    const r = await runCliAsync(['worker', '--queue', REDIS_URL], 30_000, { cwd: dir, env: { ...env, HYPERPLANE_STORE: 'postgres://nobody@127.0.0.1:1/none' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^hyperplane: error: cannot open the store postgres:\/\/nobody@127\.0\.0\.1:1\/none \(\$HYPERPLANE_STORE\)/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('Ctrl-C on the driver takes its trials off the queue', async () => {
    const search = startCli(searchArgs, { cwd: dir, env });
    children.push(search);
    await search.waitFor(/trials go to the queue/);
    const id = /search: run ([0-9a-f]+)/.exec(search.stderr())![1]!;
    // The four jobs are on the queue (no worker takes them).
    for (let i = 0; i < 100 && (await jobKeys(prefix, `trials:${id}.t?.b-.s0`)).length < 4; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await jobKeys(prefix, `trials:${id}.t?.b-.s0`)).toHaveLength(4);
    search.process.kill('SIGINT');
    const { code } = await search.exited;
    expect(code).toBe(130);
    expect(search.stderr()).toMatch(/interrupted: 4 queued trials removed/);
    expect(await jobKeys(prefix, `trials:${id}*`)).toEqual([]);
    const runs = await runCliAsync(['runs', 'show', id.slice(0, 8), '--json'], 30_000, { cwd: dir, env });
    expect(runs.stdout).toMatch(/"status": "killed"/);
  });

  it('a snapshot the worker cannot read fails its trials with the reason, shown by the driver, which stops', async () => {
    const search = startCli(searchArgs, { cwd: dir, env });
    children.push(search);
    await search.waitFor(/trials go to the queue/);
    // The search's snapshot is gone before any worker reads it.
    rmSync(join(dir, 'artifacts'), { recursive: true, force: true });
    const worker = startCli(['worker', '--queue', REDIS_URL], { cwd: dir, env });
    children.push(worker);
    const { code } = await search.exited;
    expect(code).toBe(2);
    expect(search.stderr()).toMatch(/hyperplane: error: search: every trial failed: failed: the worker failed this trial: cannot read the data snapshot [0-9a-f]{12} from the store sqlite:/);
    await stop(worker);
  });
});
