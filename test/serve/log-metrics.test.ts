import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Compiled, as serve runs it: the shipper is a thread started from a .js file beside it.
import { JournalLog } from '../../dist/serve/lifecycle/journal-log.js';
import { buildServer, type Server } from '../../src/serve/server.js';
import { openStore, type Store } from '../../src/store/index.js';
import { fixture, IN_TEST, runCli, tempDir } from '../helpers.js';

const rows = JSON.parse(readFileSync(fixture('penguins.json'), 'utf8')) as object[];
const NAMES = ['hyperplane_journal_bytes', 'hyperplane_journal_segments', 'hyperplane_journal_records_total', 'hyperplane_journal_commits_total', 'hyperplane_journal_fsyncs_total', 'hyperplane_log_lag_seconds', 'hyperplane_log_shipped_total', 'hyperplane_log_ship_rate', 'hyperplane_log_torn_records_total', 'hyperplane_log_rejected_total', 'hyperplane_log_store_down', 'hyperplane_log_expired_total'];

/** A metric's value in Prometheus text (an unlabelled series). */
const value = (text: string, name: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`${name} is not in /metrics`);
  return Number(line.slice(name.length + 1));
};

describe('/metrics shows the prediction journal and its shipper', () => {
  let store: Store;
  let server: Server;
  let log: JournalLog;

  beforeAll(async () => {
    const uri = `sqlite:${join(tempDir('hyperplane-log-metrics-'), 'hyperplane.db')}`;
    const train = runCli(['train', fixture('penguins.json'), '--target', 'Species', '--learner', 'logistic', '--json'], { cwd: tempDir(), env: { HYPERPLANE_STORE: uri } });
    expect(train.code, train.stderr).toBe(0);
    expect(runCli(['models', 'register', JSON.parse(train.stdout).run, '--name', 'penguins', '--alias', 'production'], { env: { HYPERPLANE_STORE: uri } }).code).toBe(0);
    store = await openStore({ uri });
    log = new JournalLog({ dir: tempDir('hyperplane-journal-'), storeUri: uri, sync: 100, maxBytes: 1024 ** 3 });
    server = await buildServer({ store, ...IN_TEST, reloadMs: 0, log });
  }, 60_000);
  afterAll(async () => {
    await server.close();
    await log.close();
    await store.close();
  });

  const scrape = async (): Promise<string> => {
    const r = await server.app.inject({ method: 'GET', url: '/metrics' });
    expect(r.statusCode).toBe(200);
    return r.body;
  };

  it('names every gauge, and the shipped count and journal bytes move with predictions', async () => {
    const before = await scrape();
    for (const name of NAMES) expect(before).toContain(`# TYPE ${name} gauge`);
    expect(value(before, 'hyperplane_log_shipped_total')).toBe(0);
    expect(value(before, 'hyperplane_journal_records_total')).toBe(0);
    expect(value(before, 'hyperplane_log_store_down')).toBe(0);
    // Scraped right after an answer, its record is in the journal's open segment, not shipped yet (the shipper takes closed ones).
    let bytes = 0;
    let segments = 0;
    for (let i = 0; i < 200; i++) {
      expect((await server.app.inject({ method: 'POST', url: '/v1/models/penguins/predict', payload: rows[i % rows.length]! })).statusCode).toBe(200);
      if (i % 20 === 0) {
        const written = await scrape();
        bytes = Math.max(bytes, value(written, 'hyperplane_journal_bytes'));
        segments = Math.max(segments, value(written, 'hyperplane_journal_segments'));
      }
    }
    expect(bytes).toBeGreaterThan(0);
    expect(segments).toBeGreaterThan(0);
    let shipped = 0;
    for (let i = 0; i < 100 && shipped < 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      shipped = value(await scrape(), 'hyperplane_log_shipped_total');
    }
    expect(shipped).toBe(200);
    expect(await store.predictions.count()).toBe(200);
    const after = await scrape();
    expect(value(after, 'hyperplane_log_ship_rate')).toBeGreaterThan(0);
    expect(value(after, 'hyperplane_log_torn_records_total')).toBe(0);
    expect(value(after, 'hyperplane_log_rejected_total')).toBe(0);
    // One write a turn: each injected request was its own turn here. The 100 ms group commit has synced since.
    expect(value(after, 'hyperplane_journal_records_total')).toBe(200);
    expect(value(after, 'hyperplane_journal_commits_total')).toBeGreaterThanOrEqual(1);
    expect(value(after, 'hyperplane_journal_commits_total')).toBeLessThanOrEqual(200);
    expect(value(after, 'hyperplane_journal_fsyncs_total')).toBeGreaterThanOrEqual(1);
  });
});
