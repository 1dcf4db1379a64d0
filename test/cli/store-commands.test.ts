import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePackage, encodePackage, type ModelPackage } from '../../src/pipeline/package.js';
import { openStore, type Store } from '../../src/store/index.js';
import { dropPgSchema, fixture, runCli, tempDir } from '../helpers.js';

/** One line on stderr, exit code 2, no stack. */
function expectCleanError(r: { code: number; stderr: string }, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
}

/** A pid no process has: that of a child that has exited and been waited for. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid!;

/** Real model packages, one per run (the seed in its info differs), from one small training. */
let template: ModelPackage | undefined;
function modelBytes(i: number): Uint8Array {
  if (template === undefined) {
    const out = tempDir('hyperplane-template-');
    const r = runCli(['train', fixture('wine.csv'), '--target', 'cultivar', '--learner', 'logistic', '--no-track', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    template = decodePackage(readFileSync(join(out, 'model.hpkg')), 'template');
  }
  return encodePackage({ ...template, info: { ...template.info, seed: i } });
}

/** A store with 30 finished runs over two experiments (metrics, tags, a model artifact each) and one orphaned 'running' run. */
async function populate(store: Store): Promise<{ ids: string[]; orphan: string }> {
  const ids: string[] = [];
  for (let i = 0; i < 30; i++) {
    const run = await store.tracking.createRun({
      experiment: i % 2 === 0 ? 'churn' : 'fraud',
      params: { learner: i % 3 === 0 ? 'gbdt' : 'logistic', num_leaves: 10 + i },
      tags: { learner: i % 3 === 0 ? 'gbdt' : 'logistic', target: 'label' },
      seed: i,
      inputs: [{ role: 'train', source: '/data/churn.csv', fingerprint: (i < 15 ? 'a' : 'b').repeat(64), rows: 1000 }],
      startTime: Date.UTC(2026, 0, 1) + i * 60_000,
    });
    await store.tracking.logMetrics(run.id, [{ name: 'auc', value: 0.7 + i / 100 }, { name: 'log_loss', value: 0.5 - i / 100 }]);
    await store.tracking.attachArtifact(run.id, 'model', await store.artifacts.put(modelBytes(i)));
    await store.tracking.setStatus(run.id, 'finished', Date.UTC(2026, 0, 1) + i * 60_000 + 5_000);
    ids.push(run.id);
  }
  const orphan = await store.tracking.createRun({ experiment: 'churn', owner: { pid: deadPid(), hostname: hostname() } });
  return { ids, orphan: orphan.id };
}

describe('hyperplane runs, models and gc on the SQLite store', () => {
  const uri = `sqlite:${join(tempDir('hyperplane-cli-store-'), 'hyperplane.db')}`;
  const cli = (args: string[]) => runCli(args, { env: { HYPERPLANE_STORE: uri } });
  let ids: string[];
  let orphan: string;

  beforeAll(async () => {
    // Opened without repair, so the orphaned run is still 'running' for `runs repair` to find.
    const store = await openStore({ uri, repair: false });
    try {
      ({ ids, orphan } = await populate(store));
    } finally {
      await store.close();
    }
  });

  it('runs repair marks the run of a dead process failed, and names it', () => {
    const r = cli(['runs', 'repair']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`marked failed, their process is gone: ${orphan}`);
    expect(cli(['runs', 'repair']).stdout).toMatch(/no run is left running/);
    expect(cli(['runs', 'list', '--status', 'failed']).stdout).toContain(orphan.slice(0, 8));
  });

  it('runs list filters by metric, tag, experiment and status, sorts by a metric and pages with a cursor', () => {
    const r = cli(['runs', 'list', '--experiment', 'churn', '--where', 'auc > 0.9', '--tag', 'learner=gbdt', '--sort', '-auc', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const page = JSON.parse(r.stdout) as { runs: { id: string; metrics: { auc: number } }[]; nextCursor: string | null };
    // churn = even i, gbdt = i % 3 == 0, auc = 0.7 + i/100 > 0.9 → i > 20: i = 24 (and 30 is out of range)
    expect(page.runs.map((x) => x.id)).toEqual([ids[24]]);
    const text = cli(['runs', 'list', '--status', 'finished', '--sort', '-auc', '--limit', '4']);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^run\s+experiment\s+name\s+status\s+started \(UTC\)\s+took\s+model\s+target\s+auc\s+log_loss/);
    expect(lines.slice(1, 5).map((l) => l.slice(0, 8))).toEqual([29, 28, 27, 26].map((i) => ids[i]!.slice(0, 8)));
    const cursor = /--cursor (\S+)/.exec(lines[5]!)![1]!;
    const next = cli(['runs', 'list', '--status', 'finished', '--sort', '-auc', '--limit', '4', '--cursor', cursor]);
    expect(next.stdout.trimEnd().split('\n').slice(1, 5).map((l) => l.slice(0, 8))).toEqual([25, 24, 23, 22].map((i) => ids[i]!.slice(0, 8)));
    expect(cli(['runs', 'list', '--where', 'auc > 5']).stdout).toBe('no runs match\n');
  });

  it('runs show and compare tell what a run is and what differs between two', () => {
    const show = cli(['runs', 'show', ids[3]!.slice(0, 10)]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain(`run ${ids[3]}  (fraud`);
    expect(show.stdout).toMatch(/num_leaves\s+13/);
    expect(show.stdout).toMatch(/auc\s+0\.73/);
    expect(show.stdout).toMatch(/train\s+\/data\/churn\.csv\s+\(1,000 rows, fingerprint aaaaaaaaaaaaaaaa\)/);
    const compare = cli(['runs', 'compare', ids[3]!, ids[20]!, '--json']);
    expect(compare.code, compare.stderr).toBe(0);
    const diff = JSON.parse(compare.stdout);
    expect(diff.params).toEqual([{ key: 'learner', a: 'gbdt', b: 'logistic' }, { key: 'num_leaves', a: 13, b: 30 }]);
    expect(diff.metrics.find((m: { name: string }) => m.name === 'auc').delta).toBeCloseTo(0.17, 10);
    expect(diff.data).toEqual([{ role: 'train', a: `/data/churn.csv (${'a'.repeat(12)})`, b: `/data/churn.csv (${'b'.repeat(12)})` }]);
    const text = cli(['runs', 'compare', ids[3]!, ids[20]!]).stdout;
    expect(text).toMatch(/num_leaves\s+13\s+30/);
    expect(text).toMatch(/auc\s+0\.73\s+0\.9\s+\+0\.17/);
    expect(text).toContain('code: the same');
  });

  it('models register, alias, list, show and delete', () => {
    const r1 = cli(['models', 'register', ids[10]!, '--name', 'churn', '--alias', 'production']);
    expect(r1.code, r1.stderr).toBe(0);
    expect(r1.stdout).toBe(`registered churn/1 from run ${ids[10]}\nchurn@production → 1\n`);
    expect(cli(['models', 'register', ids[11]!, '--name', 'churn']).stdout).toMatch(/^registered churn\/2/);
    const version = JSON.parse(cli(['models', 'show', 'churn', '--json']).stdout).versions[0];
    expect(version.signature.output).toEqual({ name: 'cultivar', task: 'multiclass', labels: ['class_0', 'class_1', 'class_2'] });
    expect(version.signature.inputs).toContainEqual({ name: 'alcohol', type: 'numeric' });
    expect(version.schema.length).toBe(14);
    expect(version.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(cli(['models', 'alias', 'churn@staging', '2']).stdout).toBe('churn@staging → 2\n');
    expect(cli(['models', 'alias', 'churn@production', '2']).stdout).toBe('churn@production → 2 (was 1)\n');
    const list = cli(['models', 'list']).stdout;
    expect(list).toMatch(/churn\s+2\s+production→2 staging→2/);
    const show = cli(['models', 'show', 'churn']).stdout;
    expect(show).toMatch(/1\s+\S{8}\s+.*auc 0\.8/);
    expect(show).toContain('production: (new) → 1');
    expect(show).toContain('production: 1 → 2');
    expectCleanError(cli(['models', 'alias', 'churn@production', '7']), /churn.*7/);
    expectCleanError(cli(['models', 'delete', 'churn/2', '--yes']), /alias/);
    expect(cli(['models', 'delete', 'churn/1', '--yes']).stdout).toMatch(/deleted churn\/1/);
    expectCleanError(cli(['models', 'delete', 'churn']), /permanent: add --yes/);
    expectCleanError(cli(['models', 'show', 'nope']), /no model named 'nope'/);
  });

  it('runs delete is refused without --yes off a terminal, and while a version comes from the run; gc then frees the blobs', () => {
    expectCleanError(cli(['runs', 'delete', ids[0]!]), /permanent: add --yes to confirm/);
    expectCleanError(cli(['runs', 'delete', ids[11]!, '--yes']), /version/);
    const del = cli(['runs', 'delete', ids[0]!, ids[1]!, '--yes']);
    expect(del.code, del.stderr).toBe(0);
    expect(del.stdout).toBe(`deleted run ${ids[0]}\ndeleted run ${ids[1]}\n`);
    expectCleanError(cli(['runs', 'show', ids[0]!]), /no run/);
    const dry = cli(['gc', '--dry-run', '--min-age', '0']);
    expect(dry.code, dry.stderr).toBe(0);
    const size = modelBytes(0).length + modelBytes(1).length;
    const human = size < 1024 ? `${size} B` : `${(size / 1024).toFixed(1)} KB`;
    expect(dry.stdout).toContain(`would remove 2 artifacts, ${human}`);
    expect(cli(['gc', '--min-age', '0']).stdout).toContain(`removed 2 artifacts, ${human}`);
    expect(cli(['gc', '--dry-run', '--min-age', '0']).stdout).toBe('nothing to collect: every artifact is referenced\n');
    // Within the default hour of grace nothing is collected even when unreferenced, and gc says why.
    cli(['runs', 'delete', ids[2]!, '--yes']);
    expect(cli(['gc', '--dry-run']).stdout).toMatch(/^nothing to remove: 1 unreferenced artifact \(.+\) is younger than --min-age 3600 s; lower it to list it, e\.g\. hyperplane gc --dry-run --min-age 0\n$/);
  });

  it('bad arguments get one clear line', () => {
    expectCleanError(cli(['runs', 'list', '--where', 'auc >> 1']), /not a metric condition like 'auc > 0\.9'/);
    expectCleanError(cli(['runs', 'list', '--tag', 'learner']), /--tag 'learner': expected KEY=VALUE/);
    expectCleanError(cli(['runs', 'list', '--limit', '0']), /--limit 0/);
    expectCleanError(cli(['runs', 'show', 'ffffffffff']), /no run 'ffffffffff'/);
    expectCleanError(cli(['models', 'register', 'ffffffffff', '--name', 'x']), /no run 'ffffffffff'/);
  });
});

describe('the same commands on PostgreSQL', () => {
  const base = process.env['HYPERPLANE_TEST_PG'] ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `hp_cli_${process.pid}`;
  const uri = `${base}?schema=${schema}`;
  let reachable = true;
  let ids: string[] = [];

  beforeAll(async () => {
    try {
      const store = await openStore({ uri });
      try {
        ({ ids } = await populate(store));
      } finally {
        await store.close();
      }
    } catch (e) {
      if (process.env['CI'] === 'true') throw e;
      reachable = false;
      console.warn(`PostgreSQL store CLI tests skipped: ${(e as Error).message}`);
    }
  });

  afterAll(async () => {
    if (!reachable) return;
    await dropPgSchema(schema, base);
  });

  it('list, register with an alias, and show', (context) => {
    if (!reachable) context.skip();
    const cli = (args: string[]) => runCli(args, { env: { HYPERPLANE_STORE: uri } });
    const list = cli(['runs', 'list', '--where', 'auc >= 0.98', '--sort', '-auc']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout.trimEnd().split('\n').slice(1).map((l) => l.slice(0, 8))).toEqual([29, 28].map((i) => ids[i]!.slice(0, 8)));
    expect(cli(['models', 'register', ids[29]!, '--name', 'fraud', '--alias', 'champion']).stdout).toContain('fraud@champion → 1');
    expect(cli(['models', 'show', 'fraud']).stdout).toContain('champion: (new) → 1');
  });
});
