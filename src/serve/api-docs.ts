/** What each route is, for the OpenAPI document (`/openapi.json`), `/docs` and docs/api.md. */
export interface RouteDoc {
  summary: string;
  description: string;
  tags: string[];
  /** The scope an API key needs, once keys exist (admin routes always need one). */
  scope?: 'predict' | 'feedback' | 'admin';
  body?: object;
  /** The success answer's schema (JSON unless okType says otherwise). */
  ok: object;
  okType?: string;
  responses: Record<string, string>;
}

/** A reference to one of `SCHEMAS` (the OpenAPI document's components.schemas). */
const ref = (name: keyof typeof SCHEMAS | string): { $ref: string } => ({ $ref: `#/components/schemas/${name}` });

const row = { type: 'object', description: 'One row: field name → value (number, string, boolean or null). A missing field is predicted as missing.', additionalProperties: true };
const tensor = { type: 'object', required: ['name', 'shape', 'datatype', 'data'], properties: { name: { type: 'string' }, shape: { type: 'array', items: { type: 'integer' } }, datatype: { type: 'string' }, data: { type: 'array' } } };
const problem = { type: 'object', required: ['field', 'problem', 'expected'], properties: { field: { type: 'string', description: 'The field (or `rows[i].field`, `inputs[i]`, …) that is wrong' }, problem: { type: 'string' }, expected: { type: 'string' }, row: { type: 'integer', description: 'The row, in a batch' } } };
const prediction = {
  type: 'object',
  required: ['id', 'prediction', 'model', 'version'],
  properties: {
    id: { type: 'string', description: 'The prediction id: send feedback with it' },
    prediction: { description: 'The class label, or the value', oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'null' }] },
    probabilities: { type: 'object', description: 'Class label → probability (classification only)', additionalProperties: { type: 'number' } },
    notes: { type: 'array', description: 'What was noted about the row (e.g. a field the model does not read)', items: { type: 'string' } },
    model: { type: 'string' },
    version: { type: 'integer' },
    arm: { type: 'string', description: "The deployment arm that answered, for a deployment's name" },
    ms: { type: 'number', description: 'Time to answer, in milliseconds' },
  },
};

/** The named schemas of the OpenAPI document (components.schemas), referenced by the routes' docs. */
export const SCHEMAS: Record<string, object> = {
  Row: row,
  PredictRequest: { type: 'object', description: 'One row, or a batch `{rows}`', oneOf: [ref('Row'), { type: 'object', required: ['rows'], properties: { rows: { type: 'array', items: ref('Row'), maxItems: 10_000 } } }] },
  Prediction: { ...prediction, description: 'The answer for one row' },
  Predictions: {
    type: 'object',
    description: 'The answer for `{rows}`: one prediction per row, in order',
    required: ['model', 'version', 'predictions'],
    properties: { model: { type: 'string' }, version: { type: 'integer' }, arm: { type: 'string' }, predictions: { type: 'array', items: { type: 'object', properties: { id: prediction.properties.id, prediction: prediction.properties.prediction, probabilities: prediction.properties.probabilities, notes: prediction.properties.notes } } }, ms: { type: 'number' } },
  },
  PredictAnswer: { description: 'A `Prediction` for one row, `Predictions` for `{rows}`', oneOf: [ref('Prediction'), ref('Predictions')], type: 'object' },
  ModelSchema: {
    type: 'object',
    description: "What a model takes and gives: its signature, and one row as a JSON Schema",
    required: ['name', 'version', 'inputs', 'output', 'input_schema'],
    properties: {
      name: { type: 'string' },
      version: { type: 'integer' },
      inputs: { type: 'array', items: { type: 'object', required: ['name', 'type'], properties: { name: { type: 'string' }, type: { type: 'string', enum: ['numeric', 'binary', 'categorical', 'text', 'datetime', 'id', 'constant'], description: 'The type at training' } } } },
      output: { type: 'object', required: ['name', 'task'], properties: { name: { type: 'string' }, task: { type: 'string' }, labels: { type: 'array', items: { type: 'string' } } } },
      input_schema: { type: 'object', description: 'A JSON Schema of one row' },
    },
  },
  FeedbackItem: { type: 'object', required: ['id', 'outcome'], properties: { id: { type: 'string', description: 'The prediction id' }, outcome: { description: 'The true label or value (at most 4096 bytes as JSON), or `{reward: 0..1}`' } } },
  FeedbackRequest: { description: 'One item, a list of at most 1000, or `{feedback: [...]}`', oneOf: [ref('FeedbackItem'), { type: 'array', items: ref('FeedbackItem'), maxItems: 1000 }, { type: 'object', required: ['feedback'], properties: { feedback: { type: 'array', items: ref('FeedbackItem'), maxItems: 1000 } } }] },
  FeedbackResult: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['accepted', 'unknown id', 'invalid'] }, field: { type: 'string' }, problem: { type: 'string' } } },
  FeedbackAnswer: { type: 'object', required: ['accepted', 'results'], properties: { accepted: { type: 'integer' }, results: { type: 'array', description: 'One per item, in order', items: ref('FeedbackResult') } } },
  InferRequest: { type: 'object', required: ['inputs'], properties: { id: { type: 'string' }, inputs: { type: 'array', items: tensor } } },
  InferResponse: { type: 'object', required: ['model_name', 'outputs'], properties: { model_name: { type: 'string' }, model_version: { type: 'string' }, id: { type: 'string' }, outputs: { type: 'array', items: tensor } } },
  ModelMetadata: { type: 'object', required: ['name', 'versions', 'platform', 'inputs', 'outputs'], properties: { name: { type: 'string' }, versions: { type: 'array', items: { type: 'string' } }, platform: { type: 'string' }, inputs: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, datatype: { type: 'string' }, shape: { type: 'array', items: { type: 'integer' } } } } }, outputs: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, datatype: { type: 'string' }, shape: { type: 'array', items: { type: 'integer' } } } } } } },
  MlflowRequest: { type: 'object', description: '`{dataframe_split: {columns, data}}` or `{dataframe_records: [...]}`', properties: { dataframe_split: { type: 'object', properties: { columns: { type: 'array', items: { type: 'string' } }, data: { type: 'array', items: { type: 'array' } } } }, dataframe_records: { type: 'array', items: ref('Row') } } },
  MlflowResponse: { type: 'object', required: ['predictions'], properties: { predictions: { type: 'array', description: 'The value, or `{prediction, <label>: probability…, id}` for a classifier' } } },
  Error: { type: 'object', required: ['error', 'message'], description: 'Every error answer', properties: { error: { type: 'string', description: 'The kind, e.g. `invalid input`, `unknown model`, `unauthorized`' }, message: { type: 'string' }, problems: { type: 'array', items: problem } } },
  Status: { type: 'object', description: 'A JSON answer (its fields are described with the route)', additionalProperties: true },
};

const predictBody = ref('PredictRequest');
const bad = 'Invalid input: `{error, message, problems: [{field, problem, expected, row?}]}`';
const auth = { '401': 'No API key, or an unknown, revoked or expired one (once any key has been made)', '403': "The key lacks the route's scope" };
const unavailable = 'Overloaded, or the model store could not be read (with Retry-After)';
export const ROUTE_DOCS: Record<string, RouteDoc> = {
  'POST /v1/models/:model/predict': {
    summary: 'Predict with a model, an alias or a deployment',
    description:
      '`model` is `NAME` (its deployment policy if it has one, else `NAME@production`) or `NAME@ALIAS`. Answers `{id, prediction, probabilities, model, version, arm?, notes?, ms}` for one row, or `{model, version, predictions: [...], ms}` for `{rows}`. `id` is the prediction id to send feedback with. `X-Request-Key` makes a split sticky; `X-Request-Id` is logged with the prediction.',
    tags: ['predict'], ok: ref('PredictAnswer'),
    scope: 'predict',
    body: predictBody,
    responses: { '200': 'Predictions', '400': bad, '404': 'No such model, alias or version', '413': 'Body or row count over the limit', '503': unavailable, ...auth },
  },
  'POST /v1/models/:model/versions/:version/predict': {
    summary: 'Predict with one version',
    description: 'As the route above, with the version fixed.',
    tags: ['predict'], ok: ref('PredictAnswer'),
    scope: 'predict',
    body: predictBody,
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
    description: 'KServe v2 / Triton / MLServer requests: one tensor per input column (shape `[n]`), or one `[n, d]` tensor with the columns in the order of the model metadata. Outputs `prediction`, `probabilities` (`[n, k]`) and `prediction_id`.',
    tags: ['v2'], ok: ref('InferResponse'),
    scope: 'predict',
    body: ref('InferRequest'),
    responses: { '200': 'Output tensors', '400': bad, '404': 'No such model', ...auth },
  },
  'POST /v2/models/:model/versions/:version/infer': { summary: 'Open Inference Protocol: infer with one version', description: 'As above, with the version fixed.', tags: ['v2'], ok: ref('InferResponse'), body: ref('InferRequest'), scope: 'predict', responses: { '200': 'Output tensors', '400': bad, ...auth } },
  'GET /v2/models/:model': { summary: 'Open Inference Protocol: model metadata', description: 'Name, version, and the input and output tensors.', tags: ['v2'], ok: ref('ModelMetadata'), scope: 'predict', responses: { '200': 'Metadata', '404': 'No such model' } },
  'GET /v2/models/:model/ready': { summary: 'Open Inference Protocol: model ready', description: '200 when the model is loaded.', tags: ['v2'], ok: { type: 'object', properties: { name: { type: 'string' }, ready: { type: 'boolean' } } }, scope: 'predict', responses: { '200': 'Ready', '404': 'Not loaded' } },
  'GET /v2/health/live': { summary: 'Open Inference Protocol: live', description: 'The process answers.', tags: ['v2', 'health'], ok: { type: 'object', properties: { live: { type: 'boolean' } } }, responses: { '200': '`{live: true}`' } },
  'GET /v2/health/ready': { summary: 'Open Inference Protocol: ready', description: 'Every served model is loaded.', tags: ['v2', 'health'], ok: { type: 'object', properties: { ready: { type: 'boolean' } } }, responses: { '200': 'Ready', '503': 'Not yet' } },
  'POST /invocations': {
    summary: "MLflow's scoring route",
    description: '`{dataframe_split: {columns, data}}` or `{dataframe_records: [...]}`; answers `{predictions: [...]}`. Serves the one model the server serves, or `?model=NAME`.',
    tags: ['mlflow'], ok: ref('MlflowResponse'),
    scope: 'predict',
    body: ref('MlflowRequest'),
    responses: { '200': 'Predictions', '400': bad, ...auth },
  },
  'POST /v1/admin/reload': { summary: 'Reload now', description: 'Re-reads aliases, deployments and keys, as the poll does every 2 s.', tags: ['admin'], ok: { type: 'object', properties: { models: { type: 'array', items: { type: 'object', additionalProperties: true } } } }, scope: 'admin', responses: { '200': "Each served reference's version and error", ...auth } },
  'PUT /v1/admin/deployments/:name': { summary: "Set a deployment's traffic policy", description: 'Body `{policy}`, checked by the schema `hyperplane deploy` uses: `{kind: "fixed", ref}`, `{kind: "split", arms: [{ref, weight}]}` (weights above 0, at most 1,000,000), `{kind: "shadow", ref, shadow}` or `{kind: "bandit", arms: [versions]}`; refs are `name@alias` or `name/N` and must resolve, and every version must load before the deployment is stored.', tags: ['admin'], ok: { type: 'object', properties: { deployment: { type: 'string' }, policy: { type: 'object' } } }, scope: 'admin', body: { type: 'object', required: ['policy'] }, responses: { '200': 'The deployment', '400': 'Not a policy, a ref that does not resolve or load, or a bad name: the field is named and nothing changes', '503': unavailable, ...auth } },
  'GET /v1/admin/audit': { summary: 'The audit trail', description: 'Who moved an alias, deleted a version or model, changed a deployment, or made, revoked or deleted a key: `{entries: [{id, at, actor, action, target, before, after}]}`, newest first. The CLI records `cli:<os user>`, the server `key:<key name>`. Filters: `actor`, `action` (e.g. `alias.set`), `target`, `since` and `until` (epoch ms), `before` (the last id of the previous page), `limit` (100 by default, at most 10,000).', tags: ['admin'], ok: { type: 'object', properties: { entries: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, at: { type: 'integer' }, actor: { type: 'string' }, action: { type: 'string' }, target: { type: 'string' }, before: {}, after: {} } } } } }, scope: 'admin', responses: { '200': 'The entries', '400': 'An unknown parameter or a malformed number', ...auth } },
  'GET /healthz': { summary: 'Liveness', description: 'The process answers.', tags: ['health'], ok: { type: 'object', properties: { status: { type: 'string' } } }, responses: { '200': '`{status: "ok"}`' } },
  'GET /readyz': { summary: 'Readiness', description: "`{ready}` for anyone (the same readiness as `/v2/health/ready`). With an admin key, also every served reference with its version, load time and last reload error (the previous version keeps serving), deployments that failed to load, and the prediction log's state.", tags: ['health'], ok: { type: 'object', properties: { ready: { type: 'boolean' }, draining: { type: 'boolean' }, models: { type: 'array', items: { type: 'object', additionalProperties: true } } } }, responses: { '200': 'Ready', '503': 'A model is not loaded' } },
  'GET /metrics': { summary: 'Prometheus metrics', description: 'Requests, latency histograms and rows by route, model and version; overload refusals.', tags: ['health'], ok: { type: 'string' }, okType: 'text/plain', responses: { '200': 'Prometheus text' } },
};

type SchemaRef = { $ref?: string; type?: unknown };
/** A schema as a short name: the component it refers to, or its type. */
const schemaName = (schema: SchemaRef | undefined): string => (schema === undefined ? '' : schema.$ref !== undefined ? `\`${schema.$ref.replace('#/components/schemas/', '')}\`` : schema.type !== undefined ? `\`${String(schema.type)}\`` : 'JSON');

/** The API as Markdown, from the OpenAPI document: docs/api.md. */
export function apiMarkdown(spec: {
  info: { title: string; version: string };
  paths: Record<string, Record<string, { summary?: string; description?: string; requestBody?: { content?: Record<string, { schema?: SchemaRef }> }; responses?: Record<string, { description?: string; content?: Record<string, { schema?: SchemaRef }> }> }>>;
  components?: { schemas?: Record<string, object> };
}): string {
  const lines = [`# ${spec.info.title} ${spec.info.version}`, '', 'Generated from `/openapi.json` by `npm run api-docs`; do not edit. The server renders the same document at `/docs`.', ''];
  for (const [path, methods] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      lines.push(`## ${method.toUpperCase()} ${path}`, '', `**${op.summary ?? ''}**`, '', op.description ?? '', '');
      const body = Object.values(op.requestBody?.content ?? {})[0]?.schema;
      if (body !== undefined) lines.push(`Body: ${schemaName(body)}`, '');
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
