import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliAsync, tempDir } from '../helpers.js';
import { dropPrefix, jobKeys, REDIS_URL, skipWithoutRedis, startCli, stop, testPrefix, writeCsv, type Child } from './harness.js';

interface SearchAnswer {
  search: string;
  trials: { trial: number; run: string; params: Record<string, number>; score: number }[];
}

const skip = await skipWithoutRedis('the queue search tests');

describe.skipIf(skip)('search on the queue with hyperplane worker processes', () => {
  const dir = tempDir('hyperplane-queue-search-');
  const data = writeCsv(dir);
  const prefix = testPrefix('search');
  const env = { HYPERPLANE_STORE: `sqlite:${join(dir, 'hyperplane.db')}`, HYPERPLANE_QUEUE_PREFIX: prefix, HYPERPLANE_QUEUE_LOCK_MS: '1000' };
  const workers: Child[] = [];
  const worker = async (): Promise<Child> => {
    const w = startCli(['worker', '--queue', REDIS_URL], { cwd: dir, env });
    workers.push(w);
    await w.waitFor(/takes trials from/);
    return w;
  };
  afterAll(async () => {
    await Promise.all(workers.map((w) => stop(w, 'SIGKILL')));
    await dropPrefix(prefix);
  });
  const shown = (a: SearchAnswer): unknown[] => a.trials.map((t) => [t.trial, t.params, t.score]);

  it('a grid on two workers gives the leaderboard of the in-process search for the seed: the same params and scores', async () => {
    const args = ['search', data, '--target', 'label', '--learner', 'gbdt', '--strategy', 'grid', '--space', 'num_leaves=4..16,learning_rate=0.05..0.2', '--steps', '2', '--cv', '3', '--seed', '5', '--json'];
    // The in-process search runs while the two workers start (it uses no queue).
    const [local, a, b] = await Promise.all([runCliAsync(args, 60_000, { cwd: dir, env }), worker(), worker()]);
    expect(local.code, local.stderr).toBe(0);
    const queued = await runCliAsync([...args, '--queue', REDIS_URL], 60_000, { cwd: dir, env });
    expect(queued.code, queued.stderr).toBe(0);
    const [inProcess, onQueue] = [JSON.parse(local.stdout) as SearchAnswer, JSON.parse(queued.stdout) as SearchAnswer];
    expect(onQueue.trials).toHaveLength(4);
    // The answer says where the trials ran: as jobs on the queue, not on threads here.
    expect((JSON.parse(queued.stdout) as { queue?: string }).queue).toBe(REDIS_URL);
    expect((JSON.parse(local.stdout) as { queue?: string }).queue).toBeUndefined();
    expect(shown(onQueue)).toEqual(shown(inProcess));
    // Both workers took trials, and the driver said which.
    expect(queued.stderr).toMatch(/trial \d\/4 is scored by worker /);
    expect(a.stderr() + b.stderr()).toMatch(/trial 1: /);
    // Each worker read the snapshot once, however many trials it scored.
    for (const w of [a, b]) expect(w.stderr().match(/read the data snapshot/g) ?? []).toHaveLength(w.stderr().includes(' trial ') ? 1 : 0);
    // The search's jobs and its parent are gone from the queue.
    expect(await jobKeys(prefix, `trials:${onQueue.search}*`)).toEqual([]);
    expect(await jobKeys(prefix, `searches:${onQueue.search}*`)).toEqual([]);
    await Promise.all(workers.splice(0).map((w) => stop(w)));
  });

  it('kill -9 a worker mid-trial: another worker finishes its trial, the leaderboard has each trial once, and trials longer than the lock are not taken as stalled', async () => {
    const victim = await worker();
    const search = startCli(['search', data, '--target', 'label', '--learner', 'gbdt', '--strategy', 'grid', '--space', 'n_estimators=8000..16000', '--steps', '2', '--cv', '3', '--json', '--queue', REDIS_URL], { cwd: dir, env });
    const pid = victim.process.pid!;
    await search.waitFor(new RegExp(`trial (\\d)/2 is scored by worker [^\\n]*:${pid}\\n`));
    const killed = Number(new RegExp(`trial (\\d)/2 is scored by worker [^\\n]*:${pid}\\n`).exec(search.stderr())![1]);
    await stop(victim, 'SIGKILL');
    expect(victim.stderr()).not.toMatch(new RegExp(`trial ${killed}: `));
    const rescuer = await worker();
    const { code } = await search.exited;
    expect(code, search.stderr()).toBe(0);
    const answer = JSON.parse(search.stdout()) as SearchAnswer;
    expect(answer.trials.map((t) => t.trial).sort()).toEqual([1, 2]);
    expect(rescuer.stderr()).toMatch(new RegExp(`trial ${killed}: `));
    expect(search.stderr()).toMatch(new RegExp(`trial ${killed}/2: its worker stopped answering; the trial goes back to the queue`));
    // Each trial recorded once: one run per trial under the search, each finished.
    expect(new Set(answer.trials.map((t) => t.run)).size).toBe(2);
    expect(search.stderr().match(new RegExp(`search: trial ${killed}/2: auc `, 'g'))).toHaveLength(1);
    // No trial ran twice, though they outlast the 1 s lock: the scoring thread leaves the worker free to renew it.
    const finished = [...(victim.stderr() + rescuer.stderr()).matchAll(/ trial (\d): \S+ \((\d+\.\d) s\)/g)];
    expect(finished.map((m) => Number(m[1])).sort()).toEqual([1, 2]);
    expect(Math.max(...finished.map((m) => Number(m[2])))).toBeGreaterThan(1);
    await Promise.all(workers.splice(0).map((w) => stop(w)));
  });

  it('SIGTERM on a worker finishes the trial it holds, takes no other, then exits', async () => {
    const w = await worker();
    const search = startCli(['search', data, '--target', 'label', '--learner', 'gbdt', '--strategy', 'grid', '--space', 'n_estimators=6000..9000', '--steps', '2', '--cv', '3', '--json', '--queue', REDIS_URL], { cwd: dir, env });
    const taken = new RegExp(`trial (\\d)/2 is scored by worker [^\\n]*:${w.process.pid!}\\n`);
    await search.waitFor(taken);
    const held = Number(taken.exec(search.stderr())![1]);
    w.process.kill('SIGTERM');
    expect((await w.exited).code).toBe(0);
    expect(w.stderr().match(/ trial \d: /g)).toEqual([` trial ${held}: `]);
    // The other trial waits for the next worker.
    await worker();
    expect((await search.exited).code, search.stderr()).toBe(0);
    await Promise.all(workers.splice(0).map((x) => stop(x)));
  });

  it('the driver killed: search --resume takes the trials the workers finished meanwhile from the queue, running none twice', async () => {
    const args = ['search', data, '--target', 'label', '--learner', 'logistic', '--strategy', 'grid', '--space', 'C=0.1..10:log', '--steps', '4', '--cv', '3', '--json'];
    // The uninterrupted in-process search to compare with runs meanwhile (it uses no queue).
    const uninterrupted = runCliAsync(args, 60_000, { cwd: dir, env });
    const driver = startCli([...args, '--queue', REDIS_URL], { cwd: dir, env });
    // Four jobs on the queue, then the driver dies before any worker scores them.
    await driver.waitFor(/trials go to the queue/);
    const id = /search: run ([0-9a-f]+)/.exec(driver.stderr())![1]!;
    for (let i = 0; i < 100 && (await jobKeys(prefix, `trials:${id}.t?.b-.s0`)).length < 4; i++) await new Promise((r) => setTimeout(r, 50));
    await stop(driver, 'SIGKILL');
    const w = await worker();
    await w.waitFor(/(trial \d: [\s\S]*){4}/);
    const resumed = await runCliAsync(['search', '--resume', id, '--queue', REDIS_URL, '--json'], 60_000, { cwd: dir, env });
    expect(resumed.code, resumed.stderr).toBe(0);
    const local = await uninterrupted;
    expect(local.code, local.stderr).toBe(0);
    expect(shown(JSON.parse(resumed.stdout) as SearchAnswer)).toEqual(shown(JSON.parse(local.stdout) as SearchAnswer));
    // Each trial was scored once, by the worker, while no driver ran.
    expect(w.stderr().match(/ trial \d: /g)).toHaveLength(4);
    await Promise.all(workers.splice(0).map((x) => stop(x)));
  });
});
