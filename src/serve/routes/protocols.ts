import type { FastifyInstance, FastifyReply } from 'fastify';
import { inferResponse, modelMetadata, rowsFromInfer, rowsFromInvocations } from '../protocols.js';
import { fail, type Headers } from '../reply.js';
import { UNSHED } from '../overload.js';
import type { Answered } from '../predict.js';
import type { ServedModels, ServedVersion } from '../served-models.js';

/** What the protocol routes need from the server: its models and its one prediction path. */
export interface ProtocolContext {
  models: ServedModels;
  served(ref: string, reply: FastifyReply): Promise<ServedVersion | undefined>;
  /** Whether the server answers `ref`; answers the 404 itself when not. */
  admits(ref: string, reply: FastifyReply): boolean;
  /** The server's one readiness (/readyz answers the same). */
  ready(): boolean;
  answerRows(ref: string, rows: readonly unknown[], reply: FastifyReply, route: string, headers: Headers): Answered | undefined | Promise<Answered | undefined>;
  respond(reply: FastifyReply, payload: object, done: Answered): FastifyReply;
}

/** The Open Inference Protocol (v2) and MLflow's /invocations, both through the server's prediction path. */
export function registerProtocolRoutes(app: FastifyInstance, { models, served, admits, ready, answerRows, respond }: ProtocolContext): void {
  // The Open Inference Protocol (v2): KServe, Triton and MLServer clients work unchanged.
  app.get('/v2/health/live', UNSHED, async () => ({ live: true }));
  app.get('/v2/health/ready', UNSHED, async (_request, reply) => {
    const isReady = ready();
    return reply.code(isReady ? 200 : 503).send({ ready: isReady });
  });
  app.get<{ Params: { model: string } }>('/v2/models/:model', async (request, reply) => {
    const model = await served(request.params.model, reply);
    return model === undefined ? reply : modelMetadata(model);
  });
  app.get<{ Params: { model: string } }>('/v2/models/:model/ready', async (request, reply) => {
    if (!admits(request.params.model, reply)) return reply;
    const model = models.get(request.params.model);
    return reply.code(model !== undefined ? 200 : 404).send({ name: request.params.model, ready: model !== undefined });
  });
  const infer = async (ref: string, body: unknown, reply: FastifyReply, headers: Headers): Promise<FastifyReply> => {
    const model = await served(ref, reply);
    if (model === undefined) return reply;
    const parsed = rowsFromInfer(body, model.signature);
    if ('problems' in parsed) return fail(reply, 400, 'invalid input', 'the inference request is malformed', parsed.problems);
    const done = await answerRows(ref, parsed.rows, reply, 'infer', headers);
    if (done === undefined) return reply;
    const id = (body as { id?: unknown }).id;
    return respond(reply, inferResponse(done.scored.model, done.scored.answers(), typeof id === 'string' ? id : undefined, done.scored.abstained !== undefined), done);
  };
  app.post<{ Params: { model: string } }>('/v2/models/:model/infer', (request, reply) => infer(request.params.model, request.body, reply, request.headers));
  app.post<{ Params: { model: string; version: string } }>('/v2/models/:model/versions/:version/infer', (request, reply) => infer(`${request.params.model}/${request.params.version}`, request.body, reply, request.headers));
  
  // MLflow's scoring route: the one model this server serves, or ?model=NAME when it serves several.
  app.post<{ Querystring: { model?: string } }>('/invocations', async (request, reply) => {
    const names = [...new Set(models.status().map((m) => m.ref.split(/[@/]/)[0]!))];
    const ref = request.query.model ?? (names.length === 1 ? names[0] : undefined);
    if (ref === undefined) return fail(reply, 400, 'bad request', `this server serves ${names.length} models (${names.join(', ')}): name one with /invocations?model=NAME`);
    const parsed = rowsFromInvocations(request.body);
    if ('problems' in parsed) return fail(reply, 400, 'invalid input', 'not an MLflow scoring request', parsed.problems);
    const done = await answerRows(ref, parsed.rows, reply, 'invocations', request.headers);
    if (done === undefined) return reply;
    const labels = done.scored.model.signature.output.labels;
    return respond(reply, { predictions: done.scored.answers().map((a) => (labels === undefined ? a.prediction : { prediction: a.prediction, ...a.probabilities, id: a.id, ...(a.abstained === true ? { abstained: true, reason: a.reason } : {}) })) }, done);
  });
}
