import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../db/schema.js';
import { autoId, bytesType } from './columns.js';

/** Tracking, registry, serving tables and database-held artifacts. (Text primary keys say NOT NULL: SQLite would allow NULL in them.) */
export function initial(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const s = db.schema;
      await s
        .createTable('experiments')
        .addColumn('id', 'text', (c) => c.primaryKey().notNull())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await s
        .createTable('runs')
        .addColumn('id', 'text', (c) => c.primaryKey().notNull())
        .addColumn('experiment_id', 'text', (c) => c.notNull().references('experiments.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('start_time', 'bigint', (c) => c.notNull())
        .addColumn('end_time', 'bigint')
        .addColumn('seed', 'bigint')
        .addColumn('config', 'text')
        .addColumn('git_commit', 'text')
        .addColumn('git_dirty', 'integer')
        .addColumn('environment', 'text')
        .addColumn('pid', 'integer')
        .addColumn('hostname', 'text')
        .addCheckConstraint('runs_status_check', sql`status in ('running', 'finished', 'failed', 'killed')`)
        .execute();
      const runChild = (table: string) =>
        s.createTable(table).addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'));
      await runChild('run_params')
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('run_params_pk', ['run_id', 'key'])
        .execute();
      await runChild('run_tags')
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('run_tags_pk', ['run_id', 'key'])
        .execute();
      const [idType, idColumn] = autoId(dialect);
      await s
        .createTable('run_metrics')
        .addColumn('id', idType, idColumn)
        .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('value', 'double precision')
        .addColumn('step', 'bigint', (c) => c.notNull())
        .addColumn('ts', 'bigint', (c) => c.notNull())
        .execute();
      await s.createIndex('run_metrics_run_name_step').on('run_metrics').columns(['run_id', 'name', 'step']).execute();
      await runChild('run_latest_metrics')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('value', 'double precision')
        .addColumn('step', 'bigint', (c) => c.notNull())
        .addColumn('ts', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('run_latest_metrics_pk', ['run_id', 'name'])
        .execute();
      await runChild('run_inputs')
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('rows', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('run_inputs_pk', ['run_id', 'role', 'source'])
        .execute();
      await s
        .createTable('run_warnings')
        .addColumn('id', idType, idColumn)
        .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
        .addColumn('ts', 'bigint', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .execute();
      await s.createIndex('run_warnings_run').on('run_warnings').column('run_id').execute();
      await runChild('run_artifacts')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('run_artifacts_pk', ['run_id', 'name'])
        .execute();

      await s
        .createTable('models')
        .addColumn('name', 'text', (c) => c.primaryKey().notNull())
        .addColumn('description', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        // The last number handed out: bumping it locks the model row, which serializes registry changes.
        .addColumn('last_version', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await s
        .createTable('model_versions')
        .addColumn('model', 'text', (c) => c.notNull().references('models.name').onDelete('cascade'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('run_id', 'text', (c) => c.references('runs.id'))
        .addColumn('artifact', 'text', (c) => c.notNull())
        .addColumn('metrics', 'text', (c) => c.notNull())
        .addColumn('schema', 'text')
        .addColumn('signature', 'text')
        .addColumn('fingerprint', 'text')
        .addColumn('description', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('model_versions_pk', ['model', 'version'])
        .execute();
      await s
        .createTable('model_aliases')
        .addColumn('model', 'text', (c) => c.notNull().references('models.name').onDelete('cascade'))
        .addColumn('alias', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('model_aliases_pk', ['model', 'alias'])
        .addForeignKeyConstraint('model_aliases_version_fk', ['model', 'version'], 'model_versions', ['model', 'version'])
        .execute();
      await s
        .createTable('alias_history')
        .addColumn('id', idType, idColumn)
        .addColumn('model', 'text', (c) => c.notNull().references('models.name').onDelete('cascade'))
        .addColumn('alias', 'text', (c) => c.notNull())
        .addColumn('from_version', 'integer')
        .addColumn('to_version', 'integer')
        .addColumn('at', 'bigint', (c) => c.notNull())
        .execute();
      await s.createIndex('alias_history_model_alias').on('alias_history').columns(['model', 'alias']).execute();

      await s
        .createTable('deployments')
        .addColumn('name', 'text', (c) => c.primaryKey().notNull())
        .addColumn('policy', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await s
        .createTable('prediction_log')
        .addColumn('id', 'text', (c) => c.primaryKey().notNull())
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('ts', 'bigint', (c) => c.notNull())
        .addColumn('request', 'text', (c) => c.notNull())
        .addColumn('response', 'text', (c) => c.notNull())
        .addColumn('latency_ms', 'double precision', (c) => c.notNull())
        // Which arm of a deployment's policy answered (a split's version, 'shadow'…), and the client's request id.
        .addColumn('arm', 'text')
        .addColumn('request_id', 'text')
        .execute();
      await s
        .createTable('feedback')
        .addColumn('id', idType, idColumn)
        // No foreign key: feedback may arrive before its prediction's batched log entry.
        .addColumn('prediction_id', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        // The outcome as a reward in [0, 1] when the server could score it (a bandit's input).
        .addColumn('reward', 'double precision')
        .addColumn('ts', 'bigint', (c) => c.notNull())
        .execute();
      await s
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey().notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('key_hash', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();
      await s
        .createTable('artifact_blobs')
        .addColumn('sha256', 'text', (c) => c.primaryKey().notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('data', bytesType(dialect), (c) => c.notNull())
        .addColumn('stored_at', 'bigint', (c) => c.notNull())
        .execute();
      if (dialect === 'postgres') {
        // Servers LISTEN for this: an alias move, a deployment or a key change made by any process
        // reaches every replica at once instead of at its next poll.
        await sql`create or replace function hyperplane_notify() returns trigger language plpgsql as $$ begin perform pg_notify('hyperplane_changes', tg_table_name); return null; end $$`.execute(db);
        for (const table of ['model_aliases', 'deployments', 'api_keys']) {
          await sql`create trigger ${sql.raw(`${table}_notify`)} after insert or update or delete on ${sql.table(table)} for each statement execute function hyperplane_notify()`.execute(db);
        }
      }
    },
  };
}
