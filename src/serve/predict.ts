import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LogFields } from './log-fields.js';
import type { LogGauges, ServeMetrics } from './metrics.js';
import { timeOrderedId } from './ids.js';
import type { Policy, Route } from './policies.js';
import { fail, type Headers } from './reply.js';
import { batchSchemaOf, isBatch, rowSchema } from './schemas/requests.js';
import { Scored } from './scored.js';
import type { TurnEnd } from './turn-end.js';
import type { ServedModels, ServedVersion } from './served-models.js';
import type { PredictionRecord } from '../store/index.js';
import { Explainer, type ExplainMethod } from '../explain/explainer.js';
import type { RulesExplainer } from '../explain/rules.js';
import { rowExplanation } from '../explain/factors.js';
import type { ExplainDepth } from '../explain/columns.js';
import type { RowScorer } from '../explain/scorecard.js';

/** Where each prediction goes: the journal, committed at the end of the turn before the answers are written. */
export interface PredictionSink {
  /** Takes the record for this turn's commit; O(1), never waits, never throws. */
  record(prediction: PredictionRecord): void;
  /** Writes the turn's records (once per turn, before its answers go out); throws when they could not be written. */
  commit?(): void;
  /** The journal is at its size cap (the store has been down that long): answer 503 rather than answer unlogged. */
  full?(): boolean;
  /** How the log is doing (buffered, spilled, stored…), for /readyz. */
  stats?(): object;
  /** Recorded predictions not in the store yet, by id (feedback can arrive before the shipper stored its prediction): one lookup per feedback request. */
  unshipped?(): { find(id: string, madeMs?: number): Promise<PredictionRecord | undefined> };
  /** Fields the log must not keep as sent: redacted or hashed in every record, shadows' included. */
  fields?: LogFields | undefined;
  /** The journal's and shipper's numbers for /metrics, read at scrape time. */
  gauges?(): LogGauges;
}

/**
 * What a synchronous route gives Fastify for an answer sent later (at the turn's end): nothing. A
 * returned reply is a thenable to Fastify, which then watches the response stream until it ends
 * (end-of-stream listeners on every request): that kept each request's objects alive past young-generation
 * collections, and cost `serve` ~7 µs a request and most of its GC pauses (docs/benchmarks.md).
 */
export function sentLater(result: MaybeAsync<FastifyReply>): Promise<FastifyReply> | undefined {
  return result instanceof Promise ? result : undefined;
}

/** A request as it came, for the log: a one-row body's JSON text (logged as it is when it holds only fields the model reads). */
export type RequestSource = string;

/** Longest X-Request-Id kept in the log: a client's id, not a place to store data. */
const MAX_REQUEST_ID = 128;

/** What a prediction path gives back, or a promise of it when the version has to be loaded first. */
export type MaybeAsync<T> = T | Promise<T>;

/** A request's rows, answered: the scored rows, the policy's arm, and the time taken. */
export interface Answered {
  scored: Scored;
  arm: string | undefined;
  ms: number;
  /**
   * Hands the answers' records to the log and starts the shadows: called by the route before the
   * answer is written, so the turn's journal commit holds them before any answer of the turn goes out
   * (answered ⇒ journaled, even under kill -9).
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
  answerRows(ref: string, rows: readonly unknown[], reply: FastifyReply, route: string, headers: Headers, request?: RequestSource, explain?: ExplainRequest): MaybeAsync<Answered | undefined>;
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
  // Read at scrape time only: nothing per request.
  if (log?.gauges !== undefined) metrics.watchLog(log.gauges.bind(log));
  const fields = log?.fields;

  /** Runs `task` after the work of this phase (`at`), counted until it has run. */
  function counted(at: (task: (failed: unknown) => void) => void, task: (failed: unknown) => void): void {
    deferred++;
    at((failed) => {
      try {
        task(failed);
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
  function score(model: ServedVersion, records: readonly Record<string, unknown>[], notes: readonly (readonly string[])[], abstainBelow: number | undefined): Scored {
    const { pipeline } = model;
    const scores = pipeline.scoreRows(records);
    const codes = pipeline.codes(scores);
    const now = Date.now();
    const ids: string[] = new Array(records.length);
    for (let i = 0; i < records.length; i++) ids[i] = timeOrderedId(now);
    return new Scored(model, ids, codes, scores, notes, model.scorecard === undefined ? undefined : cardFields(model.scorecard, records), abstainBelow);
  }

  /**
   * The log keeps what the model read, not the raw request: a one-row body's text as it came when every
   * field in it is one the model reads (the common case, with no encoding), else the row's model fields
   * encoded. A row with 200,000 extra keys once stored 3.5 MB. A row holding a field the log redacts or
   * hashes is always encoded, by the log's policy: its text as sent would keep the field.
   */
  function logAnswers(scored: Scored, records: readonly Record<string, unknown>[], ms: number, arm: string | null, requestId: string | null, request: RequestSource | undefined): void {
    if (log === undefined) return;
    const timestamp = Date.now();
    const { model, version } = scored.model;
    const reads = scored.model.reads;
    const id = requestId !== null && requestId.length > MAX_REQUEST_ID ? requestId.slice(0, MAX_REQUEST_ID) : requestId;
    for (let i = 0; i < scored.length; i++) {
      const row = records[i]!;
      log.record({
        id: scored.ids[i]!,
        model,
        version,
        timestamp,
        requestJson: fields?.touches(row) === true ? fields.encode(row, reads) : request !== undefined && onlyFieldsRead(row, reads) ? request : JSON.stringify(row, readFields(row, reads)),
        responseJson: scored.outputJson(i),
        latencyMs: ms,
        ...(arm !== null ? { arm } : {}),
        ...(id !== null ? { requestId: id } : {}),
      });
    }
  }

  /**
   * The one prediction path every protocol's route goes through: route by policy, validate, score,
   * count; the route sends the answer, then calls `record()` to log it. Answers the error itself (and
   * gives undefined) when it fails.
   * Synchronous once the version is loaded; a promise only when it has to be loaded first.
   */
  function answerRows(ref: string, rows: readonly unknown[], reply: FastifyReply, route: string, headers: Headers, request?: RequestSource, explain?: ExplainRequest): MaybeAsync<Answered | undefined> {
    const started = performance.now();
    const deployment = ref.includes('@') || ref.includes('/') ? undefined : policies.get(ref);
    const key = headers['x-request-key'];
    const routed = deployment?.policy.choose(typeof key === 'string' ? key : undefined, Math.random);
    const target = routed?.arm ?? ref;
    // A classifier's answers below the deployment's threshold are marked abstained.
    const abstainBelow = deployment?.policy.spec.abstainBelow;
    // A deployment's arms are served; any other reference must be one this server serves.
    if (routed === undefined && !admits(ref, reply)) return undefined;
    const ready = models.get(target);
    if (ready !== undefined) return answerWith(ready, rows, reply, route, headers, started, routed, request, explain, abstainBelow);
    return served(target, reply).then((model) => (model === undefined ? undefined : answerWith(model, rows, reply, route, headers, started, routed, request, explain, abstainBelow)));
  }

  function answerWith(model: ServedVersion, rows: readonly unknown[], reply: FastifyReply, route: string, headers: Headers, started: number, routed: Route | undefined, request: RequestSource | undefined, explain: ExplainRequest | undefined, abstainBelow: number | undefined): Answered | undefined {
    const meter = metrics.instruments(route, model);
    if (log?.full?.() === true) {
      // Answering without logging would break the log's promise; the client retries once the shipper catches up.
      void reply.header('retry-after', '5');
      fail(reply, 503, 'prediction log full', 'the prediction journal is at its size cap (the store cannot take records yet); retry later');
      return undefined;
    }
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
    if (explain !== undefined && 'cannot' in model.explainer) {
      fail(reply, 400, 'cannot explain', `${model.model}/${model.version} cannot explain its predictions: ${model.explainer.cannot}`);
      return undefined;
    }
    const records = rows as Record<string, unknown>[];
    const scored = score(model, records, notes, abstainBelow);
    if (explain !== undefined) {
      const explainer = explain.method === 'interventional' && model.explainer instanceof Explainer ? interventionalOf(model) : (model.explainer as Explainer | RulesExplainer);
      // A rules model's explanation is the rule that fired.
      scored.explanations = explainer instanceof Explainer ? explanationsJson(explainer, model, records, scored.scores, explain.depth) : explainer.explainRows(records).map((e) => JSON.stringify(e));
    }
    const ms = performance.now() - started;
    // Every protocol's answer names the version that gave it, in its body or at least here.
    void reply.header('x-hyperplane-model', model.model).header('x-hyperplane-version', String(model.version));
    meter.answered++;
    meter.rows += records.length;
    meter.abstained += scored.abstentions;
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
            const shadowScored = score(shadow, records, shadow.validator.check(records).notes, abstainBelow);
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
      logNow();
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
    // The row's own text, for the log: the body itself for one row; a batch's rows are encoded.
    const source = text === '' || batch ? undefined : text;
    const query = request.query as { explain?: unknown; method?: unknown } | undefined;
    const asked = query?.explain;
    const depth = asked === undefined ? undefined : explainDepthOf(asked);
    if (depth === null) return fail(reply, 400, 'bad request', `explain=${String(asked).slice(0, 40)}: expected a number of driving factors from 1 to 9999, or all`);
    const method = query?.method;
    if (method !== undefined && method !== 'path-dependent' && method !== 'interventional') return fail(reply, 400, 'bad request', `method=${String(method).slice(0, 40)}: expected path-dependent or interventional`);
    const explain: ExplainRequest | undefined = depth === undefined ? undefined : { depth, method: method ?? 'path-dependent' };
    const done = answerRows(ref, rows, reply, route, request.headers, source, explain);
    return done instanceof Promise ? done.then(send) : send(done);
  }

  function respond(reply: FastifyReply, payload: string | object, done: Answered): FastifyReply {
    // The records first: the turn's journal commit runs before any of the turn's answers is written.
    done.record();
    counted(
      (task) => turnEnd.later(task),
      (failed) => {
        if (failed === undefined) void reply.send(payload);
        else void reply.code(503).header('retry-after', '1').send({ error: 'prediction log unavailable', message: 'the answer could not be written to the prediction journal, so it is not given; retry' });
      },
    );
    return reply;
  }

  return { answerRows, predict, respond, logged };
}

/** Whether every field of the row is one the model reads (then its text as sent is what the model read). */
function onlyFieldsRead(row: Record<string, unknown>, reads: ReadonlySet<string>): boolean {
  for (const key in row) if (!reads.has(key)) return false;
  return true;
}

/** The row's fields the model reads, as JSON.stringify's key list. */
function readFields(row: Record<string, unknown>, reads: ReadonlySet<string>): string[] {
  return Object.keys(row).filter((k) => reads.has(k));
}

/** What `?explain=K&method=…` asks for. */
interface ExplainRequest {
  depth: ExplainDepth;
  method: ExplainMethod;
}

/** Each version's interventional explainer, made on its first request (it reads the package's background rows through every recipe). */
const interventional = new WeakMap<ServedVersion, Explainer>();
function interventionalOf(model: ServedVersion): Explainer {
  let explainer = interventional.get(model);
  if (explainer === undefined) interventional.set(model, (explainer = new Explainer(model.pipeline, 'interventional')));
  return explainer;
}

/** `?explain=K` or `?explain=all`; null for anything else. */
function explainDepthOf(value: unknown): ExplainDepth | null {
  if (value === 'all') return 'all';
  return typeof value === 'string' && /^[1-9]\d{0,3}$/.test(value) ? Number(value) : null;
}

/** Each row's explanation as JSON: the top driving factors with their values from the row as sent. */
function explanationsJson(explainer: Explainer, model: ServedVersion, records: readonly Record<string, unknown>[], scores: Float64Array, depth: ExplainDepth): string[] {
  const explained = explainer.explainRows(records);
  const labels = model.pipeline.spec.target.labels;
  return records.map((row, i) => JSON.stringify(rowExplanation(explained, i, scores, labels, (column) => row[column] ?? null, depth)));
}

/** A scorecard's fields for each row's answer and log: its score, every characteristic's points, and up to four reason codes. */
function cardFields(scorer: RowScorer, records: readonly Record<string, unknown>[]): string[] {
  return scorer.scoreRows(records).map((r) => `"score":${r.score},"points":${JSON.stringify(r.points)},"reasons":${JSON.stringify(r.reasons)}`);
}
