import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresHarness, postgresUnreachable, sqliteHarness, type StoreHarness } from './harness.js';
import { startNode, workerScript } from './processes.js';

const pgUnreachable = await postgresUnreachable();
const skipPg = pgUnreachable !== undefined && process.env['CI'] !== 'true';
if (skipPg) console.warn(`skipping the PostgreSQL kill test: ${pgUnreachable}`);

for (const [harness, skip, rounds] of [
  [sqliteHarness(), false, 3],
  [postgresHarness(), skipPg, 2],
] as [StoreHarness, boolean, number][]) {
  describe.skipIf(skip)(`kill -9 mid-write on ${harness.name}`, () => {
    afterAll(() => harness.dispose());

    it('leaves the store readable and whole, and the run marked failed on the next open', { timeout: 120_000 }, async () => {
      for (let round = 0; round < rounds; round++) {
        const spot = await harness.fresh();
        const victim = startNode(workerScript('victim.mjs'), [spot.uri, spot.root]);
        let runId: string | undefined;
        let writing = false;
        for await (const line of victim.lines) {
          if (line.startsWith('run ')) runId = line.slice(4);
          writing = line === 'writing';
          if (writing) break;
        }
        if (runId === undefined || !writing) throw new Error(`the victim stopped before writing: ${(await victim.done).stderr}`);
        await new Promise((r) => setTimeout(r, 50 + round * 130));
        victim.child.kill('SIGKILL');
        const ended = await victim.done;
        expect(ended.signal).toBe('SIGKILL');

        // Opened without repair: the run is still 'running', and everything written is whole.
        const look = await spot.open({ repair: false });
        try {
          if (look.dialect === 'sqlite') expect((await sql<{ integrity_check: string }>`pragma integrity_check`.execute(look.db)).rows[0]!.integrity_check).toBe('ok');
          const run = (await look.tracking.getRun(runId!))!;
          expect(run.status).toBe('running');
          const history = await look.tracking.metricHistory(runId!, 'loss');
          // Each batch of 50 is one transaction: all of it or none.
          expect(history.length % 50).toBe(0);
          expect(history.length).toBeGreaterThanOrEqual(21 * 50);
          expect(history.map((h) => h.step)).toEqual(Array.from({ length: history.length }, (_, i) => i));
          expect(run.metrics['loss']).toBe(history[history.length - 1]!.value);
          for (const blob of await look.artifacts.list()) expect((await look.artifacts.get(blob.sha256)).length).toBe(blob.size);
          // `hyperplane runs repair` does this; opening the store does it too (below).
          expect(await look.tracking.markStaleRunsFailed()).toEqual([runId]);
          await look.tracking.setStatus(runId!, 'running');
        } finally {
          await look.close();
        }
        const reopened = await spot.open();
        try {
          const run = (await reopened.tracking.getRun(runId!))!;
          expect(run.status).toBe('failed');
          expect(run.endTime).not.toBeNull();
          expect(run.warnings.at(-1)?.message).toContain(`its process ${victim.child.pid} on`);
        } finally {
          await reopened.close();
        }
      }
    });
  });
}
