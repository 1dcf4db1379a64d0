import type { z } from 'zod';
import { HyperplaneError } from '../errors.js';
import type { Learner } from '../learn/contract.js';

/** A numeric param's range: its values from low to high, evenly or evenly in log space. */
export interface Range {
  name: string;
  kind: 'int' | 'float';
  low: number;
  high: number;
  scale: 'linear' | 'log';
}

/** A param's listed values. */
export interface Choice {
  name: string;
  kind: 'choice';
  values: readonly (string | number | boolean)[];
}

export type Dimension = Range | Choice;
export type Space = readonly Dimension[];
export type Point = Record<string, string | number | boolean>;

/** What a learner's param schema declares for search, in its zod metadata: `.meta({ search: { low, high, scale } })` or `{ values }`. */
export interface SearchMeta {
  low?: number;
  high?: number;
  scale?: 'linear' | 'log';
  values?: readonly (string | number | boolean)[];
}

const EXAMPLE = 'num_leaves=7..127:log';

function fields(learner: Learner): Record<string, z.ZodType> {
  return (learner.params as unknown as { shape?: Record<string, z.ZodType> }).shape ?? {};
}

/** Whether a param takes whole numbers only: a zod number with `.int()`, under any default or optional. */
function isInteger(schema: z.ZodType): boolean {
  let inner = schema as unknown as { def: { type: string; innerType?: unknown }; isInt?: boolean };
  while (inner.def.innerType !== undefined && ['default', 'optional', 'nullable', 'prefault', 'readonly', 'catch'].includes(inner.def.type)) inner = inner.def.innerType as typeof inner;
  return inner.def.type === 'number' && inner.isInt === true;
}

/**
 * The space a learner declares on its params (each param's `meta().search`): what `auto` and `search` try
 * when no space is given. Declared once, beside the param's type, default and doc.
 */
export function declaredSpace(learner: Learner): Space {
  const out: Dimension[] = [];
  for (const [name, schema] of Object.entries(fields(learner))) {
    const search = (schema.meta() as { search?: SearchMeta } | undefined)?.search;
    if (search === undefined) continue;
    if (search.values !== undefined) out.push({ name, kind: 'choice', values: search.values });
    else if (search.low !== undefined && search.high !== undefined) out.push({ name, kind: isInteger(schema) ? 'int' : 'float', low: search.low, high: search.high, scale: search.scale ?? 'linear' });
  }
  return out;
}

/**
 * `--space 'num_leaves=7..127:log,learning_rate=0.01..0.3:log,objective=l2|huber'`: each part a param of the
 * learner, as a range (`LOW..HIGH`, `:log` for a log scale) or values (`A|B|C`). A part that is not one of
 * those, a param the learner lacks, or a bound its schema refuses is an error naming the part.
 */
export function parseSpace(text: string, learner: Learner): Space {
  const params = fields(learner);
  const parts = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) throw new HyperplaneError(`--space '${text}' names no param: expected NAME=LOW..HIGH[:log] or NAME=A|B|C, comma-separated (e.g. ${EXAMPLE})`);
  const seen = new Set<string>();
  return parts.map((part) => {
    const eq = part.indexOf('=');
    const name = eq > 0 ? part.slice(0, eq).trim() : '';
    const body = eq > 0 ? part.slice(eq + 1).trim() : '';
    if (name === '' || body === '') throw new HyperplaneError(`--space: '${part}' is not NAME=LOW..HIGH[:log] or NAME=A|B|C (e.g. ${EXAMPLE})`);
    const schema = params[name];
    if (schema === undefined) throw new HyperplaneError(`--space: ${learner.name} has no param '${name}'; its params are: ${Object.keys(params).join(', ')}`);
    if (seen.has(name)) throw new HyperplaneError(`--space: '${name}' is given twice`);
    seen.add(name);
    const range = /^(-?[\d.eE+-]+)\s*\.\.\s*(-?[\d.eE+-]+)(?::(log|linear))?$/.exec(body);
    if (range !== null) {
      const low = Number(range[1]);
      const high = Number(range[2]);
      const scale = (range[3] ?? 'linear') as 'linear' | 'log';
      if (!Number.isFinite(low) || !Number.isFinite(high)) throw new HyperplaneError(`--space: '${part}': the bounds must be numbers (e.g. ${EXAMPLE})`);
      if (!(low < high)) throw new HyperplaneError(`--space: '${part}': LOW must be below HIGH (e.g. ${EXAMPLE})`);
      if (scale === 'log' && low <= 0) throw new HyperplaneError(`--space: '${part}': a log scale needs LOW above 0`);
      const kind = isInteger(schema) ? 'int' : 'float';
      if (kind === 'int' && (!Number.isInteger(low) || !Number.isInteger(high))) throw new HyperplaneError(`--space: '${part}': ${name} takes whole numbers`);
      for (const bound of [low, high]) {
        const checked = schema.safeParse(bound);
        if (!checked.success) throw new HyperplaneError(`--space: '${part}': ${bound} is not a valid ${name} (${checked.error.issues[0]!.message})`);
      }
      return { name, kind, low, high, scale } satisfies Range;
    }
    const values = body.split('|').map((v) => v.trim());
    if (values.some((v) => v === '')) throw new HyperplaneError(`--space: '${part}' is not NAME=LOW..HIGH[:log] or NAME=A|B|C (e.g. ${EXAMPLE})`);
    const typed = values.map((v): string | number | boolean => (v === 'true' ? true : v === 'false' ? false : v !== '' && Number.isFinite(Number(v)) ? Number(v) : v));
    for (const [i, v] of typed.entries()) {
      const checked = schema.safeParse(v);
      if (checked.success) continue;
      // One value the param does not take, and no list: most likely a range written another way (7-127).
      if (values.length === 1) throw new HyperplaneError(`--space: '${part}' is not NAME=LOW..HIGH[:log] or NAME=A|B|C (e.g. ${EXAMPLE})`);
      throw new HyperplaneError(`--space: '${part}': '${values[i]}' is not a valid ${name} (${checked.error.issues[0]!.message})`);
    }
    return { name, kind: 'choice', values: typed } satisfies Choice;
  });
}

/** A value of a range at u in [0, 1]: evenly, or evenly in log space; whole numbers rounded. */
export function valueAt(d: Range, u: number): number {
  const v = d.scale === 'log' ? Math.exp(Math.log(d.low) + u * (Math.log(d.high) - Math.log(d.low))) : d.low + u * (d.high - d.low);
  // Four significant digits: a trial's params read as a person would write them.
  return d.kind === 'int' ? Math.min(d.high, Math.max(d.low, Math.round(v))) : Number(v.toPrecision(4));
}

/** A budget a search spends more of on the better configurations (ASHA): a whole-number param, from low to high. */
export interface Budget {
  name: string;
  low: number;
  high: number;
}

/** The budget a learner declares (`.meta({ budget: { low, high } })` on a param, e.g. boosting rounds), if any. */
export function declaredBudget(learner: Learner): Budget | undefined {
  for (const [name, schema] of Object.entries(fields(learner))) {
    const budget = (schema.meta() as { budget?: { low: number; high: number } } | undefined)?.budget;
    if (budget !== undefined) return { name, ...budget };
  }
  return undefined;
}

/** `--budget n_estimators=30..1000`: a whole-number param of the learner, from low to high. */
export function parseBudget(text: string, learner: Learner): Budget {
  const m = /^([A-Za-z_][\w]*)=(\d+)\.\.(\d+)$/.exec(text.trim());
  if (m === null) throw new HyperplaneError(`--budget '${text}' is not PARAM=MIN..MAX (e.g. n_estimators=30..1000)`);
  const [, name, lowText, highText] = m as unknown as [string, string, string, string];
  const schema = fields(learner)[name];
  if (schema === undefined) throw new HyperplaneError(`--budget: ${learner.name} has no param '${name}'; its params are: ${Object.keys(fields(learner)).join(', ')}`);
  if (!isInteger(schema)) throw new HyperplaneError(`--budget: ${name} is not a whole-number param of ${learner.name}`);
  const low = Number(lowText);
  const high = Number(highText);
  if (!(low >= 1 && low < high)) throw new HyperplaneError(`--budget '${text}': MIN must be 1 or more and below MAX`);
  for (const bound of [low, high]) if (!schema.safeParse(bound).success) throw new HyperplaneError(`--budget '${text}': ${bound} is not a valid ${name}`);
  return { name, low, high };
}
