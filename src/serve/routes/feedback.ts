import type { FastifyInstance } from 'fastify';
import type { FeedbackInput, JsonValue, Store } from '../../store/index.js';
import { fail } from '../reply.js';
import type { FieldProblem } from '../validate.js';

/** Recent answers by prediction id, so feedback is scored as a reward without a lookup: bounded, the oldest dropped first. */
export class RecentAnswers {
  private readonly byId = new Map<string, string | number>();
  private readonly ring: (string | undefined)[];
  private at = 0;

  constructor(private readonly size: number) {
    this.ring = new Array(size);
  }

  remember(id: string, prediction: string | number): void {
    const oldest = this.ring[this.at];
    if (oldest !== undefined) this.byId.delete(oldest);
    this.ring[this.at] = id;
    this.at = (this.at + 1) % this.size;
    this.byId.set(id, prediction);
  }

  get(id: string): string | number | undefined {
    return this.byId.get(id);
  }
}

export interface FeedbackContext {
  store: Store;
  recent: RecentAnswers;
  /** Counts an accepted feedback request in the metrics. */
  counted(): void;
}

/** `POST /v1/feedback`: true outcomes by prediction id, one or many, each scored as a reward where it can be. */
export function registerFeedbackRoute(app: FastifyInstance, { store, recent, counted }: FeedbackContext): void {
    /**
   * Feedback as a reward in [0, 1]: `{ "reward": x }` as given; a true label compared with what was
   * predicted (1 when right). Unknown predictions and values (a regression's true value) have none.
   */
  async function rewardOf(f: FeedbackInput): Promise<number | null> {
    const o = f.outcome;
    if (o !== null && typeof o === 'object' && !Array.isArray(o) && typeof o['reward'] === 'number') return Math.min(1, Math.max(0, o['reward']));
    if (typeof o !== 'string' && typeof o !== 'number' && typeof o !== 'boolean') return null;
    let predicted = recent.get(f.predictionId);
    if (predicted === undefined) {
      const logged = await store.predictions.get(f.predictionId);
      const response = logged?.response as { prediction?: string | number } | undefined;
      predicted = response?.prediction;
    }
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
