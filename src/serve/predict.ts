import type { FastifyReply, FastifyRequest } from 'fastify';
import { BatchBody, BatchRowPrediction } from './log/batch-rows.js';
import type { ServeMetrics } from './metrics.js';
import { timeOrderedId } from './ids.js';
import type { Policy, Route } from './policies.js';
import { fail, type Headers } from './reply.js';
import { batchSchemaOf, isBatch, rowSchema } from './schemas/requests.js';
import { Scored } from './scored.js';
import type { TurnEnd } from './turn-end.js';
import type { ServedModels, ServedVersion } from './served-models.js';
import type { PredictionRecord } from '../store/index.js';

/** Where each prediction goes, off the request's path (the batching, spilling log writer). */
export interface PredictionSink {
  record(prediction: PredictionRecord): void;
  /** How the log is doing (buffered, spilled, stored…), for /readyz. */
  stats?(): object;
  /** A recorded prediction not in the store yet, by id (feedback can arrive before its batch is written). */
  find?(id: string): PredictionRecord | undefined;
}

/** A request as it came, for the log: a one-row body's JSON text, or a batch body. */
export type RequestSource = string | BatchBody;

/** What a prediction path gives back, or a promise of it when the version has to be loaded first. */
export type MaybeAsync<T> = T | Promise<T>;

/** A request's rows, answered: the scored rows, the policy's arm, and the time taken. */
export interface Answered {
  scored: Scored;
  arm: string | undefined;
  ms: number;
  /**
   * Logs the answers and starts the shadows: called by the route right after it sends the answer, so
   * the log's work is not part of the client's wait. A few rows are logged at once; a batch's, in the
   * event loop's next check phase, once the socket has taken the rest of a big answer. A request read
   * in between (a SIGTERM too) can come first: a shutdown waits for `logged()`; feedback on a batch's
   * answer that fast finds no prediction to score, and is kept without a reward.
   */
  record(): void;
}

export interface PredictionContext {
  models: ServedModels;
  /** Deployments by name: a request for a deployment's name is routed by its policy. */
  policies: ReadonlyMap<string, { policy: Policy }>;
  /** Whether this server answers `ref` (one it serves); answers the 404 itself when not. */
  admits(ref: string, reply: FastifyReply): boolean;
  /** The version serving a reference, loaded first if need be; answers the error itself (and gives undefined) when there is none. */
  served(ref: string, reply: FastifyReply): Promise<ServedVersion | undefined>;
  metrics: ServeMetrics;
  log: PredictionSink | undefined;
  /** Rows per request at most. */
  maxRows: number;
  /** A shadow that failed to score: reported, never answered. */
  shadowFailed(ref: string, message: string): void;
  /** Where answers wait for the end of the turn. */
  turnEnd: TurnEnd;
}

export interface Predictions {
  /**
   * Resolves once every answer sent so far has its records with the log (a batch's records and the
   * shadows' answers are made a turn or two after the answer). A shutdown waits for it before it
   * flushes the log: otherwise a SIGTERM that came between an answer and its records left them out of
   * the flush (they went to the spill file, for the next process to replay).
   */
  logged(): Promise<void>;
  /** Sends `payload` at the end of the event loop's turn (with the other answers of the turn), then logs the answers. */
  respond(reply: FastifyReply, payload: string | object, done: Answered): FastifyReply;
  /** The one prediction path every protocol's route goes through. */
  answerRows(ref: string, rows: readonly unknown[], reply: FastifyReply, route: string, headers: Headers, request?: RequestSource): MaybeAsync<Answered | undefined>;
  /** The /v1 routes: one row object or `{ "rows": [...] }`, answered with JSON written directly. */
  predict(ref: string, request: FastifyRequest, reply: FastifyReply, route: string): MaybeAsync<FastifyReply>;
}

/**
 * The prediction path: route by policy, validate, score, count, answer, then log (and score the
 * shadows) once the answer is sent. Synchronous once the version is loaded.
 */
export function predictions({ models, policies, admits, served, metrics, log, maxRows, shadowFailed, turnEnd }: PredictionContext): Predictions {
  /** Answers and logging put off to a later phase of the loop and not done yet, and who waits for there to be none. */
  let deferred = 0;
  let waiting: (() => void)[] = [];
  const batchSchema = batchSchemaOf(rowSchema, maxRows);

  /** Runs `task` after the work of this phase (`at`), counted until it has run. */
  function counted(at: (task: () => void) => void, task: () => void): void {
    deferred++;
    at(() => {
      try {
        task();
      } finally {
        // A task that puts off another (an answer its batch's records, those their shadows) counts it before this one ends.
        if (--deferred === 0) {
          const done = waiting;
          waiting = [];
          for (const resolve of done) resolve();
        }
      }
    });
  }
  const later = (task: () => void): void => counted(setImmediate, task);

  function logged(): Promise<void> {
    return deferred === 0 ? Promise.resolve() : new Promise((resolve) => waiting.push(resolve));
  }

  /** Scores validated rows and gives each a prediction id. */
  function score(model: ServedVersion, records: readonly Record<string, unknown>[], notes: readonly (readonly string[])[]): Scored {
    const { pipeline } = model;
    const scores = pipeline.scoreRows(records);
    const codes = pipeline.codes(scores);
    const now = Date.now();
    const ids: string[] = new Array(records.length);
    for (let i = 0; i < records.length; i++) ids[i] = timeOrderedId(now);
    return new Scored(model, ids, codes, scores, notes);
  }

  /**
   * `request`: the request as it came, when the route has it, logged as it is: a one-row body's text,
   * or a batch body its rows are cut from when they are written. Otherwise each row is encoded.
   */
  function logAnswers(scored: Scored, records: readonly Record<string, unknown>[], ms: number, arm: string | null, requestId: string | null, request: RequestSource | undefined): void {
    if (log === undefined) return;
    const timestamp = Date.now();
    const { model, version } = scored.model;
    if (request instanceof BatchBody) {
      for (let i = 0; i < scored.length; i++) log.record(new BatchRowPrediction(request, i, scored.ids[i]!, model, version, timestamp, scored.outputJson(i), ms, arm, requestId));
      return;
    }
    for (let i = 0; i < scored.length; i++) {
      log.record({
        id: scored.ids[i]!,
        model,
        version,
        timestamp,
        requestJson: request ?? JSON.stringify(records[i]),
        responseJson: scored.outputJson(i),
        latencyMs: ms,
        ...(arm !== null ? { arm } : {}),
        ...(requestId !== null ? { requestId } : {}),
      });
    }
  }

  /**
   * The one prediction path every protocol's route goes through: route by policy, validate, score,
   * count; the route sends the answer, then calls `record()` to log it. Answers the error itself (and
   * gives undefined) when it fails.
   * Synchronous once the version is loaded; a promise only when it has to be loaded first.
   */
  function answerRows(ref: string, rows: readonly unknown[], reply: FastifyReply, route: string, headers: Headers, request?: RequestSource): MaybeAsync<Answered | undefined> {
    const started = performance.now();
    const deployment = ref.includes('@') || ref.includes('/') ? undefined : policies.get(ref);
    const key = headers['x-request-key'];
    const routed = deployment?.policy.choose(typeof key === 'string' ? key : undefined, Math.random);
    const target = routed?.arm ?? ref;
    // A deployment's arms are served; any other reference must be one this server serves.
    if (routed === undefined && !admits(ref, reply)) return undefined;
    const ready = models.get(target);
    if (ready !== undefined) return answerWith(ready, rows, reply, route, headers, started, routed, request);
    return served(target, reply).then((model) => (model === undefined ? undefined : answerWith(model, rows, reply, route, headers, started, routed, request)));
  }

  function answerWith(model: ServedVersion, rows: readonly unknown[], reply: FastifyReply, route: string, headers: Headers, started: number, routed: Route | undefined, request: RequestSource | undefined): Answered | undefined {
    const meter = metrics.instruments(route, model);
    if (rows.length > maxRows) {
      fail(reply, 413, 'too many rows', `${rows.length} rows: at most ${maxRows} a request`);
      return undefined;
    }
    if (rows.length === 0) {
      fail(reply, 400, 'bad request', 'no rows to predict');
      return undefined;
    }
    const { problems, notes } = model.validator.check(rows);
    if (problems.length > 0) {
      meter.invalid.inc();
      fail(reply, 400, 'invalid input', `${problems.length} problem${problems.length > 1 ? 's' : ''} with the input`, problems);
      return undefined;
    }
    const records = rows as Record<string, unknown>[];
    const scored = score(model, records, notes);
    const ms = performance.now() - started;
    // Every protocol's answer names the version that gave it, in its body or at least here.
    void reply.header('x-hyperplane-model', model.model).header('x-hyperplane-version', String(model.version));
    meter.answered++;
    meter.rows += records.length;
    meter.seconds.observe(ms / 1000);
    let recorded = false;
    const logNow = (): void => {
      const requestIdHeader = headers['x-request-id'];
      const requestId = typeof requestIdHeader === 'string' ? requestIdHeader : null;
      logAnswers(scored, records, ms, routed?.arm ?? null, requestId, request);
      // Shadows score the same rows later still: their answers are logged, never returned.
      for (const shadowRef of routed?.shadows ?? []) {
        later(() => {
          const shadow = models.get(shadowRef);
          if (shadow === undefined) return;
          const t0 = performance.now();
          try {
            const shadowScored = score(shadow, records, shadow.validator.check(records).notes);
            logAnswers(shadowScored, records, performance.now() - t0, 'shadow', requestId, request);
          } catch (e) {
            shadowFailed(shadowRef, e instanceof Error ? e.message : String(e));
          }
        });
      }
    };
    const record = (): void => {
      if (recorded) return;
      recorded = true;
      if (records.length > 16) later(logNow);
      else logNow();
    };
    return { scored, arm: routed?.arm, ms, record };
  }

  /** Hyperplane's own body: one row object, or `{ "rows": [...] }`; the answer's JSON is written directly, not through JSON.stringify. */
  function predict(ref: string, request: FastifyRequest, reply: FastifyReply, route: string): MaybeAsync<FastifyReply> {
    const body = request.body;
    const batch = isBatch(body);
    if (batch) {
      // The envelope, by the schema the document's PredictRequest is generated from; each row is checked against the model.
      const checked = batchSchema.safeParse(body);
      if (!checked.success) {
        const issue = checked.error.issues[0]!;
        return issue.code === 'too_big' ? fail(reply, 413, 'too many rows', issue.message) : fail(reply, 400, 'bad request', issue.message);
      }
    }
    const rows: unknown[] = batch ? (body.rows as unknown[]) : [body];
    const send = (done: Answered | undefined): FastifyReply => {
      if (done === undefined) return reply;
      return respond(reply.type('application/json; charset=utf-8'), done.scored.v1Json(batch, done.arm, done.ms), done);
    };
    const text = request.jsonText;
    // The rows' own text, for the log: the body itself for one row; for a batch, cut from it when written.
    const source = text === '' ? undefined : batch ? new BatchBody(text, rows.length) : text;
    const done = answerRows(ref, rows, reply, route, request.headers, source);
    return done instanceof Promise ? done.then(send) : send(done);
  }

  function respond(reply: FastifyReply, payload: string | object, done: Answered): FastifyReply {
    counted(
      (task) => turnEnd.later(task),
      () => {
        void reply.send(payload);
        done.record();
      },
    );
    return reply;
  }

  return { answerRows, predict, respond, logged };
}

