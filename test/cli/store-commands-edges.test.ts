import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodePackage, encodePackage } from '../../src/pipeline/package.js';
import { openStore } from '../../src/store/index.js';
import { fixture, runCli, tempDir } from '../helpers.js';

/** One line on stderr, exit code 2, no stack. */
function expectCleanError(r: { code: number; stderr: string }, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
}

/** Real model packages (register reads the schema from them), made distinct by the seed in their info. */
function modelPackages(): (seed: number) => Uint8Array {
  const out = tempDir('hyperplane-edges-model-');
  const r = runCli(['train', fixture('wine.csv'), '--target', 'cultivar', '--learner', 'logistic', '--no-track', '--out', out]);
  expect(r.code, r.stderr).toBe(0);
  const template = decodePackage(readFileSync(join(out, 'model.hpkg')), 'template');
  return (seed) => encodePackage({ ...template, info: { ...template.info, seed } });
}

describe('runs and models commands at their edges', () => {
  const uri = `sqlite:${join(tempDir('hyperplane-cli-edges-'), 'hyperplane.db')}`;
  const cli = (args: string[]) => runCli(args, { env: { HYPERPLANE_STORE: uri } });
  /** a and b differ only in seed; live is still running, owned by this test process. */
  const ids = { a: '', b: '', same: '', live: '' };

  beforeAll(async () => {
    const model = modelPackages();
    const store = await openStore({ uri });
    try {
      const finished = async (seed: number, modelSeed: number): Promise<string> => {
        const run = await store.tracking.createRun({
          experiment: 'edges',
          params: { learner: 'gbdt' },
          seed,
          config: { target: 'churn', learner: 'gbdt', evaluation: { kind: 'holdout', share: 0.2 } },
          inputs: [{ role: 'train', source: '/data/churn.csv', fingerprint: 'c'.repeat(64), rows: 10 }],
        });
        await store.tracking.logMetrics(run.id, [{ name: 'auc', value: 0.9 }]);
        await store.tracking.attachArtifact(run.id, 'model', await store.artifacts.put(model(modelSeed)));
        await store.tracking.setStatus(run.id, 'finished');
        return run.id;
      };
      ids.a = await finished(1, 1);
      ids.b = await finished(2, 2);
      ids.same = await finished(1, 3);
      ids.live = (await store.tracking.createRun({ experiment: 'edges', owner: { pid: process.pid, hostname: hostname() } })).id;
    } finally {
      await store.close();
    }
  });

  it('runs show prints the config, the end time, and who owns a running run', () => {
    const done = cli(['runs', 'show', ids.a]);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/^status {3}finished, started \d{4}-\d\d-\d\d \d\d:\d\d UTC, ended \d{4}-\d\d-\d\d \d\d:\d\d UTC, took /m);
    expect(done.stdout).toMatch(/config:\n {2}target {6}churn\n {2}learner {5}gbdt\n {2}evaluation {2}\{"kind":"holdout","share":0\.2\}/);
    const live = cli(['runs', 'show', ids.live]);
    expect(live.stdout).toContain(`status   running since`);
    expect(live.stdout).toContain(`process ${process.pid} on ${hostname()}, last heartbeat`);
  });

  it('runs compare names a different seed, and says in one line when nothing differs', () => {
    const seed = cli(['runs', 'compare', ids.a, ids.b]);
    expect(seed.code, seed.stderr).toBe(0);
    expect(seed.stdout).toContain('seed: a 1, b 2');
    expect(seed.stdout).toContain('params: the same');
    expect(JSON.parse(cli(['runs', 'compare', ids.a, ids.b, '--json']).stdout).seed).toEqual({ a: 1, b: 2 });
    const same = cli(['runs', 'compare', ids.a, ids.same]);
    expect(same.stdout).toBe(`a = ${ids.a}\nb = ${ids.same}\n\nnothing differs: params, metrics, data, tags, seed, code and environment are the same\n`);
    expect(JSON.parse(cli(['runs', 'compare', ids.a, ids.same, '--json']).stdout)).toMatchObject({ params: [], metrics: [], data: [], tags: [], seed: null, code: null, environment: [] });
  });

  it('a run id prefix shorter than 6 characters is explained', () => {
    expectCleanError(cli(['runs', 'show', ids.a.slice(0, 4)]), new RegExp(`no run '${ids.a.slice(0, 4)}' in .*\\(a shortened run id needs at least 6 characters\\)`));
  });

  it('runs delete deletes nothing when a model version comes from any of the runs, and a run named twice once', () => {
    const reg = cli(['models', 'register', ids.b.slice(0, 8), '--name', 'edges']);
    expect(reg.code, reg.stderr).toBe(0);
    expectCleanError(cli(['runs', 'delete', ids.same, ids.b, '--yes']), new RegExp(`nothing deleted: model versions come from run ${ids.b} \\(edges/1\\); delete those versions first`));
    expect(cli(['runs', 'show', ids.same]).code).toBe(0);
    const twice = cli(['runs', 'delete', ids.same, ids.same.slice(0, 8), '--yes']);
    expect(twice.code, twice.stderr).toBe(0);
    expect(twice.stdout).toBe(`deleted run ${ids.same}\n`);
  });

  it('models delete takes --version as well as NAME/N, and --version is still the program version before a command', () => {
    expect(cli(['models', 'register', ids.a, '--name', 'edges']).stdout).toMatch(/^registered edges\/2/);
    expectCleanError(cli(['models', 'delete', 'edges', '--version', '1']), /deleting edges\/1 is permanent: add --yes to confirm/);
    expectCleanError(cli(['models', 'delete', 'edges/1', '--version', '2', '--yes']), /'edges\/1' and --version 2 name different versions/);
    expectCleanError(cli(['models', 'delete', 'edges', '--version', '7', '--yes']), /model 'edges' has no version 7 \(its versions: 1, 2\)/);
    const del = cli(['models', 'delete', 'edges', '--version', '1', '--yes']);
    expect(del.code, del.stderr).toBe(0);
    expect(del.stdout).toMatch(/^deleted edges\/1 /);
    expect(cli(['models', 'show', 'edges', '--json']).stdout).toContain('"version": 2');
    expect(cli(['--version']).stdout).toBe('0.1.0\n');
  });
});
