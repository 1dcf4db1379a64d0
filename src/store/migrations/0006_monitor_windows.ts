import type { Kysely, Migration } from 'kysely';

/**
 * Monitoring's window aggregates, folded as predictions ship, and the leases that keep one scheduled job
 * (a model's monitor) running on one server at a time.
 *
 * - `monitor_windows`: one row per model version and window; `aggregate` is the monitor's JSON summary
 *   (the store keeps it as text and merges through a function it is given).
 * - `monitor_folds`: per journal directory, the last segment folded, so a segment shipped again after a
 *   crash is not counted twice.
 * - `leases`: a named job, who holds it, until when.
 */
export function monitorWindows(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('monitor_windows')
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('window_ms', 'bigint', (c) => c.notNull())
        .addColumn('start', 'bigint', (c) => c.notNull())
        .addColumn('rows', 'bigint', (c) => c.notNull())
        .addColumn('aggregate', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('monitor_windows_pk', ['model', 'version', 'window_ms', 'start'])
        .execute();
      await db.schema
        .createTable('monitor_folds')
        .addColumn('journal', 'text', (c) => c.primaryKey())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('leases')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  };
}
