import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { Random } from '../../src/synth/random.js';
import { runCliAsync, serveOnFreePort, tempDir } from '../helpers.js';

interface DecisionJson {
  run: string;
  promote: boolean;
  moved: boolean;
  version?: number;
  reason?: string;
  comparison: { metric: string; current: number; candidate: number; gain: number; low: number; high: number; level: number; rows: number };
}

describe('retrain NAME@ALIAS --data NEW: the alias moves only when the new model is better on a recent holdout', () => {
  const dir = tempDir('hyperplane-retrain-');
  const store = `sqlite:${join(dir, 'hyperplane.db')}`;
  const env = { HYPERPLANE_STORE: store };
  const cli = (args: string[]) => runCliAsync(args, 120_000, { cwd: dir, env });
  const file = (name: string): string => join(dir, name);
  const alias = async (): Promise<number | undefined> => {
    const s = await openStore({ uri: store });
    try {
      return (await s.registry.getModel('churn'))?.aliases['production'];
    } finally {
      await s.close();
    }
  };
  const retrain = async (args: string[]): Promise<DecisionJson> => {
    const r = await cli(['retrain', 'churn@production', ...args, '--json']);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as DecisionJson;
  };

  beforeAll(async () => {
    expect((await cli(['synth', '--task', 'binary', '--rows', '3000', '--features', '8', '--seed', '1', '--out', file('all.csv')])).code).toBe(0);
    const [header, ...rows] = readFileSync(file('all.csv'), 'utf8').trimEnd().split('\n');
    writeFileSync(file('first.csv'), `${[header, ...rows.slice(0, 300)].join('\n')}\n`);
    // The same rows with their labels shuffled: nothing left to learn.
    const labels = rows.map((r) => r.slice(r.lastIndexOf(',') + 1));
    const random = new Random(7);
    for (let i = labels.length - 1; i > 0; i--) {
      const j = random.int(i + 1);
      [labels[i], labels[j]] = [labels[j]!, labels[i]!];
    }
    writeFileSync(file('shuffled.csv'), `${[header, ...rows.map((r, i) => `${r.slice(0, r.lastIndexOf(',') + 1)}${labels[i]}`)].join('\n')}\n`);
    const trained = await cli(['train', file('first.csv'), '--target', 'target', '--learner', 'logistic', '--no-snapshot', '--json']);
    expect(trained.code, trained.stderr).toBe(0);
    const run = (JSON.parse(trained.stdout) as { run: string }).run;
    expect((await cli(['models', 'register', run, '--name', 'churn', '--alias', 'production'])).code).toBe(0);
  }, 120_000);

  it('with --min-gain 1 the alias never moves, and the decision is a run with both scores, the interval and a note', async () => {
    const d = await retrain(['--data', file('all.csv'), '--min-gain', '1']);
    expect(d.promote).toBe(false);
    expect(d.moved).toBe(false);
    expect(d.reason).toMatch(/lower end .* is below --min-gain 1/);
    expect(await alias()).toBe(1);
    const c = d.comparison;
    expect(c.metric).toBe('auc');
    expect(c.rows).toBe(600);
    expect(c.gain).toBeCloseTo(c.candidate - c.current, 12);
    expect(c.low).toBeLessThanOrEqual(c.gain);
    expect(c.high).toBeGreaterThanOrEqual(c.gain);
    const shown = await cli(['runs', 'show', d.run, '--json']);
    const run = JSON.parse(shown.stdout) as { tags: Record<string, string>; metrics: Record<string, number>; notes: { text: string }[] };
    expect(run.tags).toMatchObject({ decision: 'kept', retrains: 'churn@production', served: 'churn/1', trigger: 'cli' });
    expect(run.metrics['served_auc']).toBeCloseTo(c.current, 9);
    expect(run.metrics['holdout_auc']).toBeCloseTo(c.candidate, 9);
    expect(run.metrics['gain_low']).toBeCloseTo(c.low, 9);
    expect(run.notes[0]!.text).toMatch(/^retrain \(cli\): kept churn@production at version 1/);
    const audit = await cli(['audit', '--action', 'retrain.keep', '--json']);
    const entries = JSON.parse(audit.stdout) as { target: string; before: { version: number }; after: { run: string; low: number } }[];
    expect(entries[0]).toMatchObject({ target: 'churn@production', before: { version: 1 }, after: { run: d.run } });
  }, 60_000);

  it('a model trained on more of the same data, with --min-gain -1, moves it: a new version from the decision run', async () => {
    const d = await retrain(['--data', file('all.csv'), '--min-gain', '-1']);
    expect(d.moved).toBe(true);
    expect(d.version).toBe(2);
    expect(await alias()).toBe(2);
    const s = await openStore({ uri: store });
    try {
      expect((await s.registry.getVersion('churn', 2))?.runId).toBe(d.run);
      const moves = await s.audit.list({ target: 'churn@production' });
      expect(moves.map((m) => m.action).slice(0, 2)).toEqual(['retrain.promote', 'alias.set']);
    } finally {
      await s.close();
    }
  }, 60_000);

  it('a model trained on shuffled labels does not move it at the default margin', async () => {
    const d = await retrain(['--data', file('shuffled.csv')]);
    expect(d.promote).toBe(false);
    expect(d.comparison.low).toBeLessThan(0.005);
    expect(await alias()).toBe(2);
  }, 60_000);

  it('serve --retrain-config runs it on its schedule, once per period across servers sharing the store', async () => {
    writeFileSync(file('retrain.yaml'), 'retrain:\n  model: churn@production\n  every: 1d\n  data: all.csv\n  minGain: -1\n');
    const first = await serveOnFreePort(dir, env, ['--retrain-config', file('retrain.yaml')]);
    try {
      const deadline = Date.now() + 60_000;
      while (!/retrain churn@production: promoted/.test(first.stderr()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(first.stderr()).toMatch(/retrain churn@production: promoted: churn@production → version 3/);
      expect(await alias()).toBe(3);
      // Another server on the store: the period's run is done, so it only says when the next one is due.
      const second = await serveOnFreePort(dir, env, ['--retrain-config', file('retrain.yaml')]);
      const until = Date.now() + 10_000;
      while (!/next due/.test(second.stderr()) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      expect(second.stderr()).toMatch(/retrain churn@production: next due \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
      second.server.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      first.server.kill('SIGTERM');
      expect(await first.exited).toBe(0);
    }
    const runs = await cli(['runs', 'list', '--json']);
    const scheduled = (JSON.parse(runs.stdout) as { runs: { tags: Record<string, string> }[] }).runs.filter((r) => r.tags['trigger'] === 'schedule');
    expect(scheduled.map((r) => r.tags['decision'])).toEqual(['promoted']);
  }, 120_000);

  it('refuses what it cannot do, naming why', async () => {
    const refused = async (args: string[], pattern: RegExp): Promise<void> => {
      const r = await cli(args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
    };
    await refused(['retrain', 'churn/1', '--data', file('all.csv')], /retrain moves an alias to the better model; name the alias, e\.g\. churn@production/);
    await refused(['retrain', 'churn', '--data', file('all.csv'), '--min-gain', 'abc'], /--min-gain abc: expected a number/);
    await refused(['retrain', 'churn@staging', '--data', file('all.csv')], /staging/);
    await refused(['retrain', 'churn', '--data', file('all.csv'), '--time', 'f0x'], /no column 'f0x' to order the rows by time/);
    writeFileSync(file('bad.yaml'), 'retrain:\n  model: churn\n  every: daily\n  data: all.csv\n');
    await refused(['serve', '--port', '0', '--retrain-config', file('bad.yaml')], /retrain\.every 'daily': expected a duration such as 12h, 1d or 2w/);
  }, 60_000);
});
