import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readTable } from '../../src/data/read/source.js';
import { cellText, columnByName } from '../../src/data/table.js';
import { openStore, type Prediction, type Store } from '../../src/store/index.js';
import { cli, dropPgSchema, ROOT, runCli, tempDir } from '../helpers.js';

const dir = tempDir('hyperplane-predictions-');
const NOW = Date.now();
const HOUR = 3_600_000;

/** A classifier's logged call, as the server writes it: the row, then `{prediction, probabilities}`. */
const churn = (i: number, fields: Partial<Prediction> = {}): Prediction => ({
  id: `c${i}`,
  model: 'churn',
  version: 1 + (i % 2),
  timestamp: NOW - 3 * HOUR + i * 60_000,
  request: { tenure: i, plan: i % 2 === 0 ? 'pro' : 'basic, yearly' },
  response: { prediction: i % 3 === 0 ? 'yes' : 'no', probabilities: { yes: i / 10, no: 1 - i / 10 } },
  latencyMs: 1.5,
  arm: i % 2 === 0 ? 'churn/1' : 'churn/2',
  ...fields,
});

async function seed(store: Store): Promise<void> {
    await store.predictions.insert([
      ...Array.from({ length: 4 }, (_, i) => churn(i)),
      churn(4, { timestamp: NOW - 10 * 60_000, requestId: 'req-4' }),
      { id: 'r1', model: 'price', version: 1, timestamp: NOW - HOUR / 2, request: { rooms: 3 }, response: { prediction: 250.5 }, latencyMs: 0.8 },
      ...Array.from({ length: 2500 }, (_, i) => ({ id: `b${String(i).padStart(4, '0')}`, model: 'bulk', version: 1, timestamp: NOW - 5 * HOUR + i, request: { x: i }, response: { prediction: i }, latencyMs: 0.1 })),
    ]);
    await store.feedback.insert([
      { predictionId: 'c0', outcome: 'no', reward: 0, timestamp: NOW - HOUR },
      { predictionId: 'c0', outcome: 'yes', reward: 1, timestamp: NOW - HOUR / 2 }, // the correction: the latest wins
      { predictionId: 'c3', outcome: 'yes', timestamp: NOW - HOUR / 4 },
    ]);
}

const PG_BASE = process.env['HYPERPLANE_TEST_PG'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const PG_SCHEMA = `hp_predictions_${process.pid}`;

describeOn('SQLite', `sqlite:${join(dir, 'hyperplane.db')}`);
describeOn('PostgreSQL', `${PG_BASE}?schema=${PG_SCHEMA}`, () => dropPgSchema(PG_SCHEMA, PG_BASE));

function describeOn(backend: string, uri: string, cleanup?: () => Promise<void>): void {
  describe(`hyperplane predictions on ${backend}`, () => {
    const env = { HYPERPLANE_STORE: uri };
    const cli = (...args: string[]) => runCli(['predictions', ...args], { env });
    const out = (name: string): string => join(dir, `${backend}-${name}`);
    let reachable = true;

    beforeAll(async () => {
      try {
        const store = await openStore({ uri });
        try {
          await seed(store);
        } finally {
          await store.close();
        }
      } catch (e) {
        // PostgreSQL may be missing outside CI; SQLite never is.
        if (cleanup === undefined || process.env['CI'] === 'true') throw e;
        reachable = false;
        console.warn(`hyperplane predictions on PostgreSQL skipped: ${(e as Error).message}`);
      }
    });

    afterAll(async () => {
      if (reachable) await cleanup?.();
    });

    beforeEach((context) => {
      if (!reachable) context.skip();
    });

    it('lists the log as a table, filtered by model, time, version and arm', () => {
      const all = cli('churn');
      expect(all.code, all.stderr).toBe(0);
      expect(all.stdout.split('\n')[0]).toMatch(/^id\s+time \(UTC\)\s+model\s+version\s+arm\s+prediction\s+ms$/);
      expect(all.stdout).toContain(`c1  ${new Date(churn(1).timestamp).toISOString()}  churn`);
      const ids = (args: string[]): string[] => JSON.parse(cli(...args, '--json').stdout).predictions.map((p: Prediction) => p.id);
      expect(ids(['churn'])).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
      expect(ids(['churn', '--since', '1h'])).toEqual(['c4']);
      expect(ids(['--since', '1h'])).toEqual(['r1', 'c4']);
      expect(ids(['churn', '--until', '1h', '--version', '2'])).toEqual(['c1', 'c3']);
      expect(ids(['churn', '--arm', 'churn/1'])).toEqual(['c0', 'c2', 'c4']);
      expect(cli('churn', '--arm', 'shadow').stdout).toBe('no predictions match\n');
    });

    it('pages with --limit and --cursor', () => {
      const first = JSON.parse(cli('churn', '--limit', '3', '--json').stdout) as { predictions: Prediction[]; nextCursor: string };
      expect(first.predictions.map((p) => p.id)).toEqual(['c0', 'c1', 'c2']);
      const second = JSON.parse(cli('churn', '--limit', '3', '--cursor', first.nextCursor, '--json').stdout) as { predictions: Prediction[]; nextCursor: string | null };
      expect(second.predictions.map((p) => p.id)).toEqual(['c3', 'c4']);
      expect(second.nextCursor).toBeNull();
      expect(cli('churn', '--limit', '3').stdout).toContain(`more: add --cursor ${first.nextCursor}`);
    });

    it('joins the latest feedback on each prediction', () => {
      const table = cli('churn', '--with-feedback');
      expect(table.stdout.split('\n')[0]).toMatch(/outcome\s+reward$/);
      const page = JSON.parse(cli('churn', '--with-feedback', '--json').stdout) as { predictions: { id: string; feedback: { outcome: unknown; reward: number | null } | null }[] };
      expect(page.predictions.map((p) => [p.id, p.feedback?.outcome ?? null, p.feedback?.reward ?? null])).toEqual([
        ['c0', 'yes', 1],
        ['c1', null, null],
        ['c2', null, null],
        ['c3', 'yes', null],
        ['c4', null, null],
      ]);
    });

    it('exports CSV with inputs, prediction and probabilities as columns, and feedback', () => {
      const csv = out('churn.csv');
      const r = cli('churn', '--with-feedback', '--out', csv);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe(`5 predictions written to ${csv}\n`);
      const lines = readFileSync(csv, 'utf8').trimEnd().split('\n');
      expect(lines[0]).toBe('id,timestamp,model,version,arm,request_id,latency_ms,input.tenure,input.plan,prediction,proba.yes,proba.no,outcome,reward,feedback_time');
      expect(lines[1]).toBe(`c0,${new Date(churn(0).timestamp).toISOString()},churn,1,churn/1,,1.5,0,pro,yes,0,1,yes,1,${new Date(NOW - HOUR / 2).toISOString()}`);
      expect(lines[2]).toBe(`c1,${new Date(churn(1).timestamp).toISOString()},churn,2,churn/2,,1.5,1,"basic, yearly",no,0.1,0.9,,,`);
      expect(lines[5]).toContain(',req-4,');
      expect(lines).toHaveLength(6);
    });

    it('exports JSON lines and Parquet that read back', async () => {
      const jsonl = out('churn.jsonl');
      expect(cli('churn', '--out', jsonl).code).toBe(0);
      const rows = readFileSync(jsonl, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(rows.map((r) => r['id'])).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
      expect(rows[1]).toMatchObject({ 'input.tenure': 1, 'input.plan': 'basic, yearly', prediction: 'no', 'proba.yes': 0.1, version: 2, arm: 'churn/2' });
      expect(rows[0]).not.toHaveProperty('outcome');

      const parquet = out('all.parquet');
      const r = cli('--since', '4h', '--with-feedback', '--out', parquet);
      expect(r.code, r.stderr).toBe(0);
      const { table } = await readTable(parquet);
      expect(table.nRows).toBe(6);
      const column = (name: string): (string | null)[] => Array.from({ length: table.nRows }, (_, i) => cellText(columnByName(table, name)!, i));
      expect(column('id')).toEqual(['c0', 'c1', 'c2', 'c3', 'r1', 'c4']);
      expect(columnByName(table, 'input.tenure')?.kind).toBe('numeric');
      expect(column('input.rooms')).toEqual([null, null, null, null, '3', null]);
      expect(column('prediction')).toEqual(['yes', 'no', 'no', 'yes', '250.5', 'no']);
      expect(column('outcome')).toEqual(['yes', null, null, 'yes', null, null]);
    });

    it('exports past one store page: 2,500 rows in order, each once', () => {
      const csv = out('bulk.csv');
      const r = cli('bulk', '--out', csv);
      expect(r.code, r.stderr).toBe(0);
      const lines = readFileSync(csv, 'utf8').trimEnd().split('\n');
      expect(lines).toHaveLength(2501);
      expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(Array.from({ length: 2500 }, (_, i) => `b${String(i).padStart(4, '0')}`));
      const limited = out('bulk.ndjson');
      expect(cli('bulk', '--limit', '1500', '--out', limited).code).toBe(0);
      expect(readFileSync(limited, 'utf8').trimEnd().split('\n')).toHaveLength(1500);
    });

    it('refuses bad input with one line and exit code 2', () => {
      const refused = (args: string[], pattern: RegExp) => expectRefusedIn(['predictions', ...args], pattern, env);
      refused(['chrun'], /^hyperplane: error: no predictions logged for model 'chrun'.*models with logged predictions: bulk, churn, price$/);
      refused(['churn', '--since', 'yesterday'], /--since 'yesterday': expected a duration/);
      refused(['churn', '--version', '1.5'], /--version 1\.5: expected a whole number/);
      refused(['churn', '--out', join(dir, 'x.xlsx')], /--out .*x\.xlsx: expected a \.csv, \.parquet, \.jsonl or \.ndjson file/);
      refused(['churn', '--limit', '0'], /--limit 0: expected a whole number/);
      refused(['churn', '--cursor', 'nonsense'], /--cursor: the cursor is not one this store handed out/);
    });
  });
}

describe('hyperplane predictions after a server died', () => {
  it('ships what a dead server left in its journal before reading, and says so', async () => {
    const home = tempDir('hyperplane-leftovers-');
    const journal = pathToFileURL(join(ROOT, 'dist', 'store', 'prediction-log', 'journal.js')).href;
    // A server's part: three answers journaled and committed, then the process ends without shipping (as kill -9 would leave it).
    const child = `
import { Journal } from ${JSON.stringify(journal)};
const journal = new Journal({ dir: ${JSON.stringify(join(home, 'journal'))}, sync: 'always', maxBytes: 2 ** 30 });
for (let i = 0; i < 3; i++) journal.add({ id: 'left' + i, model: 'churn', version: 1, timestamp: Date.now(), requestJson: '{"tenure":' + i + '}', responseJson: '{"prediction":"no"}', latencyMs: 0.2 });
journal.commit();
process.exit(0);`;
    expect(spawnSync(process.execPath, ['--input-type=module', '-e', child]).status).toBe(0);
    expect(readdirSync(join(home, 'journal')).length).toBeGreaterThan(0);

    const env = { HYPERPLANE_STORE: `sqlite:${join(home, 'hyperplane.db')}` };
    const first = await cli(['predictions', 'churn'], { env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/^3 predictions that stopped servers had left in their journals were shipped to the store first$/m);
    expect(first.stdout.split('\n').filter((l) => /^left\d/.test(l))).toHaveLength(3);
    // The journal's folder is gone once shipped; a second read ships nothing and says nothing.
    expect(readdirSync(join(home, 'journal')).filter((name) => /^\d+-\d+$/.test(name))).toEqual([]);
    const again = await cli(['predictions', 'churn'], { env });
    expect(again.stderr).toBe('');
    expect(again.stdout.split('\n').filter((l) => /^left\d/.test(l))).toHaveLength(3);
    expect(existsSync(join(home, 'hyperplane.db'))).toBe(true);
  });
});

/** As expectRefused, against this file's store (expectRefused uses the test process's own). */
function expectRefusedIn(args: string[], pattern: RegExp, env: Record<string, string>): void {
  const r = runCli(args, { env });
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^hyperplane: error: /);
  expect(lines[0]).toMatch(pattern);
}
