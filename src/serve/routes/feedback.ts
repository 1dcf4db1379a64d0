import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isEncoded, type FeedbackInput, type JsonValue, type PredictionRecord, type Store } from '../../store/index.js';
import { scoreAgainst } from '../../store/feedback-outcome.js';
import { fail } from '../reply.js';
import { feedbackItemProblem, feedbackItems, feedbackListOf } from '../schemas/requests.js';
import type { FieldProblem } from '../../pipeline/validate-rows.js';

/**
 * An id the server could have made this long ago and not logged yet (a batch waiting in another
 * worker's writer, or spilled while the store was down) is taken without a reward, not refused.
 */
const IN_FLIGHT_MS = 10 * 60_000;

export interface FeedbackContext {
  store: Store;
  /** Predictions the log holds but has not stored yet (feedback may overtake them), looked up by id: one lookup per request. */
  unshipped(): { find(id: string, madeMs?: number): Promise<PredictionRecord | undefined> } | undefined;
  /** Whether predictions are logged at all: without a log, ids can't be checked (serve --no-log). */
  logged: boolean;
  /** Counts a feedback request in the metrics, by its status. */
  counted(status: number): void;
}

/** What became of one item. */
export type FeedbackResult = { status: 'accepted' } | { status: 'unknown id'; problem: string } | { status: 'invalid'; field: string; problem: string };

const V7_ID = /^([0-9a-f]{8})-([0-9a-f]{4})-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** When an id of the server's own format (a version-7 UUID) was made, if it is one and was made in the last few minutes. */
function madeRecently(id: string, now: number): number | undefined {
  const m = V7_ID.exec(id);
  if (m === null) return undefined;
  const ms = parseInt(`${m[1]}${m[2]}`, 16);
  return ms >= now - IN_FLIGHT_MS && ms <= now + 60_000 ? ms : undefined;
}

/**
 * `POST /v1/feedback`: true outcomes by prediction id, one or many (at most 1000), each answered on its
 * own: accepted, unknown id, or invalid with why. A label is scored against the prediction as a reward.
 * The same (id, outcome) sent again adds nothing (the store keeps one).
 */
export function registerFeedbackRoute(app: FastifyInstance, { store, unshipped, logged, counted }: FeedbackContext): void {
  const itemCount = feedbackListOf(z.unknown());
  /**
   * The prediction's answer, looked for in the store; for an id made in the last minutes, then in the
   * journal's unshipped records, then in the store again (a record only moves from the journal to the
   * store, so it can't be missed between the looks); 'in flight' for a recent id that neither holds yet
   * (another server's, a process that died before its journal was shipped); undefined for an unknown id.
   */
  async function answerFor(id: string, now: number, journal: () => ReturnType<FeedbackContext['unshipped']>): Promise<{ response: JsonValue } | 'in flight' | undefined> {
    const stored = await store.predictions.get(id);
    if (stored !== undefined) return { response: stored.response };
    const madeMs = madeRecently(id, now);
    if (madeMs === undefined) return logged ? undefined : 'in flight';
    const held = await journal()?.find(id, madeMs);
    if (held !== undefined) return { response: isEncoded(held) ? (JSON.parse(held.responseJson) as JsonValue) : held.response };
    const shipped = await store.predictions.get(id);
    return shipped !== undefined ? { response: shipped.response } : 'in flight';
  }

  app.post('/v1/feedback', async (request, reply) => {
    // The list's bounds by the schema the document's FeedbackRequest is generated from; each item is answered on its own.
    const items = feedbackItems(request.body);
    const counts = itemCount.safeParse(items);
    if (!counts.success) {
      const tooMany = counts.error.issues[0]!.code === 'too_big';
      counted(tooMany ? 413 : 400);
      return fail(reply, tooMany ? 413 : 400, tooMany ? 'too many items' : 'invalid feedback', counts.error.issues[0]!.message);
    }
    const now = Date.now();
    const results: FeedbackResult[] = [];
    const problems: FieldProblem[] = [];
    const batch: FeedbackInput[] = [];
    const at = (row: number): { row?: number } => (items.length > 1 ? { row } : {});
    // The journal is read once a request, and only if an id is missing from the store.
    let lookup: ReturnType<FeedbackContext['unshipped']> | null = null;
    const journal = (): ReturnType<FeedbackContext['unshipped']> => (lookup ??= unshipped()) ?? undefined;
    for (const [row, item] of items.entries()) {
      const wrong = feedbackItemProblem(item);
      if (wrong !== undefined) {
        problems.push({ ...wrong, ...at(row) });
        results.push({ status: 'invalid', field: wrong.field, problem: `${wrong.problem}: expected ${wrong.expected}` });
        continue;
      }
      const { id, outcome } = item as { id: string; outcome: JsonValue };
      const found = await answerFor(id, now, journal);
      if (found === undefined) {
        problems.push({ field: 'id', problem: `no prediction '${id.slice(0, 80)}'`, expected: 'the id a prediction answered with', ...at(row) });
        results.push({ status: 'unknown id', problem: `no prediction '${id.slice(0, 80)}'` });
        continue;
      }
      const scored = found === 'in flight' ? scoreAgainst(outcome, undefined) : scoreAgainst(outcome, found.response);
      if (!('reward' in scored)) {
        problems.push({ ...scored, ...at(row) });
        results.push({ status: 'invalid', field: scored.field, problem: `${scored.problem}: expected ${scored.expected}` });
        continue;
      }
      batch.push({ predictionId: id, outcome, reward: scored.reward });
      results.push({ status: 'accepted' });
    }
    if (batch.length === 0) {
      const anyInvalid = results.some((r) => r.status === 'invalid');
      const status = anyInvalid ? 400 : 404;
      counted(status);
      return fail(reply, status, anyInvalid ? 'invalid feedback' : 'unknown prediction', `${problems.length} problem${problems.length > 1 ? 's' : ''} with the feedback; nothing was recorded`, problems);
    }
    await store.feedback.insert(batch);
    counted(202);
    return reply.code(202).send({ accepted: batch.length, results });
  });
}
