import { dirname, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import type { MonitorReport } from '../../src/monitor/monitor.js';
import { creditRequests, registerPackage } from '../credit.js';
import { cli, dropPgSchema, fixture, PG_URL, tempDir, storeReachable } from '../helpers.js';

const HOUR = 3_600_000;

/**
 * The model both backends register: logistic regression on the credit data, trained once (--no-track: no store)
 * when the first backend asks for it. Its package file's path.
 */
let trainedModel: Promise<string> | undefined;
const creditModel = (): Promise<string> =>
  (trainedModel ??= (async () => {
    const out = join(tempDir('hyperplane-monitor-model-'), 'model');
    const train = await cli(['train', fixture('credit_card.csv'), '--target', 'declined', '--learner', 'logistic', '--no-track', '--out', out], { cwd: dirname(out) });
    expect(train.code, train.stderr).toBe(0);
    return join(out, 'model.hpkg');
  })());
const PG_SCHEMA = `hp_monitor_${process.pid}`;

// The tests only read what beforeAll logged, each backend its own store: every test runs side by side.
describe.concurrent('hyperplane monitor', () => {
  describeOn('SQLite', (dir) => `sqlite:${join(dir, 'hyperplane.db')}`);
  describeOn('PostgreSQL', () => `${PG_URL}?schema=${PG_SCHEMA}`, () => dropPgSchema(PG_SCHEMA));
});

function describeOn(backend: string, storeUri: (dir: string) => string, cleanup?: () => Promise<void>): void {
  describe(`hyperplane monitor on ${backend}`, () => {
    const dir = tempDir('hyperplane-monitor-');
    const env = { HYPERPLANE_STORE: storeUri(dir) };
    // Run in the test's own folder: a PostgreSQL store's journal root is ./.hyperplane/journal.
    const runCli = (args: readonly string[], options: { env: Record<string, string> }) => cli(args, { ...options, cwd: dir });
    let reachable = true;
    // Two full hours of traffic: the first like training, the second with income doubled and a new owner label in 10% of rows.
    const start = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;

    beforeAll(async () => {
      if (cleanup !== undefined) reachable = await storeReachable(env.HYPERPLANE_STORE, 'hyperplane monitor on PostgreSQL');
      if (!reachable) return;
      const version = await registerPackage(env.HYPERPLANE_STORE, 'credit', await creditModel(), 'production');
      const store = await openStore({ uri: env.HYPERPLANE_STORE });
      try {
        const rows = creditRequests();
        const logged = (hour: number, i: number, request: Record<string, string | number>) => ({
          id: `h${hour}-${i}`,
          model: 'credit',
          version,
          timestamp: start + hour * HOUR + i * 1000,
          request,
          response: { prediction: 'no', probabilities: { no: 0.8, yes: 0.2 } },
          latencyMs: 0.3,
          // The first hour split between two arms: the first 50 answers (all answered right) from credit/2.
          ...(hour === 0 ? { arm: i < 50 ? 'credit/2' : 'credit/1' } : {}),
        });
        await store.predictions.insert([
          ...rows.slice(0, 600).map((r, i) => logged(0, i, r)),
          ...rows.slice(600, 1200).map((r, i) => logged(1, i, { ...r, income: (r['income'] as number) * 2, owner: i % 10 === 0 ? 'lodger' : r['owner']! })),
        ]);
        // Outcomes for 100 of the first hour's answers, a minute after each: 80 as answered, 20 not.
        await store.feedback.insert(Array.from({ length: 100 }, (_, i) => ({ predictionId: `h0-${i}`, outcome: i < 80 ? 'no' : 'yes', timestamp: start + i * 1000 + 60_000 })));
      } finally {
        await store.close();
      }
    });

    afterAll(async () => {
      if (reachable) await cleanup?.();
    });

    beforeEach((context) => {
      if (!reachable) context.skip();
    });

    it('--json: each window against the training reference, the shifted column and the new label found in the second hour only', async () => {
      const r = await runCli(['monitor', 'credit', '--since', '1d', '--json'], { env });
      expect(r.code, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout) as MonitorReport;
      expect(report).toMatchObject({ model: 'credit', version: 1, rows: 1200, alerts: [] });
      // Realized quality where outcomes came back; estimated (CBPE) for every window.
      expect(report.quality.map((q) => [q.predictions, q.labelled])).toEqual([
        [600, 100],
        [600, 0],
      ]);
      expect(report.quality[0]!.metrics['accuracy']).toBe(0.8);
      expect(report.quality[0]!.labelDelayMs).toEqual({ median: 60_000, p90: 60_000 });
      // Per arm, counted against each arm's predictions in the log: 50 outcomes each, 30 of credit/1's right.
      expect(report.arms!.map((a) => [a.arm, a.predictions, a.labelled, a.metrics['accuracy']])).toEqual([
        ['credit/1', 550, 50, 0.6],
        ['credit/2', 50, 50, 1],
      ]);
      expect(report.quality[1]!.arms).toBeUndefined();
      expect(report.estimated.map((e) => e.rows)).toEqual([600, 600]);
      expect(report.reference.metrics['auc']).toBeGreaterThan(0.7);
      // The outcomes (80% no) against the training target (78% no): compared, and no drift.
      expect(report.target).toMatchObject({ column: 'target', type: 'categorical', test: 'chi2', rows: 100, drifted: false });
      expect(report.windows.map((w) => [w.start, w.rows])).toEqual([
        [new Date(start).toISOString(), 600],
        [new Date(start + HOUR).toISOString(), 600],
      ]);
      const [first, second] = report.windows;
      expect(first!.drifted).toEqual([]);
      expect(first!.driftShareVsPrevious).toBeNull();
      expect(second!.drifted).toEqual(expect.arrayContaining(['income', 'owner']));
      expect(second!.driftShareVsPrevious).toBeGreaterThan(0);
      const income = report.columns.find((c) => c.column === 'income')!;
      // Over the range, 1,200 rows: judged by effect size.
      expect(income).toMatchObject({ drifted: true, test: 'wasserstein', type: 'numeric' });
      expect(income.effect).toBeGreaterThan(0.1);
      const owner = report.columns.find((c) => c.column === 'owner')!;
      expect(owner.newCategories).toEqual([{ label: 'lodger', share: 60 / 1200 }]);
      // Drifted columns first, then by effect × importance.
      expect(report.columns.slice(0, 2).map((c) => c.column).sort()).toEqual(['income', 'owner']);
      expect(report.columns.map((c) => c.rank)).toEqual(report.columns.map((_, i) => i + 1));
      expect(report.prediction.map((p) => p.column)).toEqual(['prediction score', 'predicted label']);
      // The domain classifier ran over the range, on the rows the windows sampled.
      expect(report.multivariate).toMatchObject({ rows: expect.any(Number), auc: expect.any(Number) });
    });

    it('prints the columns and the windows for a person', async () => {
      const r = await runCli(['monitor', 'credit@production', '--since', '1d'], { env });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^credit\/1: 1,200 predictions since .* in 2 windows/);
      expect(r.stdout).toMatch(/^income\s+wasserstein\s.*DRIFT$/m);
      expect(r.stdout).toMatch(/lodger 5\.0%/);
    });

    it('a range with no traffic says so; --window 2h folds the two hours into one', async () => {
      const [later, wideRun] = await Promise.all([runCli(['monitor', 'credit', '--since', '1m'], { env }), runCli(['monitor', 'credit', '--since', '1d', '--window', '2h', '--json'], { env })]);
      expect(later.code, later.stderr).toBe(0);
      expect(later.stdout).toMatch(/no traffic in this range/);
      const wide = JSON.parse(wideRun.stdout) as MonitorReport;
      expect(wide.windows.reduce((s, w) => s + w.rows, 0)).toBe(1200);
      expect(wide.windows.length).toBeLessThanOrEqual(2);
    });

    it('--segment: drift and quality per level of a categorical input, read from the raw log; a numeric one is refused by name', async () => {
      const [segmented, bad] = await Promise.all([runCli(['monitor', 'credit', '--since', '1d', '--segment', 'owner', '--json'], { env }), runCli(['monitor', 'credit', '--segment', 'income'], { env })]);
      const report = JSON.parse(segmented.stdout) as MonitorReport;
      const [owner] = report.segments!;
      expect(owner).toMatchObject({ column: 'owner', source: 'raw log', rows: 1200 });
      // yes, no, and the 60 lodgers as other; income doubled in the second hour drifts in both levels.
      expect(owner!.levels.map((l) => l.level).sort()).toEqual(['(other)', 'no', 'yes']);
      for (const level of owner!.levels.filter((l) => l.level !== '(other)')) expect(level.drifted).toContain('income');
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/segment 'income': a numeric input of credit\/1; segments split by a categorical input \(its categorical inputs: owner, selfemp, majorcards\)/);
    });

    it('bad input: an unknown model, a bad --since or --window, an unwritable --html, an unknown --segment: exit 2, one line', async () => {
      const cases = [
        [['monitor', 'nosuch'], /nosuch/],
        [['monitor', 'credit', '--since', 'yesterday'], /--since 'yesterday'/],
        [['monitor', 'credit', '--window', '10s'], /--window 10s: expected a duration of a minute or more/],
        [['monitor', 'credit', '--html', join(dir, 'no-such-folder', 'm.html')], /--html .*m\.html: cannot write it \(ENOENT\)/],
        [['monitor', 'credit', '--segment', 'nope'], /segment 'nope': not an input of credit\/1/],
      ] as const;
      // Five refusals, side by side; each checked on its own.
      const results = await Promise.all(cases.map(([args]) => runCli([...args], { env })));
      for (const [k, [, pattern]] of cases.entries()) {
        const r = results[k]!;
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
        expect(r.stderr).toMatch(/^hyperplane: error: /);
        expect(r.stderr).toMatch(pattern);
      }
    });
  });
}
