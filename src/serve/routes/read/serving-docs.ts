import type { RouteDoc } from '../../api-docs.js';

/** The OpenAPI docs of the serving read routes ('GET /v1/...' → its doc), merged into ROUTE_DOCS. */
const auth = { '401': 'No API key, or an unknown, revoked or expired one (once any key has been made)', '403': 'The key lacks the `read` scope' };
const bad = 'A parameter it does not take, or a malformed one: `{error, message}`, the message naming the field';
const time = (what: string): object => ({ type: 'string', description: `${what}: a duration ago (7d, 12h, 30m), a UTC date (2027-01-31, 2027-01-31T12:00Z) or epoch milliseconds` });
const windowParam = { type: 'string', description: 'Window length: 1h by default; a minute or more (30m, 1h, 1d)' };
const obj = (properties: Record<string, object>, required: string[] = Object.keys(properties)): object => ({ type: 'object', properties, required });
const int = { type: 'integer' };
const num = { type: 'number' };
const str = { type: 'string' };
const nullable = (schema: object): object => ({ ...schema, nullable: true });
const json = { description: 'Any JSON value' };
const summary = { name: str, policy: json, updatedAt: int, refs: { type: 'array', items: str }, error: { type: 'string', description: "Set when the stored policy is not one this Hyperplane takes (the rest of the detail is then left out)" } };
const feedback = obj({ id: int, outcome: json, reward: nullable(num), timestamp: int });
const prediction = {
  id: str, model: str, version: int, arm: nullable(str), requestId: nullable(str), timestamp: int, latencyMs: num,
  input: json, output: json, explanation: json, feedback: nullable(feedback),
};
const predictionView = obj(prediction);

export const SERVING_READ_DOCS: Record<string, RouteDoc> = {
  'GET /v1/deployments': {
    summary: 'Deployments and their traffic policies',
    description: '`{deployments: [{name, policy, updatedAt, refs}]}`: each stored deployment, its policy (`fixed`, `split`, `shadow` or `bandit`) and every model reference it routes to, by name.',
    tags: ['read'], scope: 'read',
    ok: obj({ deployments: { type: 'array', items: obj(summary, ['name', 'policy', 'updatedAt', 'refs']) } }),
    responses: { '200': 'The deployments', '400': bad, ...auth },
  },
  'GET /v1/deployments/:name': {
    summary: 'One deployment: policy, traffic per arm, shadow agreement, bandit posteriors',
    description:
      "The policy with `traffic: {windows: [start ms], arms: [{arm, counts}]}`: the log's predictions per window for each arm of the policy now, a shadow's copies as `shadow` (windows aligned to multiples of `window`, empty ones 0; direct requests to a version carry no arm and are left out; the log keeps the arm, not the deployment, so two deployments routing to the same reference share its counts). A shadow policy adds `shadow: {compared, agreed, share, unmatched, truncated}`: of the shadow's copies in the range (logged with arm `shadow`), how many predicted what production answered for the same request (matched by X-Request-Id and the row read; each production answer once; at most 100,000 production answers are compared). A bandit adds `posteriors: [{arm, successes, failures, alpha, beta, mean, interval}]`: Beta(1 + successes, 1 + failures) per arm from every reward so far — what the policy routes by, not windowed — with its central 90% interval.",
    tags: ['read'], scope: 'read',
    query: { type: 'object', properties: { since: time('From (7d by default)'), until: time('To (now by default)'), window: windowParam } },
    ok: obj(
      {
        ...summary, since: int, until: int, windowMs: int,
        traffic: obj({ windows: { type: 'array', items: int }, arms: { type: 'array', items: obj({ arm: str, counts: { type: 'array', items: int } }) } }),
        shadow: obj({ compared: int, agreed: int, share: nullable(num), unmatched: int, truncated: { type: 'boolean' } }),
        posteriors: { type: 'array', items: obj({ arm: str, successes: num, failures: num, alpha: num, beta: num, mean: num, interval: { type: 'array', items: num, minItems: 2, maxItems: 2 } }) },
      },
      ['name', 'policy', 'updatedAt', 'refs', 'since', 'until', 'windowMs'],
    ),
    responses: { '200': 'The deployment', '400': `${bad}; until not after since, or over 20,000 windows`, '404': 'No such deployment', ...auth },
  },
  'GET /v1/predictions': {
    summary: 'Search the prediction log',
    description:
      "Logged predictions, oldest first, each `{id, model, version, arm, requestId, timestamp, latencyMs, input, output, explanation, feedback}`: `input` is the row as the model read it, `output` the logged answer (prediction, probabilities, a scorecard's points and reasons, and `explanation` when `?explain=` asked for one), `feedback` the latest outcome sent back (or null). Filters: `model`, `version`, `arm` (as logged: `credit/3`, `credit@production`, `shadow`), `since` and `until`, `labelled=true` (only those with feedback). `limit` (100 by default, at most 10,000); `nextCursor` is given while more follow: pass it as `cursor`. The server ships its journal to the store every ~2 s, so a prediction just answered appears within a few seconds.",
    tags: ['read'], scope: 'read',
    query: { type: 'object', properties: { model: str, version: { type: 'integer', minimum: 1 }, arm: str, since: time('From'), until: time('Before'), labelled: { type: 'string', enum: ['true', 'false'] }, limit: { type: 'integer', minimum: 1, maximum: 10000 }, cursor: { type: 'string', description: 'The previous page’s nextCursor' } } },
    ok: obj({ predictions: { type: 'array', items: predictionView }, nextCursor: nullable(str) }),
    responses: { '200': 'A page of predictions', '400': `${bad}; or a cursor this store did not hand out`, ...auth },
  },
  'GET /v1/predictions/:id': {
    summary: 'One prediction: input, output, explanation and feedback',
    description: 'As a search result, with `feedbackHistory`: every outcome sent back for it, oldest first (`feedback` is the latest). A prediction answered in the last ~2 s may still be in the server’s journal, not yet in the store: its 404 says so; retry shortly.',
    tags: ['read'], scope: 'read',
    ok: obj({ ...prediction, feedbackHistory: { type: 'array', items: feedback } }),
    responses: { '200': 'The prediction', '400': bad, '404': 'No prediction with that id (the message names it)', ...auth },
  },
  'GET /v1/monitor/:model': {
    summary: "A model version's monitoring report, with a drift heatmap",
    description:
      "The report `hyperplane monitor --json` prints — drift per column and window against the training reference, realized quality (from feedback) and estimated quality (CBPE) per window, quality per arm, data quality, multivariate drift — plus `heatmap: {columns, windows, effect, drifted}` (`effect[c][w]`: column `c`'s drift effect in window `w`, null where not judged), so a page draws it without reshaping. `model` is `NAME` (its production alias, else its latest version) or `NAME@ALIAS`; `?version=N` picks a version. Reading never evaluates alert rules: `alerts` is empty (see /v1/alerts). The report is computed on the serving thread, so `since` reaches at most 90 days back.",
    tags: ['read'], scope: 'read',
    query: { type: 'object', properties: { since: time('From (7d by default; at most 90d back)'), window: windowParam, version: { type: 'integer', minimum: 1 } } },
    ok: {
      type: 'object',
      description: 'MonitorReport (as `hyperplane monitor --json`) and its heatmap',
      properties: { model: str, version: int, since: str, windowMs: int, rows: int, windows: { type: 'array', items: { type: 'object' } }, columns: { type: 'array', items: { type: 'object' } }, alerts: { type: 'array', items: { type: 'object' } }, heatmap: obj({ columns: { type: 'array', items: str }, windows: { type: 'array', items: str }, effect: { type: 'array', items: { type: 'array', items: nullable(num) } }, drifted: { type: 'array', items: { type: 'array', items: { type: 'boolean' } } } }) },
      required: ['model', 'version', 'since', 'windowMs', 'rows', 'windows', 'columns', 'heatmap'],
    },
    responses: { '200': 'The report', '400': `${bad}; since over 90 days back`, '404': 'No such model, alias or version', '422': 'The version has no monitoring reference and none can be rebuilt (the reason is given)', ...auth },
  },
  'GET /v1/alerts': {
    summary: 'Alerts with their evidence',
    description: '`{alerts: [{id, model, version, rule, condition, state, firedAt, resolvedAt, updatedAt, silencedUntil, webhook, evidence: {metric, op, threshold, windows: [{version, start, end, value}]}}]}`, newest first: the firing ones, or every one with `all=true`; `model` narrows to a model; `limit` at most 10,000.',
    tags: ['read'], scope: 'read',
    query: { type: 'object', properties: { model: str, all: { type: 'string', enum: ['true', 'false'] }, limit: { type: 'integer', minimum: 1, maximum: 10000 } } },
    ok: obj({ alerts: { type: 'array', items: obj({ id: str, model: str, version: int, rule: str, condition: str, state: { type: 'string', enum: ['firing', 'resolved'] }, firedAt: int, resolvedAt: nullable(int), evidence: obj({ metric: str, op: str, threshold: num, windows: { type: 'array', items: { type: 'object' } } }) }, ['id', 'model', 'version', 'rule', 'state', 'firedAt', 'evidence']) } }),
    responses: { '200': 'The alerts', '400': bad, ...auth },
  },
};
