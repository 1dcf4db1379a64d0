import { sql, type Kysely, type Migration } from 'kysely';

/** Alerts from monitoring rules: one row per episode, firing then resolved (see AlertStore). */
export function alerts(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('alerts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('rule', 'text', (c) => c.notNull())
        .addColumn('condition', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('fired_at', 'bigint', (c) => c.notNull())
        .addColumn('resolved_at', 'bigint')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('silenced_until', 'bigint')
        .addColumn('webhook', 'text')
        // JSON: the windows and values that made the rule hold.
        .addColumn('evidence', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('alerts_rule').on('alerts').columns(['model', 'version', 'rule', 'fired_at']).execute();
      await db.schema.createIndex('alerts_state').on('alerts').columns(['state', 'fired_at']).execute();
      // At most one firing alert per rule and version: two evaluations racing cannot both open one (a partial index, in both dialects).
      await sql`create unique index alerts_one_firing on alerts (model, version, rule) where state = 'firing'`.execute(db);
    },
  };
}
