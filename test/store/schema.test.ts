import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { LATEST_MIGRATION, type Dialect } from '../../src/store/index.js';
import { migrations } from '../../src/store/migrations/index.js';
import { ROOT } from '../helpers.js';
import { describeSchema } from './describe-schema.js';
import { postgresHarness, postgresUnreachable, sqliteHarness, type StoreHarness } from './harness.js';

const FIRST = '0001_initial';
const snapshotFile = (dialect: Dialect): string => join(ROOT, 'test', 'store', 'schema', `${dialect}.txt`);

const pgUnreachable = await postgresUnreachable();
const skipPg = pgUnreachable !== undefined && process.env['CI'] !== 'true';
if (skipPg) console.warn(`skipping the PostgreSQL schema test: ${pgUnreachable}`);

for (const [dialect, harness, skip] of [
  ['sqlite', sqliteHarness(), false],
  ['postgres', postgresHarness(), skipPg],
] as [Dialect, StoreHarness, boolean][]) {
  describe.skipIf(skip)(`schema on ${harness.name}`, () => {
    afterAll(() => harness.dispose());

    it('is the same migrated step by step (with a reopen between) as migrated in one go, and matches the committed snapshot', async () => {
      const oneGo = await harness.fresh();
      const direct = await oneGo.open();
      const fresh = await describeSchema(direct.db, dialect);
      await direct.close();

      const stepwise = await harness.fresh();
      const first = await stepwise.open({ migrate: FIRST });
      const atFirst = await describeSchema(first.db, dialect);
      // The second migration really changes something, so the comparison below means something.
      expect(atFirst.some((l) => l.includes('heartbeat_at'))).toBe(false);
      expect(fresh.some((l) => l.includes('heartbeat_at'))).toBe(true);
      await first.close();
      const latest = await stepwise.open();
      const migrated = await describeSchema(latest.db, dialect);
      const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(latest.db);
      expect(applied.rows.map((r) => r.name)).toEqual(Object.keys(migrations(dialect)));
      expect(applied.rows.at(-1)?.name).toBe(LATEST_MIGRATION);
      await latest.close();

      expect(migrated).toEqual(fresh);
      const file = snapshotFile(dialect);
      const text = `${fresh.join('\n')}\n`;
      if (!existsSync(file)) {
        // First run only: record the schema. CI must find it committed.
        if (process.env['CI'] === 'true') throw new Error(`${file} is missing: schema snapshots are committed`);
        writeFileSync(file, text);
      }
      // A schema change without a migration (or a migration edited after it shipped) fails here: add a migration and update the snapshot.
      expect(text).toBe(readFileSync(file, 'utf8'));
    });

    it('0003 puts keys made before the trail on it, so deleting one later does not forget that keys were made', async () => {
      const spot = await harness.fresh();
      const before = await spot.open({ migrate: '0002_heartbeat_and_indexes' });
      await sql`insert into api_keys (id, name, key_hash, scopes, created_at, revoked_at) values ('k-old', 'old', 'x', '["predict"]', 1000, null)`.execute(before.db);
      await before.close();
      const after = await spot.open();
      await after.apiKeys.delete('k-old');
      expect(await after.apiKeys.list()).toEqual([]);
      expect((await after.audit.list({ action: 'key.create' })).map((e) => [e.target, e.at, e.actor])).toEqual([['k-old', 1000, 'migration:0003']]);
      await after.close();
    });

    it('0004 keeps one feedback row per (prediction, outcome) a store already holds, and the next repeat adds none', async () => {
      const spot = await harness.fresh();
      const before = await spot.open({ migrate: '0002_heartbeat_and_indexes' });
      // Two inserts: each batch is deduplicated on its own, so only the index (not there yet) could stop the repeat.
      for (let i = 0; i < 2; i++) await before.feedback.insert([{ predictionId: 'p1', outcome: 'yes', reward: 1, timestamp: 10 + i }]);
      await before.feedback.insert([{ predictionId: 'p1', outcome: 'no', reward: 0, timestamp: 20 }]);
      expect((await before.feedback.list()).length).toBe(3);
      await before.close();
      const after = await spot.open();
      expect((await after.feedback.list()).map((f) => [f.outcome, f.timestamp])).toEqual([
        ['yes', 10],
        ['no', 20],
      ]);
      await after.feedback.insert([{ predictionId: 'p1', outcome: 'yes', reward: 1, timestamp: 30 }]);
      expect((await after.feedback.list()).length).toBe(2);
      await after.close();
    });

    it('refuses a store written by a newer Hyperplane, naming the fix', async () => {
      const spot = await harness.fresh();
      const store = await spot.open();
      await sql`insert into kysely_migration (name, timestamp) values ('9999_future', '2030-01-01')`.execute(store.db);
      await store.close();
      await expect(spot.open()).rejects.toThrow(/written by a newer Hyperplane.*upgrade Hyperplane/);
    });
  });
}
