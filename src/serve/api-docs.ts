import { auditQueryDoc, ref } from './schemas/openapi.js';
import { RUNS_READ_DOCS } from './routes/read/runs-docs.js';
import { SERVING_READ_DOCS } from './routes/read/serving-docs.js';

/** What each route is, for the OpenAPI document (`/openapi.json`), `/docs` and docs/api.md. */
export interface RouteDoc {
  summary: string;
  description: string;
  tags: string[];
  /** The scope an API key needs, once keys exist (admin routes always need one). */
  scope?: 'predict' | 'feedback' | 'read' | 'admin';
  body?: object;
  /** The query parameters, as an object schema. */
  query?: object;
  /** The success answer's schema (JSON unless okType says otherwise). */
  ok: object;
  okType?: string;
  responses: Record<string, string>;
}

/** The named schemas: generated from the routes' zod schemas (schemas/openapi.ts). */
export { componentSchemas } from './schemas/openapi.js';

const predictBody = ref('PredictRequest');
/** `?explain=`: the driving factors each answer carries. */
const explainQuery = {
  type: 'object',
  properties: {
    explain: { type: 'string', pattern: '^([1-9][0-9]{0,3}|all)$', description: "Add each row's explanation: the top K columns by |contribution| to the margin, or all of them (linear, logistic, gbdt and forest models; a baseline gives its base only; a rules model the rule that fired)" },
    method: { type: 'string', enum: ['path-dependent', 'interventional'], description: "With explain: path-dependent TreeSHAP (the default), or interventional, against the package's background training rows" },
  },
};
const bad = 'Invalid input: `{error, message, problems: [{field, problem, expected, row?}]}`';
const auth = { '401': 'No API key, or an unknown, revoked or expired one (once any key has been made)', '403': "The key lacks the route's scope" };
const unavailable = 'Overloaded, or the model store could not be read (with Retry-After)';
export const ROUTE_DOCS: Record<string, RouteDoc> = {
  ...RUNS_READ_DOCS,
  ...SERVING_READ_DOCS,
  'POST /v1/models/:model/predict': {
    summary: 'Predict with a model, an alias or a deployment',
    description:
      '`model` is `NAME` (its deployment policy if it has one, else `NAME@production`) or `NAME@ALIAS`. Answers `{id, prediction, probabilities, model, version, arm?, notes?, ms}` for one row, or `{model, version, predictions: [...], ms}` for `{rows}`. `id` is the prediction id to send feedback with. A scorecard model\'s answers (each row of a batch too) always carry `score` (its integer score, the sum of the points), `points: [{characteristic, attribute, points}]` and `reasons: [{characteristic, attribute, pointsLost}]` (up to four adverse-action reason codes, the most points lost first), logged with the answer. `?explain=3` adds each row `explanation: {class, scale, base, margin, contributions: [{column, value, contribution, share, probabilityChange}]}`, logged with the answer. For a deployment with `abstainBelow` (a classifier), a row whose predicted class\'s probability is below it is answered as usual plus `abstained: true` and `reason`, logged with the answer. `X-Request-Key` makes a split sticky; `X-Request-Id` is logged with the prediction.',
    tags: ['predict'], ok: ref('PredictAnswer'),
    scope: 'predict',
    body: predictBody,
    query: explainQuery,
    responses: { '200': 'Predictions', '400': `${bad}; or an explain the model cannot give`, '404': 'No such model, alias or version', '413': 'Body or row count over the limit', '503': unavailable, ...auth },
  },
  'POST /v1/models/:model/versions/:version/predict': {
    summary: 'Predict with one version',
    description: 'As the route above, with the version fixed.',
    tags: ['predict'], ok: ref('PredictAnswer'),
    scope: 'predict',
    body: predictBody,
    query: explainQuery,
    responses: { '200': 'Predictions', '400': bad, '404': 'No such version', '413': 'Body or row count over the limit', '503': unavailable, ...auth },
  },
  'GET /v1/models/:model': {
    summary: "A model's input and output schema",
    description: '`model` as for predict (`NAME`, `NAME@ALIAS`; a deployment answers its first arm). Answers `{name, version, inputs: [{name, type}], output: {name, task, labels?}, input_schema}`: the signature v2 metadata gives as tensors, and one row as a JSON Schema. Only for what this server serves.',
    tags: ['predict'], ok: ref('ModelSchema'),
    scope: 'predict',
    responses: { '200': 'The schema', '404': 'Not served here', ...auth },
  },
  'GET /v1/models/:model/versions/:version': { summary: "One version's input and output schema", description: 'As the route above, with the version fixed.', tags: ['predict'], ok: ref('ModelSchema'), scope: 'predict', responses: { '200': 'The schema', '400': 'Not a version number', '404': 'Not served here', ...auth } },
  'POST /v1/feedback': {
    summary: 'The true outcome of predictions',
    description: '`{id, outcome}`, a list of at most 1000, or `{feedback: [...]}`. `outcome` is the true label or value (at most 4096 bytes as JSON), or `{reward: 0..1}`; a label is scored against the logged prediction as a reward, which bandit deployments learn from. Each item is answered `accepted`, `unknown id` or `invalid` with why; the same (id, outcome) again adds nothing.',
    tags: ['feedback'], ok: ref('FeedbackAnswer'),
    scope: 'feedback',
    body: ref('FeedbackRequest'),
    responses: { '202': '`{accepted: n, results: [{status, field?, problem?}]}`, one result per item', '400': 'No item accepted, one invalid: each problem listed', '404': 'No item accepted: every id unknown', '413': 'Over 1000 items', ...auth },
  },
  'POST /v2/models/:model/infer': {
    summary: 'Open Inference Protocol: infer',
    description: 'KServe v2 / Triton / MLServer requests: one tensor per input column (shape `[n]`), or one `[n, d]` tensor with the columns in the order of the model metadata. Outputs `prediction`, `probabilities` (`[n, k]`) and `prediction_id`; through a deployment with `abstainBelow`, also `abstained` (`[n]`, BOOL).',
    tags: ['v2'], ok: ref('InferResponse'),
    scope: 'predict',
    body: ref('InferRequest'),
    responses: { '200': 'Output tensors', '400': bad, '404': 'No such model', ...auth },
  },
  'POST /v2/models/:model/versions/:version/infer': { summary: 'Open Inference Protocol: infer with one version', description: 'As above, with the version fixed.', tags: ['v2'], ok: ref('InferResponse'), body: ref('InferRequest'), scope: 'predict', responses: { '200': 'Output tensors', '400': bad, ...auth } },
  'GET /v2/models/:model': { summary: 'Open Inference Protocol: model metadata', description: 'Name, version, and the input and output tensors.', tags: ['v2'], ok: ref('ModelMetadata'), scope: 'predict', responses: { '200': 'Metadata', '404': 'No such model' } },
  'GET /v2/models/:model/ready': { summary: 'Open Inference Protocol: model ready', description: '200 when the model is loaded.', tags: ['v2'], ok: ref('ModelReady'), scope: 'predict', responses: { '200': 'Ready', '404': 'Not loaded' } },
  'GET /v2/health/live': { summary: 'Open Inference Protocol: live', description: 'The process answers.', tags: ['v2', 'health'], ok: ref('Live'), responses: { '200': '`{live: true}`' } },
  'GET /v2/health/ready': { summary: 'Open Inference Protocol: ready', description: 'Every served model is loaded.', tags: ['v2', 'health'], ok: ref('Ready'), responses: { '200': 'Ready', '503': 'Not yet' } },
  'POST /invocations': {
    summary: "MLflow's scoring route",
    description: '`{dataframe_split: {columns, data}}` or `{dataframe_records: [...]}`; answers `{predictions: [...]}`. Serves the one model the server serves, or `?model=NAME`.',
    tags: ['mlflow'], ok: ref('MlflowResponse'),
    scope: 'predict',
    body: ref('MlflowRequest'),
    responses: { '200': 'Predictions', '400': bad, ...auth },
  },
  'POST /v1/admin/reload': { summary: 'Reload now', description: 'Re-reads aliases, deployments and keys, as the poll does every 2 s.', tags: ['admin'], ok: ref('ReloadAnswer'), scope: 'admin', responses: { '200': "Each served reference's version and error", ...auth } },
  'PUT /v1/admin/deployments/:name': { summary: "Set a deployment's traffic policy", description: 'Body `{policy}`, checked by the schema `hyperplane deploy` uses: `{kind: "fixed", ref}`, `{kind: "split", arms: [{ref, weight}]}` (weights above 0, at most 1,000,000), `{kind: "shadow", ref, shadow}` or `{kind: "bandit", arms: [versions]}`, each with an optional `abstainBelow` (0 < p ≤ 1: classifiers only; a regression version is refused); refs are `name@alias` or `name/N` and must resolve, and every version must load before the deployment is stored.', tags: ['admin'], ok: ref('DeploymentAnswer'), scope: 'admin', body: ref('DeploymentRequest'), responses: { '200': 'The deployment', '400': 'Not a policy, a ref that does not resolve or load, or a bad name: the field is named and nothing changes', '503': unavailable, ...auth } },
  'PUT /v1/admin/registry/models/:name/aliases/:alias': {
    summary: 'Move an alias (or roll it back)',
    description: 'Body `{version, expect?}`: points `NAME@ALIAS` at `version` (creating the alias if new). `expect` is the version the alias pointed at when the change was confirmed (null: nowhere); if it has moved since, nothing changes (409). The version must load and score a row here first, so a broken version never replaces the one serving. Answers the move `{model, alias, from, to, at}`; audited as `alias.set` with `key:<key name>`.',
    tags: ['admin'],
    ok: ref('AliasMove'),
    scope: 'admin',
    body: ref('AliasMoveRequest'),
    responses: { '200': 'The move', '400': 'Not a version, an unknown field, or a version that does not load here: nothing changes', '404': 'No such model or version', '409': 'The alias moved since `expect`: nothing changes', '503': unavailable, ...auth },
  },
  'GET /v1/admin/audit': { summary: 'The audit trail', description: 'Who moved an alias, deleted a version or model, changed a deployment, or made, revoked or deleted a key: `{entries: [{id, at, actor, action, target, before, after}]}`, newest first. The CLI records `cli:<os user>`, the server `key:<key name>`. Filters: `actor`, `action` (e.g. `alias.set`), `target`, `since` and `until` (epoch ms), `before` (the last id of the previous page), `limit` (100 by default, at most 10,000).', tags: ['admin'], ok: ref('AuditAnswer'), query: auditQueryDoc(), scope: 'admin', responses: { '200': 'The entries', '400': 'An unknown parameter or a malformed number', ...auth } },
  'GET /healthz': { summary: 'Liveness', description: 'The process answers.', tags: ['health'], ok: ref('Health'), responses: { '200': '`{status: "ok"}`' } },
  'GET /readyz': { summary: 'Readiness', description: "`{ready}` for anyone (the same readiness as `/v2/health/ready`). With an admin key, also every served reference with its version, load time and last reload error (the previous version keeps serving), deployments that failed to load, and the prediction log's state.", tags: ['health'], ok: ref('Readiness'), responses: { '200': 'Ready', '503': 'A model is not loaded' } },
  'GET /metrics': { summary: 'Prometheus metrics', description: 'Requests, latency histograms and rows by route, model and version; overload refusals.', tags: ['health'], ok: ref('Metrics'), okType: 'text/plain', responses: { '200': 'Prometheus text' } },
};

type SchemaRef = { $ref?: string; type?: unknown };
/** A schema as a short name: the component it refers to, or its type. */
const schemaName = (schema: SchemaRef | undefined): string => (schema === undefined ? '' : schema.$ref !== undefined ? `\`${schema.$ref.replace('#/components/schemas/', '')}\`` : schema.type !== undefined ? `\`${String(schema.type)}\`` : 'JSON');

/** The API as Markdown, from the OpenAPI document: docs/api.md. */
export function apiMarkdown(spec: {
  info: { title: string; version: string };
  paths: Record<string, Record<string, { summary?: string; description?: string; parameters?: { in: string; name: string }[]; requestBody?: { content?: Record<string, { schema?: SchemaRef }> }; responses?: Record<string, { description?: string; content?: Record<string, { schema?: SchemaRef }> }> }>>;
  components?: { schemas?: Record<string, object> };
}): string {
  const lines = [`# ${spec.info.title} ${spec.info.version}`, '', 'Generated from `/openapi.json` by `npm run api-docs`; do not edit. The server renders the same document at `/docs`.', ''];
  for (const [path, methods] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      lines.push(`## ${method.toUpperCase()} ${path}`, '', `**${op.summary ?? ''}**`, '', op.description ?? '', '');
      const body = Object.values(op.requestBody?.content ?? {})[0]?.schema;
      if (body !== undefined) lines.push(`Body: ${schemaName(body)}`, '');
      const query = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => `\`${p.name}\``);
      if (query.length > 0) lines.push(`Query: ${query.join(', ')}`, '');
      const codes = Object.entries(op.responses ?? {});
      if (codes.length > 0) {
        lines.push('| status | meaning | schema |', '|---|---|---|');
        for (const [code, r] of codes) lines.push(`| ${code} | ${(r.description ?? '').replace(/\|/g, '\\|')} | ${schemaName(Object.values(r.content ?? {})[0]?.schema)} |`);
        lines.push('');
      }
    }
  }
  // Not the served models' rows (Model_<name>_Input): they depend on what a server serves.
  const schemas = Object.entries(spec.components?.schemas ?? {}).filter(([name]) => !name.startsWith('Model_'));
  if (schemas.length > 0) {
    lines.push('## Schemas', '');
    for (const [name, schema] of schemas) lines.push(`### ${name}`, '', '```json', JSON.stringify(schema, null, 2), '```', '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
