import { hostname } from 'node:os';
import { expect, it } from 'vitest';
import { HyperplaneError } from '../../../src/errors.js';
import { currentEnvironment, type NewRun } from '../../../src/store/index.js';
import { bytes, deadPid, type SuiteContext } from './context.js';

export function trackingCases(ctx: SuiteContext): void {
  it('creates, gets and lists experiments; a run creates its experiment when new', async () => {
    const t = ctx.store.tracking;
    const made = await t.createExperiment('churn');
    expect(await t.getExperiment('churn')).toEqual(made);
    await expect(t.createExperiment('churn')).rejects.toThrow("experiment 'churn' already exists");
    await expect(t.createExperiment('  ')).rejects.toThrow(HyperplaneError);
    const run = await t.createRun({});
    expect((await t.getExperiment('Default'))?.id).toBe(run.experimentId);
    expect((await t.listExperiments()).map((e) => e.name).sort()).toEqual(['Default', 'churn']);
    expect(await t.getExperiment('nope')).toBeUndefined();
  });

  it('records everything a run needs to be reproduced', async () => {
    const t = ctx.store.tracking;
    const spec: NewRun = {
      experiment: 'churn',
      name: 'gbdt-1',
      params: { learner: 'gbdt', rounds: 200, rate: 0.1, nested: { a: [1, 2] }, off: null },
      tags: { team: 'growth' },
      seed: 42,
      config: { target: 'churn', learners: ['gbdt', 'logistic'] },
      inputs: [
        { role: 'train', source: 'data/churn.csv', fingerprint: 'f'.repeat(64), rows: 8000 },
        { role: 'test', source: 'data/churn.csv', fingerprint: 'e'.repeat(64), rows: 2000 },
      ],
      git: { commit: 'a'.repeat(40), dirty: true },
      environment: currentEnvironment({ hyperplane: '0.1.0', kysely: '0.28' }),
      startTime: 1_700_000_000_000,
    };
    const run = await t.createRun(spec);
    expect(run.id).toMatch(/^[0-9a-f]{32}$/);
    expect(run).toMatchObject({
      name: 'gbdt-1',
      status: 'running',
      startTime: 1_700_000_000_000,
      endTime: null,
      params: spec.params,
      tags: { team: 'growth' },
      seed: 42,
      config: spec.config,
      inputs: [...spec.inputs!].reverse(), // by role, then source
      git: spec.git,
      environment: spec.environment,
      owner: { pid: process.pid, hostname: hostname() },
      metrics: {},
      warnings: [],
      artifacts: [],
      parentId: null,
    });
    expect(run.environment?.node).toBe(process.version);
    expect(await t.getRun(run.id.slice(0, 8))).toEqual(run);
    expect(await t.getRun('0'.repeat(32))).toBeUndefined();
    expect(await t.getRun('abc')).toBeUndefined();
  });

  it("keeps a run's parent: a search's trials listed and counted under it, alone or with other filters; an unknown parent refused", async () => {
    const t = ctx.store.tracking;
    const search = await t.createRun({ experiment: 'search', name: 'search-1' });
    const other = await t.createRun({ experiment: 'search', name: 'search-2' });
    const trials = [];
    for (let i = 0; i < 3; i++) trials.push(await t.createRun({ experiment: 'search', name: `trial-${i}`, parent: search.id, startTime: 1_800_000_000_000 + i }));
    await t.createRun({ experiment: 'search', name: 'trial-of-other', parent: other.id });
    expect((await t.getRun(trials[0]!.id))!.parentId).toBe(search.id);
    expect(search.parentId).toBeNull();
    const page = await t.listRuns({ parent: search.id });
    expect(page.runs.map((r) => r.name)).toEqual(['trial-2', 'trial-1', 'trial-0']);
    expect(await t.countRuns({ parent: search.id })).toBe(3);
    await t.logMetrics(trials[1]!.id, [{ name: 'auc', value: 0.9 }]);
    expect((await t.listRuns({ parent: search.id, metrics: [{ metric: 'auc', op: '>', value: 0.5 }] })).runs.map((r) => r.name)).toEqual(['trial-1']);
    await expect(t.createRun({ experiment: 'search', parent: 'f'.repeat(32) })).rejects.toThrow(`no run '${'f'.repeat(32)}' to be the parent`);
    // A parent in the same import batch is there.
    const [parent] = await t.importRuns([{ id: 'a'.repeat(32), experiment: 'search', status: 'finished' }, { experiment: 'search', parent: 'a'.repeat(32), status: 'finished' }]);
    expect(await t.countRuns({ parent: parent! })).toBe(1);
  });

  it('says when a run id prefix is ambiguous', async () => {
    const t = ctx.store.tracking;
    await t.importRuns([{ id: `abcdef${'0'.repeat(26)}` }, { id: `abcdef${'1'.repeat(26)}` }]);
    await expect(t.getRun('abcdef')).rejects.toThrow("run id prefix 'abcdef' matches more than one run");
    expect((await t.getRun('abcdef1'))?.id).toBe(`abcdef${'1'.repeat(26)}`);
  });

  it('logs metrics with steps and times; the latest value is the highest step, then the latest time', async () => {
    const t = ctx.store.tracking;
    const run = await t.createRun({});
    await t.logMetrics(run.id, [
      { name: 'loss', value: 0.9, step: 0, timestamp: 1000 },
      { name: 'loss', value: 0.5, step: 1, timestamp: 1001 },
      { name: 'auc', value: 0.8, timestamp: 1002 },
    ]);
    await t.logMetrics(run.id, [{ name: 'loss', value: 0.7, step: 0, timestamp: 5000 }]); // late, older step
    await t.logMetrics(run.id, [
      { name: 'auc', value: 0.85, timestamp: 1003 },
      { name: 'auc', value: 0.83, timestamp: 1003 }, // same step and time: the last given wins
      { name: 'diverged', value: NaN },
      { name: 'big', value: Infinity },
    ]);
    const got = await t.getRun(run.id);
    expect(got?.metrics).toEqual({ loss: 0.5, auc: 0.83, diverged: NaN, big: Infinity });
    const history = await t.metricHistory(run.id, 'loss');
    expect(history).toEqual([
      { name: 'loss', value: 0.9, step: 0, timestamp: 1000 },
      { name: 'loss', value: 0.7, step: 0, timestamp: 5000 },
      { name: 'loss', value: 0.5, step: 1, timestamp: 1001 },
    ]);
    expect((await t.metricHistory(run.id)).length).toBe(8);
    await expect(t.logMetrics('f'.repeat(32), [{ name: 'x', value: 1 }])).rejects.toThrow(`no run '${'f'.repeat(32)}'`);
    await expect(t.logMetrics(run.id, [{ name: 'x', value: 1, step: 1.5 }])).rejects.toThrow('step must be an integer');
    await expect(t.logMetrics(run.id, [{ name: '', value: 1 }])).rejects.toThrow(HyperplaneError);
  });

  it('sets tags, warnings, status with end time, and heartbeats', async () => {
    const t = ctx.store.tracking;
    const run = await t.createRun({ tags: { a: '1' } });
    await t.setTags(run.id, { a: '2', b: 'x' });
    await t.addWarnings(run.id, ['target is imbalanced', 'column id looks like a key']);
    await t.heartbeat(run.id);
    const beat = (await t.getRun(run.id))!.heartbeatAt!;
    expect(beat).toBeGreaterThanOrEqual(run.heartbeatAt!);
    await t.setStatus(run.id, 'finished', 1_800_000_000_000);
    const done = (await t.getRun(run.id))!;
    expect(done.tags).toEqual({ a: '2', b: 'x' });
    expect(done.warnings.map((w) => w.message)).toEqual(['target is imbalanced', 'column id looks like a key']);
    expect(done.status).toBe('finished');
    expect(done.endTime).toBe(1_800_000_000_000);
    await t.setStatus(run.id, 'running');
    expect((await t.getRun(run.id))!.endTime).toBeNull();
    await expect(t.setStatus(run.id, 'done' as never)).rejects.toThrow('run status must be one of running, finished, failed, killed');
    await expect(t.setStatus('0'.repeat(32), 'failed')).rejects.toThrow('no run');
    await expect(t.heartbeat('0'.repeat(32))).rejects.toThrow('no run');
    await expect(t.setTags('0'.repeat(32), { a: 'b' })).rejects.toThrow('no run');
    await expect(t.addWarnings('0'.repeat(32), ['w'])).rejects.toThrow('no run');
  });

  it('attaches stored artifacts to runs and refuses ones not stored', async () => {
    const { tracking, artifacts } = ctx.store;
    const run = await tracking.createRun({});
    const sha = await artifacts.put(bytes('package'));
    await tracking.attachArtifact(run.id, 'model', sha);
    await tracking.attachArtifact(run.id, 'report', sha);
    expect((await tracking.getRun(run.id))!.artifacts).toEqual([
      { name: 'model', sha256: sha },
      { name: 'report', sha256: sha },
    ]);
    await expect(tracking.attachArtifact(run.id, 'model', 'a'.repeat(64))).rejects.toThrow(`artifact ${'a'.repeat(64)} is not in the store`);
    await expect(tracking.attachArtifact(run.id, 'model', 'nope')).rejects.toThrow("'nope' is not a sha256");
  });

  it('deletes a run permanently, with its metrics, tags and links, unless a model version came from it', async () => {
    const { tracking, registry, artifacts, db } = ctx.store;
    const keep = await tracking.createRun({ tags: { k: 'v' } });
    const gone = await tracking.createRun({ tags: { k: 'v' }, params: { p: 1 }, inputs: [{ role: 'train', source: 's', fingerprint: 'f', rows: 1 }] });
    await tracking.logMetrics(gone.id, [{ name: 'auc', value: 0.5 }]);
    await tracking.addWarnings(gone.id, ['w']);
    await tracking.addNote(gone.id, 'why', 'cli:ann');
    await tracking.addNote(keep.id, 'kept', 'cli:ann');
    await tracking.attachArtifact(gone.id, 'model', await artifacts.put(bytes('m')));
    await tracking.deleteRun(gone.id);
    expect(await tracking.getRun(gone.id)).toBeUndefined();
    for (const table of ['run_metrics', 'run_latest_metrics', 'run_tags', 'run_params', 'run_inputs', 'run_warnings', 'run_artifacts', 'run_notes'] as const) {
      const rows = await db.selectFrom(table).select('run_id').execute();
      expect(rows.every((r) => r.run_id === keep.id), table).toBe(true);
    }
    await expect(tracking.deleteRun(gone.id)).rejects.toThrow(`no run '${gone.id}'`);

    await tracking.attachArtifact(keep.id, 'model', await artifacts.put(bytes('k')));
    await registry.createVersion('churn', { runId: keep.id });
    await expect(tracking.deleteRun(keep.id)).rejects.toThrow(`run ${keep.id} can't be deleted: model version churn/1 came from it`);
  });

  it('keeps notes on a run in the order written, with author and time; the latest per run for a listing', async () => {
    const t = ctx.store.tracking;
    const a = await t.createRun({});
    const b = await t.createRun({});
    const bare = await t.createRun({});
    expect((await t.getRun(a.id))?.notes).toEqual([]);
    // The same time twice: order comes from the writing order, not the clock.
    expect(await t.addNote(a.id, '  first: try gbdt  ', 'cli:ann', 5000)).toEqual({ text: 'first: try gbdt', author: 'cli:ann', time: 5000 });
    await t.addNote(a.id, 'second', 'key:ci', 5000);
    await t.addNote(b.id, 'only', 'cli:bob', 7000);
    expect((await t.getRun(a.id))?.notes).toEqual([
      { text: 'first: try gbdt', author: 'cli:ann', time: 5000 },
      { text: 'second', author: 'key:ci', time: 5000 },
    ]);
    const latest = await t.latestNotes([a.id, b.id, bare.id]);
    expect([...latest.entries()].sort()).toEqual([
      [a.id, { text: 'second', author: 'key:ci', time: 5000 }],
      [b.id, { text: 'only', author: 'cli:bob', time: 7000 }],
    ].sort());
    await expect(t.addNote(a.id, ' \n\t ', 'cli:ann')).rejects.toThrow('a note needs some text: it is empty or only whitespace');
    await expect(t.addNote(a.id, 'x'.repeat(10_001), 'cli:ann')).rejects.toThrow('a note is at most 10,000 characters; this one has 10,001');
    expect(await t.addNote(a.id, 'y'.repeat(10_000), 'cli:ann', 6000)).toMatchObject({ time: 6000 });
    await expect(t.addNote('nope', 'text', 'cli:ann')).rejects.toThrow("no run 'nope'");
    expect((await t.getRun(a.id))?.notes).toHaveLength(3);
  });

  it('marks runs whose process died as failed, and leaves live ones running', async () => {
    const t = ctx.store.tracking;
    const here = hostname();
    const now = Date.now();
    const dead = await t.createRun({ owner: { pid: deadPid(), hostname: here } });
    const alive = await t.createRun({});
    const [farStale, farFresh] = await t.importRuns([
      { owner: { pid: 1, hostname: 'elsewhere' }, startTime: now - 2 * 3_600_000 },
      { owner: { pid: 1, hostname: 'elsewhere' }, startTime: now - 1000 },
    ]);
    const finished = await t.createRun({ owner: { pid: deadPid(), hostname: here } });
    await t.setStatus(finished.id, 'finished');

    const marked = await t.markStaleRunsFailed();
    expect(marked.sort()).toEqual([dead.id, farStale!].sort());
    const d = (await t.getRun(dead.id))!;
    expect(d.status).toBe('failed');
    expect(d.endTime).not.toBeNull();
    expect(d.warnings[0]?.message).toMatch(new RegExp(`marked failed: its process ${d.owner!.pid} on .* is gone`));
    expect((await t.getRun(farStale!))!.warnings[0]?.message).toMatch(/no heartbeat from elsewhere since/);
    expect((await t.getRun(alive.id))!.status).toBe('running');
    expect((await t.getRun(farFresh!))!.status).toBe('running');
    expect((await t.getRun(finished.id))!.status).toBe('finished');
    expect(await t.markStaleRunsFailed({ staleAfterMs: 0 })).toEqual([farFresh]);
    expect(await t.markStaleRunsFailed()).toEqual([]);
  });

  it('reopens a stopped run as running, owned by this process: the repair leaves it alone', async () => {
    const t = ctx.store.tracking;
    const dead = await t.createRun({ owner: { pid: deadPid(), hostname: hostname() } });
    expect(await t.markStaleRunsFailed()).toEqual([dead.id]);
    await t.reopenRun(dead.id);
    const run = (await t.getRun(dead.id))!;
    expect(run.status).toBe('running');
    expect(run.endTime).toBeNull();
    expect(run.owner).toEqual({ pid: process.pid, hostname: hostname() });
    // Its history stays: the warning that it was marked failed.
    expect(run.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/^marked failed: its process/)]);
    expect(await t.markStaleRunsFailed()).toEqual([]);
    await expect(t.reopenRun('no-such-run')).rejects.toThrow("no run 'no-such-run'");
  });

  it('repairs dead runs when the store is opened', async () => {
    const dead = await ctx.store.tracking.createRun({ owner: { pid: deadPid(), hostname: hostname() } });
    await ctx.store.close();
    ctx.store = await ctx.spot.open({ repair: false });
    expect((await ctx.store.tracking.getRun(dead.id))!.status).toBe('running');
    await ctx.store.close();
    ctx.store = await ctx.spot.open();
    expect((await ctx.store.tracking.getRun(dead.id))!.status).toBe('failed');
  });
}
