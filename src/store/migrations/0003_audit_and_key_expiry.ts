import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../db/schema.js';
import { autoId } from './columns.js';

/** Who changed what (alias moves, deployments, API keys), and API keys that expire. */
export function auditAndKeyExpiry(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const s = db.schema;
      const [idType, idColumn] = autoId(dialect);
      await s
        .createTable('audit_log')
        .addColumn('id', idType, idColumn)
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        // JSON: the state before and after the change; null where there was none.
        .addColumn('before', 'text')
        .addColumn('after', 'text')
        .execute();
      await s.createIndex('audit_log_at').on('audit_log').column('at').execute();
      await s.createIndex('audit_log_target').on('audit_log').columns(['target', 'id']).execute();
      // Null: the key never expires.
      await s.alterTable('api_keys').addColumn('expires_at', 'bigint').execute();
      // Keys made before the trail are on it too: a server's auth fails closed once a key was ever made,
      // and after such a key is deleted outright this entry is what remembers it.
      await sql`insert into audit_log (at, actor, action, target, before, after) select created_at, 'migration:0003', 'key.create', id, null, null from api_keys order by created_at`.execute(db);
    },
  };
}
