import type { FastifyInstance } from 'fastify';
import { decodePrediction, type Feedback, type JsonValue, type Prediction, type PredictionQuery, type Store } from '../../../store/index.js';
import type { ReadRouteDeps } from './index.js';
import { fail } from '../../reply.js';
import { boolOf, intOf, queryOf, timeOf } from './serving-query.js';

/** How long after its answer a prediction may still be in the server's journal, not yet in the store. */
const SHIPPING_MS = 60_000;
const V7_ID = /^([0-9a-f]{8})-([0-9a-f]{4})-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** One logged prediction as the page shows it: what went in, what came out (with any explanation), and its feedback. */
export interface PredictionView {
  id: string;
  model: string;
  version: number;
  arm: string | null;
  requestId: string | null;
  timestamp: number;
  latencyMs: number;
  input: JsonValue;
  /** The logged answer: prediction, probabilities, a scorecard's points and reasons, and `explanation` when it was asked for. */
  output: JsonValue;
  explanation: JsonValue | null;
  feedback: Omit<Feedback, 'predictionId'> | null;
}

export function viewOf(p: Prediction, feedback: Omit<Feedback, 'predictionId'> | null): PredictionView {
  const out = p.response;
  const explanation = typeof out === 'object' && out !== null && !Array.isArray(out) ? (out['explanation'] ?? null) : null;
  return { id: p.id, model: p.model, version: p.version, arm: p.arm ?? null, requestId: p.requestId ?? null, timestamp: p.timestamp, latencyMs: p.latencyMs, input: p.request, output: out, explanation, feedback };
}

const SEARCH = ['model', 'version', 'arm', 'since', 'until', 'labelled', 'limit', 'cursor'] as const;

/** `GET /v1/predictions` (search, oldest first, paged by cursor) and `GET /v1/predictions/:id`. */
export function registerPredictionRoutes(app: FastifyInstance, store: Store, unshipped?: ReadRouteDeps['unshipped']): void {
  app.get('/v1/predictions', async (request) => {
    const q = queryOf(request.query, SEARCH);
    const now = Date.now();
    const query: PredictionQuery = { limit: intOf(q['limit'], 'limit', 1, 10_000) ?? 100 };
    if (q['model'] !== undefined) query.model = q['model'];
    const version = intOf(q['version'], 'version', 1, Number.MAX_SAFE_INTEGER);
    if (version !== undefined) query.version = version;
    if (q['arm'] !== undefined) query.arm = q['arm'];
    if (q['since'] !== undefined) query.since = timeOf(q['since'], 'since', now);
    if (q['until'] !== undefined) query.until = timeOf(q['until'], 'until', now);
    if (boolOf(q['labelled'], 'labelled')) query.labelled = true;
    if (q['cursor'] !== undefined) query.cursor = q['cursor'];
    const page = await store.predictions.listWithFeedback(query);
    return { predictions: page.predictions.map((p) => viewOf(p, p.feedback)), nextCursor: page.nextCursor };
  });

  app.get<{ Params: { id: string } }>('/v1/predictions/:id', async (request, reply) => {
    const { id } = request.params;
    queryOf(request.query, []);
    const p = (await store.predictions.get(id)) ?? (await fromJournal(id, unshipped));
    if (p === undefined) return fail(reply, 404, 'not found', notFound(id, Date.now()));
    const feedback = await store.feedback.list({ predictionId: id });
    const latest = feedback.at(-1);
    return { ...viewOf(p, latest === undefined ? null : withoutId(latest)), feedbackHistory: feedback.map(withoutId) };
  });
}

/** A prediction this server answered moments ago, still in its journal (only ids made in the last minutes are looked for). */
async function fromJournal(id: string, unshipped: ReadRouteDeps['unshipped']): Promise<Prediction | undefined> {
  const m = V7_ID.exec(id);
  const made = m === null ? undefined : parseInt(`${m[1]}${m[2]}`, 16);
  if (made === undefined || made < Date.now() - SHIPPING_MS) return undefined;
  const record = await unshipped?.()?.find(id, made);
  return record === undefined ? undefined : decodePrediction(record);
}

const withoutId = ({ predictionId: _id, ...rest }: Feedback): Omit<Feedback, 'predictionId'> => rest;

/** Why an id is not found: one the server made moments ago may still be on its way from the journal to the store. */
function notFound(id: string, now: number): string {
  const m = V7_ID.exec(id);
  const made = m === null ? undefined : parseInt(`${m[1]}${m[2]}`, 16);
  const shown = id.slice(0, 80);
  if (made !== undefined && made > now - SHIPPING_MS && made <= now + 60_000) return `no prediction '${shown}' in the log yet: it was made ${Math.max(0, Math.round((now - made) / 1000))} s ago and the server ships its journal to the store every ~2 s; retry shortly`;
  return `no prediction '${shown}' in the log`;
}
