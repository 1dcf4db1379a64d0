import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { JsonValue } from '../json.js';
import type { Feedback, FeedbackInput, FeedbackLog, FeedbackQuery, RewardTally } from '../serving.js';
import { checkInteger, checkLimit, checkName, chunks, rowsPerInsert } from '../validate.js';

/** (prediction, outcome) pairs per delete statement. */
const DELETE_PAIRS = 250;

export class SqlFeedbackLog implements FeedbackLog {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(batch: readonly FeedbackInput[]): Promise<void> {
    if (batch.length === 0) return;
    const now = Date.now();
    // A repeated (prediction, outcome) pair is kept once: in the batch here, against the stored rows by the unique index.
    const seen = new Set<string>();
    const rows = batch
      .map((f) => ({
        prediction_id: checkName(f.predictionId, 'predictionId'),
        outcome: JSON.stringify(f.outcome),
        reward: f.reward ?? null,
        ts: checkInteger(f.timestamp ?? now, 'timestamp'),
      }))
      .filter((r) => {
        const key = JSON.stringify([r.prediction_id, r.outcome]);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    await this.db.transaction().execute(async (trx) => {
      // Going back to an earlier outcome (yes, no, yes) must make it the latest again: its old row goes
      // when a later one exists. Repeating the latest outcome then hits the index and adds nothing.
      // A few hundred pairs a statement: SQLite parses a chain of ORs as a tree at most 1,000 deep.
      for (const part of chunks(rows, DELETE_PAIRS)) {
        await trx
          .deleteFrom('feedback')
          .where((eb) => eb.or(part.map((r) => eb.and([eb('prediction_id', '=', r.prediction_id), eb('outcome', '=', r.outcome)]))))
          .where((eb) => eb('id', '<', eb.selectFrom('feedback as later').select((e) => e.fn.max('later.id').as('latest')).whereRef('later.prediction_id', '=', 'feedback.prediction_id')))
          .execute();
      }
      for (const part of chunks(rows, rowsPerInsert(4))) await trx.insertInto('feedback').values(part).onConflict((oc) => oc.doNothing()).execute();
    });
  }

  async list(query: FeedbackQuery = {}): Promise<Feedback[]> {
    const limit = checkLimit(query.limit, 10_000, 1_000_000);
    let q = this.db.selectFrom('feedback').select(['feedback.id', 'feedback.prediction_id', 'feedback.outcome', 'feedback.reward', 'feedback.ts']);
    if (query.model !== undefined) {
      const model = query.model;
      q = q.where((eb) => eb.exists(eb.selectFrom('prediction_log as p').select('p.id').whereRef('p.id', '=', 'feedback.prediction_id').where('p.model', '=', model)));
    }
    if (query.predictionId !== undefined) q = q.where('feedback.prediction_id', '=', query.predictionId);
    if (query.since !== undefined) q = q.where('feedback.ts', '>=', query.since);
    if (query.until !== undefined) q = q.where('feedback.ts', '<', query.until);
    const rows = await q.orderBy('feedback.ts').orderBy('feedback.id').limit(limit).execute();
    return rows.map((r) => ({ id: Number(r.id), predictionId: r.prediction_id, outcome: JSON.parse(r.outcome) as JsonValue, reward: r.reward === null ? null : Number(r.reward), timestamp: r.ts }));
  }

  async rewards(model: string, since?: number): Promise<RewardTally[]> {
    let q = this.db
      .selectFrom('feedback as f')
      .innerJoin('prediction_log as p', 'p.id', 'f.prediction_id')
      .where('p.model', '=', model)
      .where('f.reward', 'is not', null)
      // Each prediction counts once, by its latest rewarded feedback: a retried POST is not a second
      // reward, and a corrected outcome replaces the first.
      .where('f.id', '=', (eb) => eb.selectFrom('feedback as latest').select((e) => e.fn.max('latest.id').as('id')).whereRef('latest.prediction_id', '=', 'f.prediction_id').where('latest.reward', 'is not', null))
      .select((eb) => ['p.version', 'p.arm', eb.fn.countAll<string | number>().as('n'), eb.fn.sum<string | number>('f.reward').as('total')])
      .groupBy(['p.version', 'p.arm']);
    if (since !== undefined) q = q.where('f.ts', '>=', since);
    const rows = await q.execute();
    return rows.map((r) => ({ version: Number(r.version), arm: r.arm, count: Number(r.n), total: Number(r.total) }));
  }

  async deleteBefore(before: number): Promise<number> {
    return Number((await this.db.deleteFrom('feedback').where('ts', '<', before).executeTakeFirst()).numDeletedRows);
  }
}
