import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../db/schema.js';

/**
 * One feedback row per (prediction, outcome): a retried POST adds nothing. Repeats already stored are
 * removed first (the earliest is kept; a repeat carries the same reward). PostgreSQL indexes the
 * outcome's md5, since a btree entry has a size limit an outcome could pass; SQLite has none.
 */
export function feedbackOnce(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`delete from feedback where id not in (select min(id) from feedback group by prediction_id, outcome)`.execute(db);
      if (dialect === 'postgres') await sql`create unique index feedback_prediction_outcome on feedback (prediction_id, md5(outcome))`.execute(db);
      else await sql`create unique index feedback_prediction_outcome on feedback (prediction_id, outcome)`.execute(db);
    },
  };
}
