import swagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type onRequestHookHandler } from 'fastify';
import { HyperplaneError, isHyperplaneError } from '../errors.js';
import type { ApiKey, ApiScope, JsonValue, Store } from '../store/index.js';
import { componentSchemas, ROUTE_DOCS } from './api-docs.js';
import { DEFAULT_MAX_ROWS } from './schemas/requests.js';
import { MAX_BODY_DEPTH, nestedDeeperThan } from './body-depth.js';
import { Drain } from './drain.js';
import { KeyCheck, type AuthResult } from './auth.js';
import { checkAbstention, checkDeployment, refsOf, resolveDeployment } from './deployments.js';
import { policyFrom, policySpecOf, type Policy } from './policies.js';
import { modelSchema } from './protocols.js';
import { ServedSet } from './served-set.js';
import { fail } from './reply.js';
import { actorOf, auditQuery } from './audit.js';
import { ServeMetrics } from './metrics.js';
import type { MonitorGauges } from '../monitor/gauges.js';
import { registerOverload, RETRY_AFTER_S, UNSHED, type OverloadOptions } from './overload.js';
import { registerDashboard } from './routes/dashboard.js';
import { registerDocsRoutes } from './routes/docs.js';
import { registerFeedbackRoute } from './routes/feedback.js';
import { registerAliasAdminRoute } from './routes/alias-admin.js';
import { registerProtocolRoutes } from './routes/protocols.js';
import { READ_PREFIXES, registerReadRoutes } from './routes/read/index.js';
import { predictions, sentLater, type PredictionSink } from './predict.js';
import { ServedModels, type ServedVersion } from './served-models.js';
import { TurnEnd } from './turn-end.js';
import type { ValidationOptions } from '../pipeline/validate-rows.js';

/** Overload limits (maxEventLoopDelayMs, maxInFlight, maxEventLoopUtilization) come from OverloadOptions. */
export interface ServerOptions extends OverloadOptions {
  store: Store;
  /** Model references to serve; none: every model with a production alias. Their deployments' references are served too; nothing else is. */
  refs?: readonly string[];
  /** Also answer any name@alias or name/N in the store, not only what is served (development only; `serve --any-version`). */
  anyVersion?: boolean;
  /** Predict and feedback need no API key even once keys exist (`serve --no-auth`); admin routes still need an admin key. */
  noAuth?: boolean;
  /** A PostgreSQL store's URI to LISTEN on: changes reload at once rather than at the next poll. */
  listen?: string;
  /** How often aliases are re-resolved for hot reload (ms); 0 turns polling off. */
  reloadMs?: number;
  /** Largest request body in bytes (413 above it). */
  bodyLimit?: number;
  /** Rows per batch request at most. */
  maxRows?: number;
  /** How long a reference the registry doesn't know is answered 404 without asking the store again (ms, default 1000; a reload forgets them all). */
  unknownModelMs?: number;
  validation?: ValidationOptions;
  log?: PredictionSink;
  /** The scheduled monitor's latest passes, shown on /metrics. */
  monitor?: { gauges(): readonly MonitorGauges[] };
  /** Serve no models: only the dashboard, its read APIs and the admin routes (`hyperplane ui`). */
  serveModels?: boolean;
  /** Serve the dashboard at /ui/ (default true; where it is built: dist/ui). */
  dashboard?: boolean;
  /** Fastify's pino logger (off in tests). */
  logger?: boolean;
  logLevel?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** A JSON body as it came, so a single row is logged without encoding it again ('' for other bodies). */
    jsonText: string;
    /** The API key the request was verified with, if it presented one that was checked. */
    apiKey: ApiKey | undefined;
  }
}

export type { Answered, PredictionSink } from './predict.js';

export interface Server {
  app: FastifyInstance;
  models: ServedModels;
  /** Re-resolves aliases now (the poll does it every reloadMs). */
  reload(): Promise<void>;
  /** Stops polling and closes the listener, letting requests in flight finish. */
  close(): Promise<void>;
  /** Resolves once every answer sent so far has its records with the log (some are made a turn or two after the answer): a shutdown's flush waits for it. */
  logged(): Promise<void>;
  /**
   * Before close(): stops accepting connections, answers what still comes on the open ones (each
   * answer closing its connection; /readyz answers 503), until the clients have closed them or `graceMs`
   * passes. close() then ends the rest.
   */
  drain(graceMs: number): Promise<void>;
}

/**
 * The HTTP server: predictions by model reference, feedback, health, readiness and Prometheus
 * metrics. Every bad input gets a 4xx naming what is wrong; nothing a client sends crashes it.
 */
export async function buildServer(options: ServerOptions): Promise<Server> {
  const { store } = options;
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  const models = new ServedModels(store, options.validation ?? { extraFields: 'ignore' });
  const app = Fastify({ logger: options.logger === true ? { level: options.logLevel ?? 'warn' } : false, bodyLimit: options.bodyLimit ?? 16 * 1024 * 1024, return503OnClosing: true });
  const metrics = new ServeMetrics();
  const monitor = options.monitor;
  if (monitor !== undefined) metrics.watchMonitor(() => monitor.gauges());

  // The OpenAPI document is built from each route's doc. Its schemas are generated from the zod schemas the
  // routes validate with (schemas/), so the two can't drift; the routes validate themselves (every problem
  // listed in Hyperplane's own 400 format), so Fastify's validation is off.
  await app.register(swagger, {
    openapi: {
      info: { title: 'Hyperplane serving API', version: '1' },
      components: { schemas: componentSchemas(maxRows), securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'A key from `hyperplane keys create`; needed once any key has been created, even if all are revoked (admin routes: always; `serve --no-auth` opens predict and feedback). `X-API-Key` works too.' } } },
    },
    // Responses are documented here only: a response schema on the route itself would also drive (and could drop fields from) serialization.
    transform: ({ schema, url, route }) => {
      const doc = ROUTE_DOCS[`${String(Array.isArray(route.method) ? route.method[0] : route.method)} ${route.url}`];
      // The success answer has its schema; every error answer is an Error.
      const content = (code: string): object => (code.startsWith('2') ? { [doc!.okType ?? 'application/json']: { schema: doc!.ok } } : { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } });
      // Any route can fail unexpectedly: that 500 is an Error too.
      const codes = doc === undefined ? undefined : { ...doc.responses, '500': doc.responses['500'] ?? 'The server could not answer; it is logged' };
      const response = codes === undefined ? undefined : Object.fromEntries(Object.entries(codes).map(([code, description]) => [code, { description, content: content(code) }]));
      return { schema: { ...schema, ...(response !== undefined ? { response } : {}) } as typeof schema, url };
    },
  });
  app.setValidatorCompiler(() => () => true);
  app.addHook('onRoute', (route) => {
    const method = Array.isArray(route.method) ? route.method[0] : route.method;
    const doc = ROUTE_DOCS[`${String(method)} ${route.url}`];
    if (doc === undefined) {
      route.schema = { ...route.schema, hide: true };
      return;
    }
    route.schema = { summary: doc.summary, description: doc.description, tags: doc.tags, ...(doc.body !== undefined ? { body: doc.body } : {}), ...(doc.query !== undefined ? { querystring: doc.query } : {}), ...(doc.scope !== undefined ? { security: [{ apiKey: [] }] } : {}) };
  });

  await registerOverload(app, options, metrics);

  // JSON bodies keep their text: a one-row request is logged as it came, not encoded a second time.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.decorateRequest('jsonText', '');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, text, done) => {
    const json = String(text);
    request.jsonText = json;
    if (nestedDeeperThan(json)) return done(Object.assign(new Error(`the body nests arrays or objects more than ${MAX_BODY_DEPTH} levels deep`), { statusCode: 400 }), undefined);
    parseJson(request, json, (error, value) => done(error === null || error === undefined ? null : (forbiddenKeyError(json) ?? error), value));
  });

  app.setErrorHandler((error: FastifyError, _request, reply) => {
    // Fastify's own: malformed JSON, a body over the limit, an unsupported content type.
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      const kind = error.statusCode === 413 ? 'body too large' : error.statusCode === 415 ? 'unsupported media type' : 'bad request';
      return fail(reply, error.statusCode, kind, error.statusCode === 413 ? `the body is over the ${options.bodyLimit ?? 16 * 1024 * 1024} byte limit` : error.message);
    }
    if (isHyperplaneError(error)) return fail(reply, 400, 'bad request', error.message);
    app.log.error(error);
    return fail(reply, 500, 'internal error', 'the server could not answer this request; it is logged');
  });
  app.setNotFoundHandler((request, reply) => fail(reply, 404, 'not found', `no route ${request.method} ${request.url}`));

  // Scopes by route: predicting, feedback, and admin (reload); health, readiness and metrics are open.
  const keys = new KeyCheck(store.apiKeys, store.audit, options.noAuth === true);
  app.decorateRequest('apiKey', undefined);
  await keys.refresh();
  const scopeOf = (route: string): ApiScope | undefined =>
    route.startsWith('/v1/admin/') ? 'admin' : route.startsWith('/v1/feedback') ? 'feedback' : route.startsWith('/v1/models/') || route.startsWith('/v2/models/') || route.startsWith('/invocations') ? 'predict' : READ_PREFIXES.some((p) => route.startsWith(p)) ? 'read' : undefined;
  /** The key check, as each scoped route's own onRequest hook: no per-request route lookup (Fastify's routeOptions builds an object each read) or scope match. */
  const checkKey =
    (scope: ApiScope): onRequestHookHandler =>
    (request, reply, done) => {
      const answer = (result: AuthResult): void => {
        if (result.ok) {
          request.apiKey = result.key;
          return done();
        }
        metrics.counted(scope, result.status);
        void fail(reply, result.status, result.status === 401 ? 'unauthorized' : 'forbidden', result.message);
      };
      const result = keys.check(request.headers, scope);
      if (result instanceof Promise) result.then(answer, (e: unknown) => done(e instanceof Error ? e : new Error(String(e))));
      else answer(result);
    };
  // By the route's pattern, never the raw URL: the router decodes '/v1/%61dmin/reload' to the admin route.
  // Routes carry no onRequest hooks of their own, so the check runs where the global hook did: after overload's.
  app.addHook('onRoute', (route) => {
    const scope = scopeOf(route.url);
    if (scope === undefined) return;
    const own = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
    route.onRequest = [...own, checkKey(scope)];
  });

  /**
   * References the registry said it doesn't have, remembered for a second (and until the next reload):
   * a flood of requests for a wrong name would otherwise query the store for each one.
   */
  const unknown = new Map<string, { message: string; until: number }>();
  const servedSet = new ServedSet(options.refs ?? [], options.anyVersion === true);
  /** Why a reference is not answered: the registry's detail (its aliases, its versions) only for an admin key. */
  const notServed = (reply: FastifyReply, ref: string, detail: string): FastifyReply => {
    const admin = reply.request.apiKey?.scopes.includes('admin') === true;
    return fail(reply, 404, 'unknown model', `model '${ref}' is not served here${admin ? `: ${detail}` : ''}`);
  };
  const servesNone = options.serveModels === false;
  function admits(ref: string, reply: FastifyReply): boolean {
    if (servesNone) {
      notServed(reply, ref, 'this server (hyperplane ui) serves no models');
      return false;
    }
    if (servedSet.serves(ref)) return true;
    notServed(reply, ref, `this server serves ${servedSet.describe()}`);
    return false;
  }
  async function served(ref: string, reply: FastifyReply): Promise<ServedVersion | undefined> {
    if (!admits(ref, reply)) return undefined;
    const ready = models.get(ref);
    if (ready !== undefined) return ready;
    const known = unknown.get(ref);
    if (known !== undefined && known.until > Date.now()) {
      notServed(reply, ref, known.message);
      return undefined;
    }
    try {
      return await models.add(ref);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (!isHyperplaneError(e)) {
        // The store failed, not the name: worth a retry, and not remembered.
        app.log.error({ ref }, message);
        storeUnavailable(reply, message);
        return undefined;
      }
      if (unknown.size >= 10_000) unknown.clear();
      unknown.set(ref, { message, until: Date.now() + (options.unknownModelMs ?? 1000) });
      notServed(reply, ref, message);
      return undefined;
    }
  }

  // Deployments by name: a request for a deployment's name is routed by its policy.
  // Only the deployments this server serves: those of its models (every one when it was given no references).
  const policies = new Map<string, { spec: string; policy: Policy }>();
  /** The last error loading each deployment's policy (logged once; shown to admins in /readyz). */
  const deploymentErrors = new Map<string, string>();
  async function loadDeployments(): Promise<void> {
    const seen = new Set<string>();
    for (const d of await store.deployments.list()) {
      if (!servedSet.servesDeployment(d.name)) continue;
      seen.add(d.name);
      const text = JSON.stringify(d.policy);
      let entry = policies.get(d.name);
      try {
        if (entry?.spec !== text) {
          const next = { spec: text, policy: policyFrom(policySpecOf(d.name, d.policy)) };
          // Every version loads before the policy serves: one that fails keeps the previous policy serving, as a reload does.
          for (const ref of next.policy.refs) await models.add(ref);
          entry = next;
          policies.set(d.name, entry);
        }
        if (entry.policy.observe !== undefined) entry.policy.observe(await store.feedback.rewards(d.name));
        deploymentErrors.delete(d.name);
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        if (deploymentErrors.get(d.name) !== message) app.log.error({ deployment: d.name }, `${message}${entry !== undefined ? '; the previous policy keeps serving' : ''}`);
        deploymentErrors.set(d.name, message);
      }
    }
    for (const name of [...policies.keys()]) if (!seen.has(name)) policies.delete(name);
    for (const name of [...deploymentErrors.keys()]) if (!seen.has(name)) deploymentErrors.delete(name);
    servedSet.setDeploymentRefs([...policies.values()].flatMap((p) => p.policy.refs));
  }


  const turnEnd = new TurnEnd(
    (e) => app.log.error(e instanceof Error ? e.message : String(e)),
    // The journal's one write for the turn's records, before any of the turn's answers is written.
    options.log?.commit !== undefined ? () => options.log!.commit!() : undefined,
  );
  const { answerRows, predict, respond, logged } = predictions({ models, policies, admits, served, metrics, log: options.log, maxRows, shadowFailed: (ref, message) => app.log.error({ shadow: ref }, message), turnEnd });

  app.post<{ Params: { model: string } }>('/v1/models/:model/predict', (request, reply) => sentLater(predict(decodedOnce(request.params.model), request, reply, 'predict')));
  app.post<{ Params: { model: string; version: string } }>('/v1/models/:model/versions/:version/predict', (request, reply) => {
    if (!/^[1-9]\d*$/.test(request.params.version)) return fail(reply, 400, 'bad request', `version '${request.params.version}': expected a version number`);
    return sentLater(predict(`${request.params.model}/${request.params.version}`, request, reply, 'predict'));
  });

  // A model's input and output schema, through the same served-set and 404 rules as predicting; a deployment's name answers its first arm's.
  const schemaOf = async (ref: string, reply: FastifyReply): Promise<unknown> => {
    const deployment = ref.includes('@') || ref.includes('/') ? undefined : policies.get(ref);
    const model = await served(deployment?.policy.refs[0] ?? ref, reply);
    return model === undefined ? reply : modelSchema(model);
  };
  app.get<{ Params: { model: string } }>('/v1/models/:model', (request, reply) => schemaOf(decodedOnce(request.params.model), reply));
  app.get<{ Params: { model: string; version: string } }>('/v1/models/:model/versions/:version', (request, reply) => {
    if (!/^[1-9]\d*$/.test(request.params.version)) return fail(reply, 400, 'bad request', `version '${request.params.version}': expected a version number`);
    return schemaOf(`${request.params.model}/${request.params.version}`, reply);
  });

  const drain = new Drain(app.server);
  /** The one readiness /readyz and /v2/health/ready both answer: every served reference has a version loaded, at least one does, and no drain has begun. */
  const ready = (): boolean => (servesNone || (models.ready && models.status().length > 0)) && !drain.active;
  registerProtocolRoutes(app, { models, served, admits, ready, answerRows, respond });

  registerReadRoutes(app, { store, unshipped: () => options.log?.unshipped?.() });
  registerFeedbackRoute(app, { store, unshipped: () => options.log?.unshipped?.(), logged: options.log !== undefined, counted: (status) => metrics.counted('feedback', status) });

  registerAliasAdminRoute(app, { store, check: (ref) => models.check(ref), reload: () => reload() });

  app.post('/v1/admin/reload', async () => {
    await reload();
    return { models: models.status() };
  });

  // The same checks as `hyperplane deploy` (one schema), then every version must load here before the deployment is stored.
  app.put<{ Params: { name: string }; Body: { policy?: JsonValue } | null }>('/v1/admin/deployments/:name', async (request, reply) => {
    try {
      return await putDeployment(request, reply);
    } catch (e) {
      // A store that can't be read or written now is worth a retry, not a 500; the deployment is not changed.
      if (isHyperplaneError(e)) throw e;
      app.log.error(e);
      return storeUnavailable(reply, e instanceof Error ? e.message : String(e), 'read or written');
    }
  });
  async function putDeployment(request: FastifyRequest<{ Params: { name: string }; Body: { policy?: JsonValue } | null }>, reply: FastifyReply): Promise<unknown> {
    const body = request.body;
    const { name, spec } = checkDeployment(request.params.name, body !== null && typeof body === 'object' && !Array.isArray(body) ? body.policy : undefined);
    await resolveDeployment(store.registry, spec);
    // abstainBelow: classifiers only, refused naming the regression version.
    await checkAbstention(store, spec);
    for (const { ref, field } of refsOf(spec)) {
      try {
        await models.check(ref);
      } catch (e) {
        if (!isHyperplaneError(e)) throw e;
        return fail(reply, 400, 'bad request', `field '${field}': '${ref}' does not load, so the deployment is not changed: ${e.message}`);
      }
    }
    await store.deployments.put(name, spec as unknown as JsonValue, { actor: actorOf(request.apiKey) });
    await reload();
    return { deployment: name, policy: spec };
  }

  // The audit trail (who moved an alias, changed a deployment, made or revoked a key), newest first.
  app.get<{ Querystring: Record<string, string | undefined> }>('/v1/admin/audit', async (request) => ({ entries: await store.audit.list(auditQuery(request.query)) }));

  app.get('/healthz', UNSHED, async () => ({ status: 'ok' }));
  // Anyone may ask whether the server is ready; what it serves, its versions and errors are for an admin key.
  app.get('/readyz', UNSHED, async (request, reply) => {
    const isReady = ready();
    const answer = { ready: isReady, ...(drain.active ? { draining: true } : {}) };
    // A key that can't be checked now (the store is down) only hides the details: readiness is still answered.
    const admin = request.headers['authorization'] !== undefined || request.headers['x-api-key'] !== undefined ? await Promise.resolve(keys.check(request.headers, 'admin')).catch(() => undefined) : undefined;
    if (admin?.ok !== true) return reply.code(isReady ? 200 : 503).send(answer);
    const deployments = [...deploymentErrors].map(([deployment, error]) => ({ deployment, error }));
    return reply.code(isReady ? 200 : 503).send({ ...answer, models: models.status(), ...(deployments.length > 0 ? { deployments } : {}), ...(options.log?.stats !== undefined ? { predictionLog: options.log.stats() } : {}) });
  });
  app.get('/metrics', UNSHED, async (_request, reply) => {
    const { contentType, body } = await metrics.text();
    return reply.type(contentType).send(body);
  });
  await registerDocsRoutes(app, models);
  if (options.dashboard !== false) await registerDashboard(app);

  if (!servesNone) {
    await models.start(options.refs ?? []);
    await loadDeployments();
  }
  for (const s of models.status()) if (s.error !== null) app.log.error({ ref: s.ref }, s.error);
  const reloadMs = options.reloadMs ?? 2000;
  const reload = async (): Promise<void> => {
    unknown.clear();
    await keys.refresh();
    if (servesNone) return;
    // With no references given, a model whose production alias was set since is served from now on.
    if ((options.refs ?? []).length === 0) await models.start([]);
    await loadDeployments();
    const { changed, failed } = await models.reload();
    if (changed.length > 0) app.log.info({ changed }, 'new versions swapped in');
    // The old version keeps serving; the failure is logged once and shown in /readyz.
    for (const f of failed) app.log.error({ ref: f.ref }, `reload failed, still serving the previous version: ${f.error}`);
  };
  const timer = reloadMs > 0 ? setInterval(() => void reload().catch((e: unknown) => app.log.error(e)), reloadMs).unref() : undefined;
  // A burst of changes (an alias move, then a deployment) reloads once, shortly after the last.
  let pending: NodeJS.Timeout | undefined;
  const stopListening =
    options.listen === undefined
      ? undefined
      : await (await import('../store/index.js')).listenForChanges(
          options.listen,
          () => {
            if (pending !== undefined) clearTimeout(pending);
            pending = setTimeout(() => void reload().catch((e: unknown) => app.log.error(e)), 20);
          },
          (e) => app.log.warn(`lost the PostgreSQL change notifications (${e.message}); polling goes on`),
        );
  return {
    app,
    models,
    reload,
    logged,
    drain: (graceMs) => drain.start(graceMs),
    close: async () => {
      if (timer !== undefined) clearInterval(timer);
      if (pending !== undefined) clearTimeout(pending);
      await stopListening?.();
      await app.close();
    },
  };
}

/**
 * The parser refuses `__proto__` keys (and `constructor` holding `prototype`): they could reach an
 * object's prototype. Its error says only "not valid JSON"; valid JSON refused for that names the field.
 */
function forbiddenKeyError(json: string): HyperplaneError | undefined {
  try {
    JSON.parse(json);
  } catch {
    return undefined;
  }
  const field = /"__proto__"\s*:/.test(json) ? '__proto__' : 'constructor';
  return new HyperplaneError(`a key named '${field}' is not accepted (it could change an object's prototype): rename the field`, { field });
}

/** A path parameter decoded once more (`cancer%40staging` as sent encoded twice); one that doesn't decode (a lone '%') is taken as it is. */
function decodedOnce(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** 503 with Retry-After: the store could not be read or written just now. */
function storeUnavailable(reply: FastifyReply, message: string, access: 'read' | 'read or written' = 'read'): FastifyReply {
  void reply.header('retry-after', String(RETRY_AFTER_S));
  return fail(reply, 503, 'unavailable', `the model store could not be ${access} (${message}): retry after ${RETRY_AFTER_S} s`);
}
