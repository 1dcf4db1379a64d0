import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresHarness, postgresUnreachable, sqliteHarness, type StoreHarness } from './harness.js';
import { startNode, workerScript } from './processes.js';

/** The issue asks for 30 s; CI runs a shorter pass by default (the full one is run by hand and reported). */
const SECONDS = Number(process.env['HYPERPLANE_CONCURRENCY_SECONDS'] ?? 5);
const WRITERS = 8;
const MODEL = 'shared';

interface Tally {
  worker: string;
  runs: string[];
  metricPoints: number;
  versions: [number, string][];
  moves: number;
}

const pgUnreachable = await postgresUnreachable();
const skipPg = pgUnreachable !== undefined && process.env['CI'] !== 'true';
if (skipPg) console.warn(`skipping the PostgreSQL concurrency test: ${pgUnreachable}`);

for (const [harness, skip] of [
  [sqliteHarness(), false],
  [postgresHarness(), skipPg],
] as [StoreHarness, boolean][]) {
  describe.skipIf(skip)(`concurrent writers on ${harness.name}`, () => {
    afterAll(() => harness.dispose());

    it(`${WRITERS} processes record runs for ${SECONDS} s: nothing lost, nothing duplicated, versions 1..N`, { timeout: SECONDS * 1000 + 180_000 }, async () => {
      const spot = await harness.fresh();
      const script = workerScript('writer.mjs');
      // All start at once on a store that does not exist yet: creating and migrating it races too.
      const workers = Array.from({ length: WRITERS }, (_, i) => startNode(script, [spot.uri, spot.root, String(i), String(SECONDS), MODEL]));
      const results = await Promise.all(workers.map((w) => w.done));
      for (const r of results) expect(r.code, r.stderr).toBe(0);
      const tallies = results.map((r) => JSON.parse(r.stdout.trim().split('\n').pop()!) as Tally);

      const store = await spot.open();
      try {
        const db = store.db;
        const runIds = tallies.flatMap((t) => t.runs);
        const experiment = (await store.tracking.getExperiment('concurrency'))!;
        const stored = await db.selectFrom('runs').select(['id', 'status']).where('experiment_id', '=', experiment.id).execute();
        expect(new Set(runIds).size).toBe(runIds.length);
        expect(stored.map((r) => r.id).sort()).toEqual([...runIds].sort());
        expect(stored.every((r) => r.status === 'finished')).toBe(true);
        expect((await store.tracking.listExperiments()).length).toBe(1);

        const perRun = await db.selectFrom('run_metrics').select((eb) => ['run_id', eb.fn.countAll<number>().as('n')]).groupBy('run_id').execute();
        expect(perRun.length).toBe(runIds.length);
        expect(perRun.every((r) => Number(r.n) === 41)).toBe(true);
        const metricRows = perRun.reduce((s, r) => s + Number(r.n), 0);
        expect(metricRows).toBe(tallies.reduce((s, t) => s + t.metricPoints, 0));
        const latest = await db.selectFrom('run_latest_metrics').select(['value', 'step']).where('name', '=', 'loss').execute();
        expect(latest.length).toBe(runIds.length);
        expect(latest.every((l) => l.step === 39 && l.value === 39)).toBe(true);

        const claimed = tallies.flatMap((t) => t.versions);
        const versions = await store.registry.listVersions(MODEL);
        expect(versions.map((v) => v.version)).toEqual(Array.from({ length: claimed.length }, (_, i) => i + 1));
        const runOf = new Map(claimed);
        expect(runOf.size).toBe(claimed.length);
        expect(versions.every((v) => runOf.get(v.version) === v.runId)).toBe(true);
        expect((await store.registry.getModel(MODEL))!.latestVersion).toBe(claimed.length);

        const moves = tallies.reduce((s, t) => s + t.moves, 0);
        const history = await store.registry.aliasHistory(MODEL);
        expect(history.length).toBe(moves);
        const aliases = (await store.registry.getModel(MODEL))!.aliases;
        for (const alias of ['production', 'champion']) {
          const chain = history.filter((h) => h.alias === alias);
          expect(chain[0]!.from).toBeNull();
          for (let i = 1; i < chain.length; i++) expect(chain[i]!.from).toBe(chain[i - 1]!.to);
          expect(aliases[alias]).toBe(chain[chain.length - 1]!.to);
        }
        const blobs = await store.artifacts.list();
        expect(blobs.length).toBe(runIds.length);
        if (store.dialect === 'sqlite') expect((await sql<{ integrity_check: string }>`pragma integrity_check`.execute(db)).rows[0]!.integrity_check).toBe('ok');
        console.log(
          `${harness.name}: ${WRITERS} writers × ${SECONDS} s → ${runIds.length} runs, ${metricRows} metric points, ${claimed.length} versions (1..${claimed.length}), ${moves} alias moves; per writer runs: ${tallies.map((t) => t.runs.length).join(' ')}`,
        );
      } finally {
        await store.close();
      }
    });
  });
}
