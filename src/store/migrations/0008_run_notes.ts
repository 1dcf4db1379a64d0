import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db/schema.js';
import { autoId } from './columns.js';

/** The lab notebook: notes on a run, in the order they were written (the auto id), gone with their run. */
export function runNotes(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const [idType, idColumn] = autoId(dialect);
      await db.schema
        .createTable('run_notes')
        .addColumn('id', idType, idColumn)
        .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
        .addColumn('ts', 'bigint', (c) => c.notNull())
        .addColumn('author', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('run_notes_run').on('run_notes').columns(['run_id', 'id']).execute();
    },
  };
}
