import type { FastifyInstance } from 'fastify';
import { isEncoded, type FeedbackInput, type JsonValue, type PredictionRecord, type Store } from '../../store/index.js';
import { fail } from '../reply.js';
import type { FieldProblem } from '../validate.js';

export interface FeedbackContext {
  store: Store;
  /** A prediction the log holds but has not written yet (feedback may overtake its batch). */
  pending(id: string): PredictionRecord | undefined;
  /** Counts an accepted feedback request in the metrics. */
  counted(): void;
}

/** `POST /v1/feedback`: true outcomes by prediction id, one or many, each scored as a reward where it can be. */
export function registerFeedbackRoute(app: FastifyInstance, { store, pending, counted }: FeedbackContext): void {
    /**
   * Feedback as a reward in [0, 1]: `{ "reward": x }` as given; a true label compared with what was
   * predicted (1 when right). Unknown predictions and values (a regression's true value) have none.
   * The prediction is looked for in the log's unwritten records first, then in the store: a record
   * only moves from the one to the other, so it can't be missed between the two looks.
   */
  async function rewardOf(f: FeedbackInput): Promise<number | null> {
    const o = f.outcome;
    if (o !== null && typeof o === 'object' && !Array.isArray(o) && typeof o['reward'] === 'number') return Math.min(1, Math.max(0, o['reward']));
    if (typeof o !== 'string' && typeof o !== 'number' && typeof o !== 'boolean') return null;
    const held = pending(f.predictionId);
    const response = held === undefined ? (await store.predictions.get(f.predictionId))?.response : isEncoded(held) ? (JSON.parse(held.responseJson) as JsonValue) : held.response;
    const predicted = (response as { prediction?: string | number } | undefined)?.prediction;
    if (predicted === undefined || typeof predicted === 'number') return null;
    return String(o) === predicted ? 1 : 0;
  }

  app.post('/v1/feedback', async (request, reply) => {
    const body = request.body;
    const items: unknown[] = Array.isArray(body) ? body : body !== null && typeof body === 'object' && Array.isArray((body as { feedback?: unknown }).feedback) ? (body as { feedback: unknown[] }).feedback : [body];
    const problems: FieldProblem[] = [];
    const batch: FeedbackInput[] = [];
    items.forEach((item, row) => {
      const at = items.length > 1 ? { row } : {};
      const f = item as { id?: unknown; outcome?: unknown } | null;
      if (f === null || typeof f !== 'object') problems.push({ field: '(feedback)', problem: `got ${f === null ? 'null' : typeof f}`, expected: '{ "id": prediction id, "outcome": the true value }', ...at });
      else if (typeof f.id !== 'string' || f.id === '') problems.push({ field: 'id', problem: 'missing or not a string', expected: 'the id a prediction answered with', ...at });
      else if (f.outcome === undefined) problems.push({ field: 'outcome', problem: 'missing', expected: 'the true label, value or reward', ...at });
      else batch.push({ predictionId: f.id, outcome: f.outcome as JsonValue });
    });
    if (problems.length > 0) return fail(reply, 400, 'invalid feedback', `${problems.length} problem${problems.length > 1 ? 's' : ''} with the feedback`, problems);
    for (const f of batch) f.reward = await rewardOf(f);
    await store.feedback.insert(batch);
    counted();
    return reply.code(202).send({ accepted: batch.length });
  });
}
