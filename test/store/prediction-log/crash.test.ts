import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../../src/store/index.js';
import { Journal } from '../../../src/store/prediction-log/journal.js';
import { Shipper } from '../../../src/store/prediction-log/shipper.js';
// Threads and child processes run compiled code (`npm test` builds first), as `hyperplane serve` does.
import { ShipperThread } from '../../../dist/store/prediction-log/shipper-handle.js';
import { ROOT, tempDir } from '../../helpers.js';
import { prediction, sleep } from './fixtures.js';

const journalModule = pathToFileURL(join(ROOT, 'dist', 'store', 'prediction-log', 'journal.js')).href;

/** A server's part: 16 records a turn, committed, and only then "answered" (its ids printed). */
const child = (root: string): string => `
import { writeSync } from 'node:fs';
import { Journal } from ${JSON.stringify(journalModule)};
const journal = new Journal({ dir: ${JSON.stringify(root)}, sync: { everyMs: 100 }, maxBytes: 2 ** 40, segmentBytes: 64 * 1024 });
let n = 0;
const turn = () => {
  const ids = [];
  for (let i = 0; i < 16; i++) {
    const id = 'k' + n++;
    journal.add({ id, model: 'churn', version: 1, timestamp: Date.now(), requestJson: '{"n":' + n + '}', responseJson: '{"prediction":1}', latencyMs: 0.1 });
    ids.push(id);
  }
  journal.commit();
  writeSync(1, ids.join('\\n') + '\\n');
  setImmediate(turn);
};
turn();
`;

describe('the prediction journal when its process is killed', () => {
  it('kill -9 mid-run: every id the process printed after its commit is shipped to the store', async () => {
    const root = tempDir('hyperplane-journal-');
    const proc = spawn(process.execPath, ['--input-type=module', '-e', child(root)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));
    for (let waited = 0; out.split('\n').length < 20_000 && waited < 20_000; waited += 10) await sleep(10);
    proc.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    // Only whole lines: the last may have been cut by the kill.
    const printed = out.slice(0, out.lastIndexOf('\n')).split('\n');
    expect(printed.length).toBeGreaterThan(10_000);

    const store = await openStore({ uri: `sqlite:${join(tempDir(), 'hp.db')}` });
    try {
      const shipper = new Shipper({ root, log: store.predictions });
      await shipper.shipAvailable();
      const stored = new Set((await store.predictions.list({ limit: 100_000 })).predictions.map((p) => p.id));
      expect(printed.filter((id) => !stored.has(id))).toEqual([]);
      // Nothing more than what was committed: every stored id was one the child made.
      expect(stored.size).toBeGreaterThanOrEqual(printed.length);
      expect(shipper.stats().recordsShipped).toBe(stored.size);
    } finally {
      await store.close();
    }
  });
});

describe('ShipperThread', () => {
  it('ships from a worker thread with its own store connection, and reports its stats', async () => {
    const root = tempDir('hyperplane-journal-');
    const uri = `sqlite:${join(tempDir(), 'hp.db')}`;
    const store = await openStore({ uri });
    try {
      const thread = new ShipperThread({ uri, root, pollMs: 50 });
      const journal = new Journal({ dir: root, sync: { everyMs: 50 }, maxBytes: 1 << 30, segmentMaxAgeMs: 100 });
      for (let i = 0; i < 2000; i++) {
        journal.add(prediction(`t${i}`));
        if (i % 16 === 15) journal.commit();
      }
      journal.commit();
      for (let waited = 0; thread.stats().recordsShipped < 2000 && waited < 10_000; waited += 50) await sleep(50);
      expect(thread.stats()).toMatchObject({ recordsShipped: 2000, storeDown: false, lastError: null });
      expect(await store.predictions.count()).toBe(2000);
      journal.close();
      const final = await thread.stop();
      expect(final.recordsShipped).toBe(2000);
    } finally {
      await store.close();
    }
  });
});
