import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { HyperplaneError } from '../errors.js';
import { monitorConfigSchema, parseMonitorConfig } from '../monitor/alerts/config.js';
import { rulesSchema } from '../learn/rules/rules-params.js';
import { parseRetrainConfig, retrainConfigSchema } from './retrain.js';

/** What `hyperplane train --config FILE` reads: everything the flags say, in a file kept with the project. */
export const trainConfigSchema = z
  .object({
    /** Training data: a file, a glob, or postgres://… (with `query`). */
    data: z.string().min(1),
    query: z.string().optional(),
    target: z.string().min(1),
    task: z.enum(['binary', 'multiclass', 'regression']).optional(),
    learner: z.string().default('auto'),
    /** Parameters of a named learner (not of auto). */
    params: z.record(z.string(), z.unknown()).default({}),
    metric: z.string().optional(),
    /** At most one: a separate test file, a holdout share, k folds, or a time split. */
    evaluation: z
      .object({
        test: z.string().optional(),
        split: z.number().gt(0).lt(1).optional(),
        cv: z.number().int().min(2).optional(),
        timeSplit: z.object({ column: z.string().min(1), date: z.string().min(1) }).strict().optional(),
      })
      .strict()
      .refine((e) => [e.test, e.split, e.cv, e.timeSplit].filter((v) => v !== undefined).length <= 1, 'choose one of test, split, cv and timeSplit')
      .optional(),
    /** A column (a customer id) whose rows stay on one side of the holdout or of every cv fold; left out of the features. */
    group: z.string().min(1).optional(),
    classWeight: z.literal('balanced').optional(),
    upsample: z.boolean().optional(),
    /** After a holdout or time split, fit the chosen pipeline again on every labelled row (default: up to 100,000 rows). */
    refit: z.boolean().optional(),
    /** Binary: 'max-f1', 'recall=0.9', or 'cost=FP:FN' (e.g. cost=1:5); chosen on out-of-fold scores of the training rows. */
    threshold: z.string().optional(),
    seed: z.number().int().default(0),
    /** Seconds for auto's whole search. */
    timeBudget: z.number().positive().default(60),
    /** auto: after the portfolio, ASHA over this many configurations of the leading learner's declared space (0: none). */
    refine: z.number().int().min(0).optional(),
    /** auto: 'simple' picks the simplest candidate within the folds' noise of the best. */
    prefer: z.enum(['best', 'simple']).optional(),
    /** A schema file whose types override inference. */
    schema: z.string().optional(),
    out: z.string().optional(),
    /** Keep a Parquet copy of the data in the store (train --snapshot / --no-snapshot); default: below a size. */
    snapshot: z.boolean().optional(),
    /** An explicit recipe: the outputs to build from named columns, groups and transforms. */
    recipe: z
      .object({
        groups: z.record(z.string(), z.array(z.string())).default({}),
        outputs: z.array(z.string().min(1)).min(1),
      })
      .strict()
      .optional(),
    /** A rules model: `learner: rules` trains it alone; auto ranks it beside the learners. */
    rules: rulesSchema.optional(),
    /** Monitoring: alert rules on `hyperplane monitor` reports and the webhooks they notify. */
    monitor: monitorConfigSchema.optional(),
    /** Retraining on a schedule, run by `serve --retrain-config`: the alias moves only when the new model is better. */
    retrain: retrainConfigSchema.optional(),
  })
  .strict();

export type TrainConfigInput = z.input<typeof trainConfigSchema>;
export type TrainConfig = z.output<typeof trainConfigSchema>;

/** Types a `hyperplane.config.ts` file: `export default defineConfig({ data: 'churn.csv', target: 'churned' })`. */
export function defineConfig(config: TrainConfigInput): TrainConfigInput {
  return config;
}

/** One readable line per zod issue: the field's path and what was wrong. */
function describeIssue(issue: z.core.$ZodIssue): { field: string; message: string } {
  const field = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const allowed = issue.path.length === 0 ? Object.keys(trainConfigSchema.shape).join(', ') : issue.path[0] === 'evaluation' ? 'test, split, cv, timeSplit' : 'column, date';
    return { field, message: `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}; allowed: ${allowed}` };
  }
  return { field, message: issue.message.replace(/^Invalid input: /, '') };
}

/** A config file's contents, not yet checked: a mapping, or an error naming the file. */
export async function readConfigFile(path: string): Promise<object> {
  if (!existsSync(path)) throw new HyperplaneError('no such config file', { file: path });
  const ext = extname(path).toLowerCase();
  let raw: unknown;
  try {
    if (ext === '.json') raw = parseJson(readFileSync(path, 'utf8'), path);
    // The YAML and TypeScript loaders are imported when needed: together they cost ~90 ms of every start.
    else if (ext === '.yaml' || ext === '.yml') raw = await parseYaml(readFileSync(path, 'utf8'), path);
    else if (['.ts', '.mts', '.js', '.mjs'].includes(ext)) raw = await runModule(path);
    else throw new HyperplaneError(`cannot tell the config format from the extension '${ext}'; use .ts, .js, .json or .yaml`, { file: path });
  } catch (e) {
    if (e instanceof HyperplaneError) throw e;
    throw new HyperplaneError(`cannot load the config: ${firstLine(e)}`, { file: path });
  }
  if (raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '')) throw new HyperplaneError('the config is empty; it needs at least data and target', { file: path });
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new HyperplaneError(`the config must be a mapping of settings (key: value), not ${Array.isArray(raw) ? 'a list' : `a ${typeof raw}`}`, { file: path });
  }
  return raw;
}

/**
 * Reads a config file — `.ts`/`.mts`/`.js`/`.mjs` (its default export), `.json`, or `.yaml`/`.yml` — and
 * checks it. Paths in it are relative to the file. Errors name the file and the field.
 */
export async function loadConfig(path: string): Promise<TrainConfig> {
  const raw = await readConfigFile(path);
  // The monitor section first, by its own checks: they name the rule (grammar, cooldown, webhook), so a train run does not keep a config monitor would refuse.
  if ('monitor' in raw) parseMonitorConfig((raw as Record<string, unknown>)['monitor'], path);
  if ('retrain' in raw) parseRetrainConfig((raw as Record<string, unknown>)['retrain'], path);
  const parsed = trainConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const { field, message } = describeIssue(parsed.error.issues[0]!);
    throw new HyperplaneError(message, { file: path, ...(field !== '' ? { field } : {}) });
  }
  const config = parsed.data;
  const base = dirname(resolve(path));
  const local = (p: string): string => (isAbsolute(p) || /^[a-z]+:\/\//i.test(p) ? p : resolve(base, p));
  return {
    ...config,
    data: local(config.data),
    ...(config.schema !== undefined ? { schema: local(config.schema) } : {}),
    ...(config.out !== undefined ? { out: local(config.out) } : {}),
    ...(config.evaluation?.test !== undefined ? { evaluation: { ...config.evaluation, test: local(config.evaluation.test) } } : {}),
  };
}

const firstLine = (e: unknown): string => (e instanceof Error ? e.message.split('\n')[0]! : String(e));

/** Line and column (1-based) of a character offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

/** JSON, with a syntax error at its line and column (JSON.parse says only the character offset). */
function parseJson(text: string, path: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = firstLine(e);
    const offset = /at position (\d+)/.exec(message)?.[1];
    const at = offset !== undefined ? lineColumn(text, Number(offset)) : lineColumn(text, text.length);
    const why = message.replace(/ in JSON at position \d+.*$/, '').replace(/^JSON\.parse: /, '');
    throw new HyperplaneError(`not valid JSON: ${why} (column ${at.column})`, { file: path, line: at.line });
  }
}

/** YAML, with a syntax error at its line and column, said once (the parser's message repeats them). */
async function parseYaml(text: string, path: string): Promise<unknown> {
  const { parse, YAMLError } = await import('yaml');
  try {
    return parse(text);
  } catch (e) {
    if (!(e instanceof YAMLError)) throw e;
    const why = firstLine(e).replace(/ at line \d+, column \d+:?\s*$/, '');
    const pos = e.linePos?.[0];
    if (pos === undefined) throw new HyperplaneError(`not valid YAML: ${why}`, { file: path });
    throw new HyperplaneError(`not valid YAML: ${why} (column ${pos.col})`, { file: path, line: pos.line });
  }
}

/** A .ts/.js config's default export; what it throws, or a missing default, is said plainly. */
async function runModule(path: string): Promise<unknown> {
  const { createJiti } = await import('jiti');
  const jiti = createJiti(import.meta.url, { moduleCache: false });
  let module: Record<string, unknown>;
  try {
    module = await jiti.import<Record<string, unknown>>(resolve(path));
  } catch (e) {
    // Transpile errors name the syntax; anything else was thrown by the config's own code.
    if (e instanceof Error && /ParseError|SyntaxError/.test(`${e.name} ${e.message}`)) throw new HyperplaneError(`the config does not parse: ${firstLine(e)}`, { file: path });
    throw new HyperplaneError(`the config threw an error: ${firstLine(e)}`, { file: path });
  }
  if (module === null || typeof module !== 'object' || !('default' in module) || module['default'] === undefined) {
    throw new HyperplaneError('the config has no default export; write `export default defineConfig({ data: …, target: … })`', { file: path });
  }
  return module['default'];
}
