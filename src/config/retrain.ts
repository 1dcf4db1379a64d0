import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { HyperplaneError } from '../errors.js';
import { durationMs } from '../time.js';

/** One scheduled retraining, as the project config's `retrain` section writes it. */
const retrainEntrySchema = z
  .object({
    /** NAME@ALIAS (NAME alone: NAME@production): the alias to keep fresh. */
    model: z.string().min(1),
    /** How often: 1d, 12h, 2w. */
    every: z.string().min(1),
    /** The new data: a file, a glob, or postgres://… with `query`. */
    data: z.string().min(1),
    query: z.string().min(1).optional(),
    /** The least gain, in the metric's units, the interval's lower end must reach (default 0.005). */
    minGain: z.number().finite().optional(),
    /** What the two models are compared on (default: the run's metric). */
    metric: z.string().min(1).optional(),
    /** The column whose latest 20% is the holdout (default: the run's time split column). */
    time: z.string().min(1).optional(),
  })
  .strict();

/** The `retrain` section: one entry or a list. */
export const retrainConfigSchema = z.union([retrainEntrySchema, z.array(retrainEntrySchema).min(1)]);

export interface RetrainEntry {
  model: string;
  /** As written (1d), and in ms. */
  every: string;
  everyMs: number;
  /** A local path made absolute (relative to the config file), or the source as written. */
  data: string;
  query?: string;
  minGain?: number;
  metric?: string;
  time?: string;
}

/** The `retrain` section checked: durations read, paths relative to the config file made absolute; errors name the field. */
export function parseRetrainConfig(raw: unknown, file: string): RetrainEntry[] {
  const parsed = retrainConfigSchema.safeParse(raw);
  if (!parsed.success) {
    // The union's own issue says little: check the first entry alone for one that names the field.
    const list = Array.isArray(raw) ? raw : [raw];
    for (const [i, entry] of list.entries()) {
      const one = retrainEntrySchema.safeParse(entry);
      if (one.success) continue;
      const issue = one.error.issues[0]!;
      const why = issue.code === 'unrecognized_keys' ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}` : issue.message.replace(/^Invalid input: /, '');
      throw new HyperplaneError(`${['retrain', ...(Array.isArray(raw) ? [String(i)] : []), ...issue.path.map(String)].join('.')}: ${why}`, { file });
    }
    throw new HyperplaneError('retrain: expected { model, every, data } or a list of them', { file });
  }
  const base = dirname(resolve(file));
  const entries = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
  return entries.map((e, i) => {
    const at = `retrain${Array.isArray(parsed.data) ? `.${i}` : ''}`;
    const everyMs = durationMs(e.every);
    if (everyMs === undefined) throw new HyperplaneError(`${at}.every '${e.every}': expected a duration such as 12h, 1d or 2w`, { file });
    const data = isAbsolute(e.data) || /^[a-z]+:\/\//i.test(e.data) ? e.data : resolve(base, e.data);
    return { model: e.model, every: e.every, everyMs, data, ...(e.query !== undefined ? { query: e.query } : {}), ...(e.minGain !== undefined ? { minGain: e.minGain } : {}), ...(e.metric !== undefined ? { metric: e.metric } : {}), ...(e.time !== undefined ? { time: e.time } : {}) };
  });
}

/** The `retrain` section of a project config file (`serve --retrain-config`); the rest of the file is not read here. */
export async function loadRetrainConfig(path: string): Promise<RetrainEntry[]> {
  const { readConfigFile } = await import('./config.js');
  const raw = await readConfigFile(path);
  const section = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>)['retrain'] : undefined;
  if (section === undefined) throw new HyperplaneError("the config has no retrain section (retrain: { model: 'churn@production', every: '1d', data: 'new.csv' })", { file: path });
  return parseRetrainConfig(section, path);
}
