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
      // A row goes when an earlier one has its pair: one probe of the prediction_id index a row (NOT IN over a grouped subquery
      // turns quadratic on PostgreSQL once it outgrows work_mem).
      await sql`delete from feedback where exists (select 1 from feedback earlier where earlier.prediction_id = feedback.prediction_id and earlier.outcome = feedback.outcome and earlier.id < feedback.id)`.execute(db);
      if (dialect === 'postgres') await sql`create unique index feedback_prediction_outcome on feedback (prediction_id, md5(outcome))`.execute(db);
      else await sql`create unique index feedback_prediction_outcome on feedback (prediction_id, outcome)`.execute(db);
    },
  };
}
