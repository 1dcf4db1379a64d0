import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { cli as cliAsync, fixture, ROOT, runCli, tempDir } from '../helpers.js';

/** A project directory under git with the training data in it, and a store of its own. */
function project(): { dir: string; env: Record<string, string>; git: (...args: string[]) => string } {
  const dir = tempDir('hyperplane-project-');
  const git = (...args: string[]): string => spawnSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=CI', ...args], { cwd: dir, encoding: 'utf8' }).stdout;
  git('init', '-q');
  copyFileSync(fixture('breast_cancer.csv'), join(dir, 'cancer.csv'));
  writeFileSync(join(dir, 'train.sh'), 'hyperplane train cancer.csv --target diagnosis\n');
  git('add', '.');
  git('commit', '-q', '-m', 'first');
  return { dir, env: { HYPERPLANE_STORE: `sqlite:${join(dir, '.hyperplane', 'hyperplane.db')}` }, git };
}

const waitFor = async (check: () => Promise<boolean>, ms = 30_000): Promise<void> => {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('train → runs list → models register → alias → predict by name@production → reproduce', () => {
  let p: ReturnType<typeof project>;
  let runId: string;
  const cli = (args: string[]) => runCli(args, { cwd: p.dir, env: p.env });
  const cliSideBySide = (args: string[]) => cliAsync(args, { cwd: p.dir, env: p.env });

  beforeAll(() => {
    p = project();
    const train = cli(['train', 'cancer.csv', '--target', 'diagnosis', '--learner', 'gbdt', '--n-estimators', '25', '--experiment', 'cancer', '--json']);
    expect(train.code, train.stderr).toBe(0);
    runId = JSON.parse(train.stdout).run;
    expect(runId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('records the run: finished, with its settings, data fingerprint, commit, environment, metrics and model', async () => {
    const store = await openStore({ uri: p.env['HYPERPLANE_STORE']! });
    try {
      const run = (await store.tracking.getRun(runId))!;
      expect(run.status).toBe('finished');
      expect(run.params).toMatchObject({ learner: 'gbdt', n_estimators: 25 });
      expect(run.tags).toMatchObject({ target: 'diagnosis', learner: 'gbdt', model: 'gbdt', task: 'binary', refit: 'yes' });
      expect(run.inputs).toEqual([{ role: 'train', source: join(p.dir, 'cancer.csv'), fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/), rows: 569 }]);
      expect(run.git).toEqual({ commit: p.git('rev-parse', 'HEAD').trim(), dirty: false });
      expect(run.environment?.packages['hyperplane']).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
      expect(run.metrics['auc']).toBeGreaterThan(0.95);
      expect(run.metrics['train_auc']).toBeGreaterThan(run.metrics['auc']! - 0.1);
      expect(run.artifacts.map((a) => a.name).sort()).toEqual(['data', 'model', 'report', 'summary']);
      const model = run.artifacts.find((a) => a.name === 'model')!;
      expect(Buffer.from(await store.artifacts.get(model.sha256))).toEqual(readFileSync(join(p.dir, '.hyperplane', 'runs', runId, 'model.hpkg')));
    } finally {
      await store.close();
    }
  });

  it('lists the run, registers it, moves the production alias and predicts through it as through the file', async () => {
    const list = await cliSideBySide(['runs', 'list', '--experiment', 'cancer']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain(runId.slice(0, 8));
    const register = await cliSideBySide(['models', 'register', runId, '--name', 'cancer', '--alias', 'production']);
    expect(register.code, register.stderr).toBe(0);
    expect(register.stdout).toMatch(/cancer\/1/);
    // Once registered, the predictions by every kind of reference and the evaluation read the store side by side.
    const refs = ['cancer/1', 'cancer/latest', runId, runId.slice(0, 10)];
    const [byAlias, byFile, evaluate, ...byRef] = await Promise.all([
      cliSideBySide(['predict', 'cancer@production', 'cancer.csv']),
      cliSideBySide(['predict', join('.hyperplane', 'runs', runId, 'model.hpkg'), 'cancer.csv']),
      cliSideBySide(['evaluate', 'cancer@production', 'cancer.csv', '--json']),
      ...refs.map((ref) => cliSideBySide(['predict', ref, 'cancer.csv'])),
    ]);
    expect(byAlias.code, byAlias.stderr).toBe(0);
    expect(byAlias.stdout).toBe(byFile.stdout);
    expect(byAlias.stdout.trimEnd().split('\n')).toHaveLength(570);
    for (const r of byRef) expect(r.stdout).toBe(byFile.stdout);
    expect(evaluate.code, evaluate.stderr).toBe(0);
    expect(JSON.parse(evaluate.stdout).auc).toBeGreaterThan(0.95);
  });

  it('names what is wrong with a reference the store does not know', () => {
    const r = cli(['predict', 'cancer@staging', 'cancer.csv']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^hyperplane: error: cancer@staging: model 'cancer' has no alias 'staging' \(its aliases: production\)/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('reproduces the run with identical metrics, and records the reproduction', () => {
    const r = cli(['reproduce', runId, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.identical).toBe(true);
    expect(out.metrics.length).toBeGreaterThan(8);
    for (const m of out.metrics) expect(m.now).toBe(m.recorded);
    // The metrics measure the evaluated model; the refit model that was packaged is compared too.
    expect(out.model).toEqual({ recorded: expect.stringMatching(/^[0-9a-f]{64}$/), now: out.model.recorded, match: true });
    expect(out.reproduction).toMatch(/^[0-9a-f]{32}$/);
  });

  it('refuses to reproduce when the code or the data changed, naming which', () => {
    writeFileSync(join(p.dir, 'train.sh'), 'hyperplane train cancer.csv --target diagnosis --learner gbdt\n');
    p.git('commit', '-q', '-am', 'second');
    const code = cli(['reproduce', runId]);
    expect(code.code).toBe(2);
    expect(code.stderr).toMatch(/the code differs: run [0-9a-f]+ was trained at commit [0-9a-f]{12}, this checkout is at [0-9a-f]{12}/);
    p.git('checkout', '-q', 'HEAD~1');
    const lines = readFileSync(join(p.dir, 'cancer.csv'), 'utf8').split('\n');
    lines[5] = lines[5]!.replace(/^[^,]+/, '99.5');
    writeFileSync(join(p.dir, 'cancer.csv'), lines.join('\n'));
    // The run kept a snapshot of its data (the default below 64 MiB): it trains from that instead.
    const data = cli(['reproduce', runId]);
    expect(data.code, data.stderr).toBe(0);
    expect(data.stdout).toMatch(/the source .*cancer\.csv changed since the run; training from the run's snapshot \(sha256 [0-9a-f]{12}, 569 rows\)/);
    expect(data.stdout).toMatch(/every metric and the model are identical/);
    p.git('checkout', '-q', '--', 'cancer.csv');
  });
});

// Each test has a project and store of its own: side by side.
describe.concurrent('a training process that is stopped', () => {
  /** Starts a training that takes several seconds and resolves once its run is recorded as running. */
  async function startTraining(p: ReturnType<typeof project>): Promise<{ child: ReturnType<typeof spawn>; runId: string }> {
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'train', 'cancer.csv', '--target', 'diagnosis', '--learner', 'auto', '--time-budget', '60'], { cwd: p.dir, env: { ...process.env, ...p.env }, stdio: 'ignore' });
    let runId = '';
    await waitFor(async () => {
      const store = await openStore({ uri: p.env['HYPERPLANE_STORE']!, repair: false });
      try {
        const page = await store.tracking.listRuns({ status: 'running' });
        runId = page.runs[0]?.id ?? '';
        return runId !== '';
      } finally {
        await store.close();
      }
    });
    return { child, runId };
  }

  const statusOf = async (p: ReturnType<typeof project>, runId: string, repair: boolean) => {
    const store = await openStore({ uri: p.env['HYPERPLANE_STORE']!, repair });
    try {
      return (await store.tracking.getRun(runId))!.status;
    } finally {
      await store.close();
    }
  };

  it('by SIGTERM (or Ctrl-C) ends its run as killed', async () => {
    const p = project();
    const { child, runId } = await startTraining(p);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(await statusOf(p, runId, false)).toBe('killed');
  });

  it('by kill -9 leaves a readable store whose next open marks the run failed', async () => {
    const p = project();
    const { child, runId } = await startTraining(p);
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    child.kill('SIGKILL');
    await exited;
    expect(await statusOf(p, runId, false)).toBe('running');
    expect(await statusOf(p, runId, true)).toBe('failed');
  });
});
