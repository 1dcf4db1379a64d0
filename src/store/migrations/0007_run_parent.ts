import type { Kysely, Migration } from 'kysely';

/**
 * A run's parent: a search's trials are runs under the search's own run (`runs list --parent ID`). No foreign
 * key: a trial outlives a parent deleted on its own, and its parent id then names nothing, as a deleted run's
 * id in a log does.
 */
export function runParent(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('runs').addColumn('parent_id', 'text').execute();
      await db.schema.createIndex('runs_parent_start').on('runs').columns(['parent_id', 'start_time']).execute();
    },
  };
}
