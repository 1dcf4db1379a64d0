import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliAsync, tempDir } from '../helpers.js';
import { dropPrefix, jobKeys, REDIS_URL, skipWithoutRedis, startCli, stop, testPrefix, writeCsv, type Child } from './harness.js';

const skip = await skipWithoutRedis('the queue batch-scoring tests');

describe.skipIf(skip)('predict --queue: each file a job, scored by hyperplane worker processes', () => {
  const dir = tempDir('hyperplane-queue-batch-');
  const data = writeCsv(dir, 300);
  const prefix = testPrefix('batch');
  const env = { HYPERPLANE_STORE: `sqlite:${join(dir, 'hyperplane.db')}`, HYPERPLANE_QUEUE_PREFIX: prefix, HYPERPLANE_QUEUE_LOCK_MS: '1000' };
  const workers: Child[] = [];
  afterAll(async () => {
    await Promise.all(workers.map((w) => stop(w, 'SIGKILL')));
    await dropPrefix(prefix);
  });

  it('four files on two workers: one output per input, each the same as predict on that file alone; the jobs are gone after', async () => {
    const trained = await runCliAsync(['train', data, '--target', 'label', '--learner', 'gbdt', '--n-estimators', '20', '--out', join(dir, 'model')], 60_000, { cwd: dir, env });
    expect(trained.code, trained.stderr).toBe(0);
    // Four files of the table's rows (the label left in: scoring ignores it).
    const [header, ...lines] = readFileSync(data, 'utf8').trim().split('\n');
    mkdirSync(join(dir, 'parts'));
    for (let k = 0; k < 4; k++) writeFileSync(join(dir, 'parts', `part-${k}.csv`), `${[header, ...lines.slice(k * 75, (k + 1) * 75)].join('\n')}\n`);
    for (let i = 0; i < 2; i++) {
      const w = startCli(['worker', '--queue', REDIS_URL], { cwd: dir, env });
      workers.push(w);
      await w.waitFor(/takes trials/);
    }
    const queued = await runCliAsync(['predict', join(dir, 'model', 'model.hpkg'), join(dir, 'parts', '*.csv'), '--queue', REDIS_URL, '--out', join(dir, 'out') + '/'], 60_000, { cwd: dir, env });
    expect(queued.code, queued.stderr).toBe(0);
    expect(queued.stderr).toMatch(/300 predictions in 4 files/);
    for (let k = 0; k < 4; k++) {
      const local = await runCliAsync(['predict', join(dir, 'model', 'model.hpkg'), join(dir, 'parts', `part-${k}.csv`)], 30_000, { cwd: dir, env });
      expect(local.code, local.stderr).toBe(0);
      expect(readFileSync(join(dir, 'out', `part-${k}.csv`), 'utf8')).toBe(local.stdout);
    }
    // Each file scored once, by whichever worker took it (which one is the queue's race to win).
    const scored = workers.map((w) => (w.stderr().match(/file \d+: 75 rows/g) ?? []).length);
    expect(scored.reduce((a, b) => a + b, 0)).toBe(4);
    expect(await jobKeys(prefix, 'batches:*.f*')).toEqual([]);
  }, 120_000);

  it('bad input: --out not a directory, no file matching, a file that fails is named with its reason', async () => {
    const model = join(dir, 'model', 'model.hpkg');
    const notDir = await runCliAsync(['predict', model, data, '--queue', REDIS_URL, '--out', join(dir, 'x.csv')], 30_000, { cwd: dir, env });
    expect(notDir.code).toBe(2);
    expect(notDir.stderr).toMatch(/with --queue, --out is a directory \(e\.g\. --out predictions\/\): one output per input file; '.*x\.csv' is not one/);
    const none = await runCliAsync(['predict', model, join(dir, 'nothing', '*.csv'), '--queue', REDIS_URL, '--out', `${join(dir, 'o2')}/`], 30_000, { cwd: dir, env });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no file matches '.*nothing\/\*\.csv'/);
    // A file without the model's columns fails on the worker; the driver names it and why, and exits 2.
    mkdirSync(join(dir, 'bad'));
    writeFileSync(join(dir, 'bad', 'ok.csv'), readFileSync(join(dir, 'parts', 'part-0.csv')));
    writeFileSync(join(dir, 'bad', 'wrong.csv'), 'x,y\n1,2\n');
    const bad = await runCliAsync(['predict', model, join(dir, 'bad', '*.csv'), '--queue', REDIS_URL, '--out', `${join(dir, 'o3')}/`], 60_000, { cwd: dir, env });
    expect(bad.code, bad.stderr).toBe(2);
    expect(bad.stderr).toMatch(/1 of 2 files failed: .*wrong\.csv: .*column 'a'/);
    expect(readFileSync(join(dir, 'o3', 'ok.csv'), 'utf8')).toContain('prediction');
    const unreachable = await runCliAsync(['predict', model, data, '--queue', 'redis://127.0.0.1:1', '--out', `${join(dir, 'o4')}/`], 30_000, { cwd: dir, env });
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toMatch(/cannot reach the queue's Redis at redis:\/\/127\.0\.0\.1:1/);
  }, 120_000);
});
