import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import type { MonitorReport } from '../../src/monitor/monitor.js';
import { creditRequests, registerPackage } from '../credit.js';
import { cli, dropPgSchema, fixture, PG_URL, serveOnFreePort, tempDir, storeReachable } from '../helpers.js';

const PG_SCHEMA = `hp_monitor_schedule_${process.pid}`;
const HOUR = 3_600_000;

describeOn('SQLite', (dir) => `sqlite:${join(dir, 'hyperplane.db')}`);
describeOn('PostgreSQL', () => `${PG_URL}?schema=${PG_SCHEMA}`, () => dropPgSchema(PG_SCHEMA));

function describeOn(backend: string, storeUri: (dir: string) => string, cleanup?: () => Promise<void>): void {
  describe(`serve --monitor-every with two servers on one ${backend} store`, () => {
    const dir = tempDir('hyperplane-monitor-schedule-');
    const env = { HYPERPLANE_STORE: storeUri(dir) };
    let reachable = true;
    const received: { headers: IncomingMessage['headers']; body: string }[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString('utf8')));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });

    beforeAll(async () => {
      if (cleanup !== undefined) reachable = await storeReachable(env.HYPERPLANE_STORE, 'serve --monitor-every on PostgreSQL');
      if (!reachable) return;
      const out = join(dir, 'model');
      const train = await cli(['train', fixture('credit_card.csv'), '--target', 'declined', '--learner', 'logistic', '--no-track', '--out', out], { env, cwd: dir });
      expect(train.code, train.stderr).toBe(0);
      await registerPackage(env.HYPERPLANE_STORE, 'credit', join(out, 'model.hpkg'), 'production');
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      writeFileSync(join(dir, 'hyperplane.json'), JSON.stringify({ monitor: { webhooks: [{ name: 'ops', url, secret: 'shared-secret' }], alerts: [{ name: 'drift', when: 'drift_share > 0.1', webhook: 'ops' }] } }));
    }, 120_000);

    afterAll(async () => {
      receiver.close();
      await cleanup?.();
    });

    it('folds the traffic as it ships, and one of them raises the drift alert and notifies it once', async () => {
      if (!reachable) return;
      const args = ['--monitor-every', '1s', '--monitor-config', join(dir, 'hyperplane.json'), '--journal-sync', '10'];
      const servers = await Promise.all([serveOnFreePort(dir, env, args), serveOnFreePort(dir, env, args)]);
      try {
        // Shifted traffic: income doubled and age 25 years older, half to each server.
        const rows = creditRequests()
          .slice(0, 800)
          .map((r) => ({ ...r, income: (r['income'] as number) * 2, age: (r['age'] as number) + 25 }));
        for (let k = 0; k < 8; k++) {
          const res = await fetch(`${servers[k % 2]!.address}/v1/models/credit/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rows: rows.slice(k * 100, (k + 1) * 100) }) });
          expect(res.status).toBe(200);
        }
        const deadline = Date.now() + 30_000;
        while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
        expect(received.length, servers.map((s) => s.stderr()).join('\n')).toBe(1);
        // Two more periods on each server: the alert keeps firing and nobody says it again.
        await new Promise((r) => setTimeout(r, 3000));
        expect(received).toHaveLength(1);
        const body = JSON.parse(received[0]!.body) as { event: string; alert: { model: string; version: number; rule: string } };
        expect(body).toMatchObject({ event: 'firing', alert: { model: 'credit', version: 1, rule: 'drift' } });

        const store = await openStore({ uri: env.HYPERPLANE_STORE });
        try {
          // Every answered row reached the aggregates, folded by the servers' shippers.
          const windows = await store.monitorWindows.list({ model: 'credit', version: 1, windowMs: HOUR });
          expect(windows.reduce((n, w) => n + w.rows, 0)).toBe(800);
          const pids = servers.map((s) => s.server.pid);
          const holderPid = async (): Promise<number> => Number((await store.leases.holder('monitor/credit'))?.holder.split(':').at(-1));
          expect(pids).toContain(await holderPid());
          expect((await store.alerts.list()).map((a) => [a.rule, a.state])).toEqual([['drift', 'firing']]);
          // The holder shows the drift on /metrics; the other does not watch the model. On a loaded machine the
          // lease can pass to the other server between periods, which shows the drift once it has run one.
          let holderServer = servers[0]!;
          let metrics = '';
          const share = async (): Promise<number> => {
            const pid = await holderPid();
            holderServer = servers.find((s) => s.server.pid === pid) ?? holderServer;
            metrics = await (await fetch(`${holderServer.address}/metrics`)).text();
            return Number(/^hyperplane_monitor_drift_share\{model="credit",version="1"\} (\S+)$/m.exec(metrics)?.[1]);
          };
          await expect.poll(share, { timeout: 15_000, interval: 250 }).toBeGreaterThan(0.1);
          const other = servers.find((s) => s !== holderServer)!;
          expect(metrics).toMatch(/^hyperplane_monitor_column_drifted\{model="credit",version="1",column="income"\} 1$/m);
          expect(metrics).toMatch(/^hyperplane_monitor_alerts_firing\{model="credit",version="1"\} 1$/m);
          expect(await (await fetch(`${other.address}/metrics`)).text()).not.toMatch(/^hyperplane_monitor_drift_share\{/m);
        } finally {
          await store.close();
        }
      } finally {
        for (const s of servers) s.server.kill('SIGTERM');
        expect(await Promise.all(servers.map((s) => s.exited))).toEqual([0, 0]);
      }
      // The report reads the aggregates; the income shift is there.
      const report = await cli(['monitor', 'credit', '--since', '1h', '--json'], { env, cwd: dir });
      expect(report.code, report.stderr).toBe(0);
      const parsed = JSON.parse(report.stdout) as MonitorReport;
      expect(parsed.rows).toBe(800);
      expect(parsed.columns.find((c) => c.column === 'income')?.drifted).toBe(true);
    }, 120_000);
  });
}
