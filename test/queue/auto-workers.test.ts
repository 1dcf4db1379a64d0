import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliAsync, tempDir } from '../helpers.js';
import { dropPrefix, jobKeys, REDIS_URL, skipWithoutRedis, startCli, stop, testPrefix, writeCsv, type Child } from './harness.js';

interface TrainAnswer {
  learner: string;
  test: Record<string, number>;
  leaderboard: { learner: string; params: Record<string, unknown>; score: number }[];
}

const skip = await skipWithoutRedis('the queue auto tests');

describe.skipIf(skip)('train --learner auto --queue: the candidates as jobs for hyperplane worker processes', () => {
  const dir = tempDir('hyperplane-queue-auto-');
  const data = writeCsv(dir, 300);
  const prefix = testPrefix('auto');
  const env = { HYPERPLANE_STORE: `sqlite:${join(dir, 'hyperplane.db')}`, HYPERPLANE_QUEUE_PREFIX: prefix, HYPERPLANE_QUEUE_LOCK_MS: '5000' };
  const workers: Child[] = [];
  afterAll(async () => {
    await Promise.all(workers.map((w) => stop(w, 'SIGKILL')));
    await dropPrefix(prefix);
  });

  it('two workers give the leaderboard, the model and the test score of auto in one process, for the seed', async () => {
    const args = ['train', data, '--target', 'label', '--seed', '3', '--time-budget', '120', '--json'];
    const local = await runCliAsync([...args, '--no-track'], 120_000, { cwd: dir, env });
    expect(local.code, local.stderr).toBe(0);
    for (let i = 0; i < 2; i++) {
      const w = startCli(['worker', '--queue', REDIS_URL], { cwd: dir, env });
      workers.push(w);
      await w.waitFor(/takes trials/);
    }
    const queued = await runCliAsync([...args, '--queue', REDIS_URL], 120_000, { cwd: dir, env });
    expect(queued.code, queued.stderr).toBe(0);
    const [here, there] = [JSON.parse(local.stdout) as TrainAnswer, JSON.parse(queued.stdout) as TrainAnswer];
    const board = (a: TrainAnswer): string[] => a.leaderboard.map((e) => `${e.learner} ${JSON.stringify(e.params)} ${e.score}`).sort();
    expect(board(there)).toEqual(board(here));
    expect(there.learner).toBe(here.learner);
    expect(there.test).toEqual(here.test);
    // Every candidate but the ensemble line was a job some worker scored, once.
    const scored = workers.map((w) => (w.stderr().match(/candidate \d+ \(\w+\): scored/g) ?? []).length);
    expect(scored.reduce((a, b) => a + b, 0)).toBe(here.leaderboard.filter((e) => !e.learner.startsWith('ensemble')).length);
    expect(await jobKeys(prefix, 'candidates:*.c*')).toEqual([]);
  }, 240_000);

  it('bad input: --queue is for auto, needs the store and a snapshot, and a reachable Redis', async () => {
    const refused = async (extra: string[], message: RegExp): Promise<void> => {
      const r = await runCliAsync(['train', data, '--target', 'label', ...extra], 30_000, { cwd: dir, env });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
    };
    await refused(['--learner', 'gbdt', '--queue', REDIS_URL], /--queue is for --learner auto \(its candidates are the jobs\); gbdt is one fit/);
    await refused(['--queue', REDIS_URL, '--no-track'], /--queue: the workers read the data from the store, and --no-track records nothing there/);
    await refused(['--queue', REDIS_URL, '--no-snapshot'], /--queue: the workers read the data snapshot, and --no-snapshot keeps none/);
    await refused(['--queue', 'http://x'], /--queue 'http:\/\/x': expected redis:\/\/HOST:PORT/);
    await refused(['--queue', 'redis://127.0.0.1:1'], /cannot reach the queue's Redis at redis:\/\/127\.0\.0\.1:1/);
  }, 120_000);
});
