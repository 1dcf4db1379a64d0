import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { cli as runCli, dropPgSchema, PG_URL, postgresUnreachable, tempDir, type CliResult } from '../helpers.js';

/** The store commands' bad inputs: exit code 2 and one line naming what was wrong, on either database. */
function expectCleanError(r: CliResult, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^hyperplane: error: /);
  expect(lines[0]).toMatch(pattern);
}

const cursorOf = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const me = `cli:${userInfo().username}`;

/** [arguments, expected exit code, a fragment of the one line it prints (stderr for 2, stdout for 0)] */
type Row = [string[], 0 | 2, RegExp];

const listRows: Row[] = [
  // --cursor: garbage, base64 of junk, well-formed but out of range for the column, negative, huge.
  [['runs', 'list', '--cursor', 'garbage'], 2, /--cursor: the cursor is not one this store handed out/],
  [['runs', 'list', '--cursor', Buffer.from('{junk').toString('base64')], 2, /--cursor: the cursor is not one this store handed out/],
  [['runs', 'list', '--cursor', cursorOf(['startTime desc', 1.5, 'x'])], 2, /--cursor: the cursor is not one this store handed out/],
  [['runs', 'list', '--cursor', cursorOf(['startTime desc', 1e300, 'x'])], 2, /--cursor: the cursor is not one this store handed out/],
  [['runs', 'list', '--cursor', cursorOf(['startTime desc', 2 ** 63, 'x'])], 2, /--cursor: the cursor is not one this store handed out/],
  [['runs', 'list', '--cursor', '-5'], 2, /--cursor: the cursor is not one this store handed out/],
  [['runs', 'list', '--cursor', '99999999999999999999999'], 2, /--cursor: the cursor is not one this store handed out/],
  [['runs', 'list', '--cursor', cursorOf(['startTime desc', 'x', 'x'])], 2, /--cursor: the cursor is not one this store handed out/],
  [['runs', 'list', '--sort', '-auc', '--cursor', Buffer.from('["metric auc desc",1e999,"x"]').toString('base64url')], 2, /--cursor: the cursor is not one this store handed out/],
  [['runs', 'list', '--sort', '-auc', '--cursor', cursorOf(['startTime desc', 5, 'x'])], 2, /--cursor: the cursor belongs to a listing ordered by startTime desc, not metric auc desc/],
  // A negative start time is a position like any other: before every run, so nothing follows it.
  [['runs', 'list', '--cursor', cursorOf(['startTime desc', -5, 'x'])], 0, /no runs match/],
  // A misspelt metric, sort key or tag names itself and what there is.
  [['runs', 'list', '--where', 'acu > 0.9'], 2, /--where 'acu > 0\.9': no run has a metric 'acu' \(known metrics: auc, log_loss\)/],
  [['runs', 'list', '--where', 'auc > 0.5', '--where', 'los < 1'], 2, /no run has a metric 'los' \(known metrics: auc, log_loss\)/],
  [['runs', 'list', '--sort', '-acu'], 2, /--sort '-acu': no run has a metric 'acu' \(known metrics: auc, log_loss\)/],
  [['runs', 'list', '--tag', 'lerner=gbdt'], 2, /--tag 'lerner=gbdt': no run has a tag 'lerner' \(known tags: learner\)/],
  [['runs', 'list', '--where', 'auc > 5'], 0, /^no runs match$/m],
  [['runs', 'list', '--tag', 'learner=nope'], 0, /^no runs match$/m],
  [['runs', 'list', '--where', 'auc > 0.85', '--sort', '-log_loss'], 0, /run/],
];

const keyRows: Row[] = [
  [['keys', 'create', 'k', '--scope', 'predict', '--expires', 'soon'], 2, /--expires 'soon': expected a duration such as 90d, 12h or 30m, or a date such as 2027-01-31/],
  [['keys', 'create', 'k', '--scope', 'predict', '--expires', '0d'], 2, /--expires '0d': /],
  [['keys', 'create', 'k', '--scope', 'predict', '--expires', '-3d'], 2, /--expires '-3d': /],
  [['keys', 'create', 'k', '--scope', 'predict', '--expires', '90x'], 2, /--expires '90x': /],
  [['keys', 'create', 'k', '--scope', 'predict', '--expires', '2020-01-01'], 2, /--expires '2020-01-01': that is in the past/],
  [['keys', 'create', 'k', '--scope', 'predict', '--expires', '2031-02-30'], 2, /--expires '2031-02-30': /],
  [['keys', 'create', 'k', '--scope', 'predict', '--expires', '1e9d'], 2, /--expires '1e9d': /],
  [['audit', '--limit', '0'], 2, /--limit 0: expected a whole number from 1 to 10,000/],
  [['audit', '--action', 'alias.sett'], 2, /--action 'alias\.sett': expected one of alias\.set, alias\.delete/],
  [['audit', '--since', 'yesterday'], 2, /--since 'yesterday': expected a duration ago such as 7d or 12h, or a date such as 2027-01-31/],
];

/** Three runs with metrics and a tag, and a fourth whose only artifact gc should find after it is deleted. */
async function populate(uri: string): Promise<string> {
  const store = await openStore({ uri });
  try {
    for (let i = 0; i < 3; i++) {
      const run = await store.tracking.createRun({ experiment: 'e', tags: { learner: i === 0 ? 'gbdt' : 'logistic' }, startTime: Date.UTC(2026, 0, 1) + i });
      await store.tracking.logMetrics(run.id, [{ name: 'auc', value: 0.8 + i / 20 }, { name: 'log_loss', value: 0.3 }]);
      await store.tracking.setStatus(run.id, 'finished');
    }
    const doomed = await store.tracking.createRun({ experiment: 'e' });
    await store.tracking.attachArtifact(doomed.id, 'model', await store.artifacts.put(new TextEncoder().encode(`a model ${uri}`)));
    await store.tracking.setStatus(doomed.id, 'finished');
    const v = await store.artifacts.put(new TextEncoder().encode('version 1'));
    await store.registry.createVersion('churn', { artifact: v });
    await store.registry.createVersion('churn', { artifact: v });
    return doomed.id;
  } finally {
    await store.close();
  }
}

const pgUnreachable = await postgresUnreachable();
const pgSchema = `hp_cli_bad_${process.pid}`;
const backends: [string, () => string, boolean][] = [
  ['SQLite', () => `sqlite:${join(tempDir('hyperplane-bad-store-'), 'hyperplane.db')}`, false],
  ['PostgreSQL', () => `${PG_URL}?schema=${pgSchema}`, pgUnreachable !== undefined && process.env['CI'] !== 'true'],
];

// The two backends' stores are separate, and within one no test changes what another reads (the refusals change
// nothing; gc's run and artifact are not the audit trail's or the listings'), so the tests run side by side: each
// is a CLI process or a few, mostly waiting on process start.
describe.concurrent('store commands\' bad input', () => {
  for (const [name, makeUri, skip] of backends) {
    describe.skipIf(skip)(`store commands' bad input on ${name}`, () => {
      const uri = makeUri();
      const cli = (args: string[]): Promise<CliResult> => runCli(args, { env: { HYPERPLANE_STORE: uri } });
      let doomed: string;

      beforeAll(async () => {
        doomed = await populate(uri);
      });
      afterAll(async () => {
        if (name === 'PostgreSQL') await dropPgSchema(pgSchema);
      });

      it.each(listRows)('runs list %j → exit %i', async (args, code, fragment) => {
        const r = await cli(args);
        if (code === 2) expectCleanError(r, fragment);
        else {
          expect(r.code, r.stderr).toBe(0);
          expect(r.stdout).toMatch(fragment);
        }
      });

      it.each(keyRows)('%j → exit %i', async (args, _code, fragment) => expectCleanError(await cli(args), fragment));

      it('gc right after runs delete says the blobs are younger than --min-age, how many and how big', async () => {
        expect((await cli(['runs', 'delete', doomed, '--yes'])).code).toBe(0);
        // gc and gc --dry-run with the default --min-age remove nothing, and a bad --min-age is refused: side by side.
        const [gc, dry, bad] = await Promise.all([cli(['gc']), cli(['gc', '--dry-run']), cli(['gc', '--min-age', 'soon'])]);
        expect(gc.code, gc.stderr).toBe(0);
        expect(gc.stdout).toMatch(/^nothing collected: 1 unreferenced artifact \(\d+ B\) is younger than --min-age 3600 s; lower it to collect it now, e\.g\. hyperplane gc --min-age 0 when no training is under way$/m);
        expect(gc.stdout).not.toMatch(/every artifact is referenced/);
        expect(dry.stdout).toMatch(/^nothing to remove: 1 unreferenced artifact \(\d+ B\) is younger than --min-age 3600 s; lower it to list it, e\.g\. hyperplane gc --dry-run --min-age 0$/m);
        expectCleanError(bad, /--min-age soon: expected seconds, 0 or more/);
        const now = await cli(['gc', '--min-age', '0']);
        expect(now.stdout).toMatch(/removed 1 artifact/);
        expect((await cli(['gc', '--min-age', '0'])).stdout).toBe('nothing to collect: every artifact is referenced\n');
      });

      it('keys create --expires sets an expiry that keys list shows; alias moves, deployments and keys are in the audit trail with the CLI user', async () => {
        const before = Date.now();
        const created = await cli(['keys', 'create', 'ci', '--scope', 'predict', '--expires', '90d']);
        expect(created.code, created.stderr).toBe(0);
        expect(created.stderr).toMatch(/expires \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
        const list = await cli(['keys', 'list']);
        expect(list.stdout).toMatch(/expires \(UTC\)/);
        const expires = new Date(before + 90 * 86_400_000).toISOString().slice(0, 10);
        expect(list.stdout).toContain(expires);
        expect((await cli(['keys', 'create', 'ops', '--scope', 'admin', '--expires', '2099-12-31'])).code).toBe(0);
        expect((await cli(['keys', 'list'])).stdout).toContain('2099-12-31 00:00');
        expect((await cli(['models', 'alias', 'churn@production', '1'])).code).toBe(0);
        expect((await cli(['models', 'alias', 'churn@production', '2'])).code).toBe(0);
        expect((await cli(['deploy', 'churn', '--policy', 'fixed'])).code).toBe(0);
        // The trail is complete now; the reads of it run side by side.
        const [json, text, nobody, since] = await Promise.all([
          cli(['audit', '--json']),
          cli(['audit', '--action', 'alias.set', '--limit', '1']),
          cli(['audit', '--actor', 'key:nobody']),
          cli(['audit', '--since', '1h', '--target', 'churn', '--json']),
        ]);
        expect(json.code, json.stderr).toBe(0);
        const entries = JSON.parse(json.stdout) as { actor: string; action: string; target: string; before: unknown; after: unknown }[];
        expect(entries.map((e) => [e.actor, e.action])).toEqual([
          [me, 'deployment.put'],
          [me, 'alias.set'],
          [me, 'alias.set'],
          [me, 'key.create'],
          [me, 'key.create'],
        ]);
        expect(entries[1]).toMatchObject({ target: 'churn@production', before: { version: 1 }, after: { version: 2 } });
        expect(text.stdout).toMatch(new RegExp(`^time \\(UTC\\) +actor +action +target +change`, 'm'));
        expect(text.stdout).toMatch(/alias\.set +churn@production +1 → 2/);
        expect(text.stdout.trimEnd().split('\n')).toHaveLength(2);
        expect(nobody.stdout).toBe('no audit entries match\n');
        expect(JSON.parse(since.stdout)).toHaveLength(1);
      });
    });
  }
});
