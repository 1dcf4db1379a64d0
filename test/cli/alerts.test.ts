import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/store/index.js';
import { openStore } from '../../src/store/index.js';
import { creditRequests, registerPackage } from '../credit.js';
import { cli, dropPgSchema, fixture, PG_URL, ROOT, tempDir, storeReachable } from '../helpers.js';

const HOUR = 3_600_000;


const PG_SCHEMA = `hp_alerts_${process.pid}`;

describeOn('SQLite', (dir) => `sqlite:${join(dir, 'hyperplane.db')}`);
describeOn('PostgreSQL', () => `${PG_URL}?schema=${PG_SCHEMA}`, () => dropPgSchema(PG_SCHEMA));

function describeOn(backend: string, storeUri: (dir: string) => string, cleanup?: () => Promise<void>): void {
describe(`hyperplane monitor --config and hyperplane alerts on ${backend}`, () => {
  const dir = tempDir('hyperplane-alerts-');
  const env = { HYPERPLANE_STORE: storeUri(dir) };
  // In the test's own folder: a PostgreSQL store's journal root is ./.hyperplane/journal.
  const runCli = (args: readonly string[], options: { env: Record<string, string> }) => cli(args, { ...options, cwd: dir });
  let reachable = true;
  afterAll(async () => cleanup?.());
  const config = join(dir, 'hyperplane.json');
  // One hour like training, then an hour with income doubled: the newest window drifts.
  const start = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;

  beforeAll(async () => {
    if (cleanup !== undefined) reachable = await storeReachable(env.HYPERPLANE_STORE, 'hyperplane alerts on PostgreSQL');
    if (!reachable) return;
    const out = join(dir, 'model');
    const train = await runCli(['train', fixture('credit_card.csv'), '--target', 'declined', '--learner', 'logistic', '--no-track', '--out', out], { env });
    expect(train.code, train.stderr).toBe(0);
    const version = await registerPackage(env.HYPERPLANE_STORE, 'credit', join(out, 'model.hpkg'));
    const store = await openStore({ uri: env.HYPERPLANE_STORE });
    try {
      const rows = creditRequests();
      const logged = (hour: number, i: number, request: Record<string, string | number>) => ({ id: `h${hour}-${i}`, model: 'credit', version, timestamp: start + hour * HOUR + i * 1000, request, response: { prediction: 'no', probabilities: { no: 0.8, yes: 0.2 } }, latencyMs: 0.3 });
      await store.predictions.insert([...rows.slice(0, 600).map((r, i) => logged(0, i, r)), ...rows.slice(600, 1200).map((r, i) => logged(1, i, { ...r, income: (r['income'] as number) * 2 }))]);
    } finally {
      await store.close();
    }
    writeFileSync(config, JSON.stringify({ data: 'train.csv', target: 'declined', monitor: { alerts: [{ name: 'drift', when: 'drift_share > 0.1' }, { when: 'auc < 0.5' }] } }));
  });

  it('stores the alert the rule raises, carries it in the report, lists it and silences it', async () => {
    if (!reachable) return;
    const r = await runCli(['monitor', 'credit', '--since', '1d', '--json', '--config', config], { env });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { alerts: Alert[] };
    // No outcomes were sent back, so the auc rule has no value and stays quiet.
    expect(report.alerts).toEqual([expect.objectContaining({ model: 'credit', version: 1, rule: 'drift', state: 'firing', evidence: expect.objectContaining({ metric: 'drift_share', threshold: 0.1 }) })]);
    const id = report.alerts[0]!.id;
    expect(report.alerts[0]!.evidence.windows[0]!.value).toBeGreaterThan(0.1);

    // Evaluated again: the same alert keeps firing, no second one.
    const again = await runCli(['monitor', 'credit', '--since', '1d', '--config', config], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^alerts: 1 firing$/m);

    const listed = await runCli(['alerts', '--json'], { env });
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as Alert[]).map((a) => a.id)).toEqual([id]);
    const text = await runCli(['alerts', 'credit'], { env });
    expect(text.stdout).toMatch(new RegExp(`^${id}\\s+credit/1\\s+drift\\s+firing`, 'm'));
    expect((await runCli(['alerts', 'other'], { env })).stdout).toBe('no firing alerts\n');

    const silenced = await runCli(['alerts', 'silence', id, '--for', '2h'], { env });
    expect(silenced.code, silenced.stderr).toBe(0);
    expect(silenced.stdout).toMatch(new RegExp(`alert ${id} \\(credit/1 'drift'\\) silenced until`));
    const after = JSON.parse((await runCli(['alerts', '--json'], { env })).stdout) as Alert[];
    expect(after[0]!.silencedUntil).toBeGreaterThan(Date.now() + HOUR);
  });

  it("notifies the rule's webhook, signed, through a receiver that fails once, and not again while the alert fires", async () => {
    if (!reachable) return;
    const received: { headers: IncomingMessage['headers']; body: string }[] = [];
    let attempts = 0;
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString('utf8')));
      req.on('end', () => {
        attempts++;
        // Down for the first attempt: the delivery is retried.
        if (attempts === 1) return void res.writeHead(503).end();
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const hooked = join(dir, 'hooked.json');
    writeFileSync(hooked, JSON.stringify({ monitor: { webhooks: [{ name: 'ops', url, secret: 's3cret' }], alerts: [{ name: 'drift-to-ops', when: 'drift_share > 0.1', webhook: 'ops' }] } }));
    // Not spawnSync: the receiver answers on this process's event loop.
    const run = (): Promise<number | null> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'monitor', 'credit', '--since', '1d', '--config', hooked], { cwd: dir, env: { ...process.env, ...env }, stdio: 'ignore' });
        child.on('close', resolve);
      });
    try {
      expect(await run()).toBe(0);
      expect(attempts).toBe(2);
      expect(received).toHaveLength(1);
      const [delivery] = received;
      expect(delivery!.headers['x-hyperplane-event']).toBe('firing');
      expect(delivery!.headers['x-hyperplane-signature']).toBe(`sha256=${createHmac('sha256', 's3cret').update(delivery!.body).digest('hex')}`);
      const body = JSON.parse(delivery!.body) as { event: string; alert: { model: string; rule: string; when: string } };
      expect(body).toMatchObject({ event: 'firing', alert: { model: 'credit', rule: 'drift-to-ops', when: 'drift_share > 0.1' } });
      // Evaluated again while it fires: nothing new to say.
      expect(await run()).toBe(0);
      expect(received).toHaveLength(1);
    } finally {
      receiver.close();
    }
  });

  it('bad input: a malformed rule, an unknown alert id, a bad duration: exit 2, one line', async () => {
    if (!reachable) return;
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ monitor: { alerts: [{ when: 'rows > 1' }, { when: 'auc <' }] } }));
    for (const [args, pattern] of [
      [['monitor', 'credit', '--config', bad], /bad\.json: monitor\.alerts\.1\.when 'auc <': expected METRIC OP NUMBER \[for N windows\], e\.g\. 'auc < 0\.8 for 2 windows'$/],
      [['alerts', 'silence', 'nosuch', '--for', '2h'], /no alert 'nosuch'/],
      [['alerts', 'silence', 'nosuch', '--for', 'two hours'], /--for 'two hours': expected a duration/],
    ] as const) {
      const r = await runCli([...args], { env });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^hyperplane: error: /);
      expect(r.stderr.trimEnd()).toMatch(pattern);
    }
  });
});
}
