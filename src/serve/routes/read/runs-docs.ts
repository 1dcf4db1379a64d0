import type { RouteDoc } from '../../api-docs.js';
import { DEFAULT_LIMIT, MAX_COMPARE, MAX_LIMIT } from './runs-limits.js';

const auth = { '401': 'No API key, or an unknown, revoked or expired one (once any key has been made)', '403': "The key lacks the 'read' scope" };
const bad = 'Invalid input: `{error, message, problems: [{field, problem, expected}]}` naming the parameter';
const store = 'The model store could not be read';
const obj = (properties: Record<string, object>, required: string[] = Object.keys(properties)): object => ({ type: 'object', properties, required });
const str = { type: 'string' };
const int = { type: 'integer' };
const num = { type: 'number', nullable: true, description: 'null for NaN' };
const time = { type: 'integer', description: 'Epoch milliseconds' };
const nullable = (schema: object): object => ({ ...schema, nullable: true });
const record = (values: object): object => ({ type: 'object', additionalProperties: values });
const anyJson = { description: 'Any JSON value' };

const runSummary = obj({ id: str, experimentId: str, experiment: nullable(str), name: str, status: { type: 'string', enum: ['running', 'finished', 'failed', 'killed'] }, startTime: time, endTime: nullable(time), metrics: record(num), tags: record(str), params: record(anyJson) }, ['id', 'experimentId', 'name', 'status', 'startTime', 'endTime', 'metrics', 'tags']);
const compared = { type: 'array', items: obj({ name: str, values: { type: 'array', items: anyJson }, differ: { type: 'boolean' } }) };
const aliases = record(int);

/** The OpenAPI docs of the runs and registry read routes ('GET /v1/...' → its doc), merged into ROUTE_DOCS. */
export const RUNS_READ_DOCS: Record<string, RouteDoc> = {
  'GET /v1/experiments': {
    summary: 'Experiments',
    description: 'Every experiment with the number of runs it holds: `{experiments: [{id, name, createdAt, runs}]}`.',
    tags: ['runs'], scope: 'read',
    ok: obj({ experiments: { type: 'array', items: obj({ id: str, name: str, createdAt: time, runs: int }) } }),
    responses: { '200': 'The experiments', '400': 'A query parameter (this route takes none)', '503': store, ...auth },
  },
  'GET /v1/runs': {
    summary: 'Runs: filtered, sorted and paged on the server',
    description: `As \`hyperplane runs list\`: newest first unless \`order\` says otherwise; \`where\` and \`tag\` repeat and all must hold. Answers \`{runs, nextCursor, total}\`: \`nextCursor\` (null on the last page) gives the next page with the same parameters, and pages stay stable while runs are added; \`total\` is how many runs the filters match. Each run has its latest metrics (or only the \`columns\` chosen) and tags; params only as \`columns=params.NAME\`. A \`where\`, \`tag\` or \`order\` naming a metric or tag no run has is a 400 listing the known ones. Data is returned as data: names are not escaped.`,
    tags: ['runs'], scope: 'read',
    query: {
      type: 'object',
      properties: {
        experiment: { type: 'string', description: 'Only this experiment (by name)' },
        parent: { type: 'string', description: "Only the runs under this run (a search's trials): its id or a unique prefix of 6+ characters" },
        status: { type: 'string', description: 'Only these statuses, comma-separated: running, finished, failed, killed' },
        where: { type: 'array', items: str, description: "A metric condition on the latest value, e.g. `auc > 0.9` (repeatable; operators >= <= != > < =)" },
        tag: { type: 'array', items: str, description: 'KEY=VALUE (repeatable)' },
        order: { type: 'string', description: "`start` or a metric name; a leading '-' sorts descending (`-auc`: best AUC first). Runs without the metric come last." },
        limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT, description: 'Runs per page' },
        cursor: { type: 'string', description: 'The `nextCursor` of the previous page' },
        columns: { type: 'string', description: 'Comma-separated metric names and `params.NAME`: the metrics and params each run carries (default: every metric, no params)' },
      },
    },
    ok: obj({ runs: { type: 'array', items: runSummary }, nextCursor: nullable(str), total: int }),
    responses: { '200': 'One page of runs', '400': `${bad}: a bad where, tag, order, status, limit (1 to ${MAX_LIMIT}) or cursor, an unknown parameter`, '404': 'No such experiment, or no such parent run', '503': store, ...auth },
  },
  'GET /v1/runs/compare': {
    summary: 'Compare runs',
    description: `\`ids=a,b,c\`: 2 to ${MAX_COMPARE} runs (ids or unique prefixes of 6+ characters). For each param, latest metric, tag and data input (\`role source\`: fingerprint and rows), and status, git commit, seed and Node version: the values in the order of \`runs\` (null where a run has none) and \`differ\`. \`differ.params\`/\`differ.metrics\` list the names that differ. Overlay curves from each run's \`/v1/runs/{id}/metrics/{name}\`.`,
    tags: ['runs'], scope: 'read',
    query: obj({ ids: { type: 'string', description: 'Run ids, comma-separated' } }),
    ok: obj({ runs: { type: 'array', items: obj({ id: str, name: str, experiment: nullable(str), status: str, startTime: time, endTime: nullable(time) }) }, params: compared, metrics: compared, tags: compared, data: compared, other: compared, differ: obj({ params: { type: 'array', items: str }, metrics: { type: 'array', items: str } }) }),
    responses: { '200': 'The runs, field by field', '400': `${bad}: fewer than 2 or more than ${MAX_COMPARE} ids, an ambiguous prefix`, '404': 'A run that does not exist (named)', '503': store, ...auth },
  },
  'GET /v1/runs/:id': {
    summary: 'One run',
    description: "Everything recorded about a run (id or unique prefix of 6+ characters): experiment, status, times, params, tags, latest metrics, data inputs with their fingerprints, git, environment, owner, warnings, seed, config and parent run (`parentId`, null for a top-level run); its lab notebook `notes` `[{text, author, time}]`, oldest first; its artifacts `[{name, sha256, size, file, contentType, url, error?}]` (url downloads it); and `summary`, the contents of its `summary` artifact (train's summary.json: leaderboard, importance, evaluation, fit, test and train metrics, diagnostics), or null.",
    tags: ['runs'], scope: 'read',
    ok: { type: 'object', properties: { id: str, experiment: nullable(str), params: record(anyJson), metrics: record(num), artifacts: { type: 'array', items: obj({ name: str, sha256: str, size: nullable(int), file: str, contentType: str, url: str }, ['name', 'sha256', 'size', 'file', 'contentType', 'url']) }, notes: { type: 'array', items: obj({ text: str, author: str, time }) }, summary: nullable({ type: 'object' }) }, required: ['id', 'params', 'metrics', 'artifacts', 'notes', 'summary'] },
    responses: { '200': 'The run', '400': `${bad}: an ambiguous prefix`, '404': 'No such run', '503': store, ...auth },
  },
  'GET /v1/runs/:id/metrics/:name': {
    summary: "A metric's history",
    description: 'Every value logged for the metric, by step then time: `{runId, name, points: [{step, value, timestamp}]}` (value null for NaN). The curves of the Run page.',
    tags: ['runs'], scope: 'read',
    ok: obj({ runId: str, name: str, points: { type: 'array', items: obj({ step: int, value: num, timestamp: time }) } }),
    responses: { '200': 'The history', '404': "No such run, or the run has no such metric (its metrics listed)", '503': store, ...auth },
  },
  'GET /v1/runs/:id/artifacts/:name': {
    summary: "Download a run's artifact",
    description: "The artifact's bytes as an attachment: `model` as model.hpkg, `summary` as summary.json, `report` as report.html; other names by their extension (application/octet-stream otherwise).",
    tags: ['runs'], scope: 'read',
    ok: { type: 'string', format: 'binary' }, okType: 'application/octet-stream',
    responses: { '200': 'The bytes', '404': "No such run, the run has no such artifact (its artifacts listed), or the artifact's bytes are gone from the store", '503': store, ...auth },
  },
  'GET /v1/registry/models': {
    summary: 'Registered models',
    description: 'Each model: `{name, description, createdAt, updatedAt, versions, latestVersion, aliases}`; `versions` is how many it has now, `aliases` maps each alias to its version.',
    tags: ['registry'], scope: 'read',
    ok: obj({ models: { type: 'array', items: obj({ name: str, description: nullable(str), createdAt: time, updatedAt: time, versions: int, latestVersion: nullable(int), aliases }) } }),
    responses: { '200': 'The models', '400': 'A query parameter (this route takes none)', '503': store, ...auth },
  },
  'GET /v1/registry/models/:name': {
    summary: 'One model: versions and aliases',
    description: 'Its versions newest first `[{version, runId, artifact, metrics, fingerprint, description, createdAt, aliases}]`, its aliases, and `aliasHistory`: every alias move oldest first `{alias, from, to, at, actor}` (from null: created; to null: deleted; actor from the audit trail, null where it has none).',
    tags: ['registry'], scope: 'read',
    ok: obj({
      name: str, description: nullable(str), createdAt: time, updatedAt: time, latestVersion: nullable(int), aliases,
      versions: { type: 'array', items: obj({ version: int, runId: nullable(str), artifact: str, metrics: record(num), fingerprint: nullable(str), description: nullable(str), createdAt: time, aliases: { type: 'array', items: str } }) },
      aliasHistory: { type: 'array', items: obj({ model: str, alias: str, from: nullable(int), to: nullable(int), at: time, actor: nullable(str) }) },
    }),
    responses: { '200': 'The model', '404': 'No such model', '503': store, ...auth },
  },
};
