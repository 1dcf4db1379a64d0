import { HyperplaneError } from '../../../errors.js';
import { dateMs, durationMs } from '../../../time.js';

/** A query string as Fastify parses it: a parameter given twice is an array. */
export type Query = Record<string, string | string[] | undefined>;

/** The query's parameters, each once; one the route does not take is a 400 naming it, not ignored. */
export function queryOf(query: unknown, allowed: readonly string[]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries((query ?? {}) as Query)) {
    if (!allowed.includes(key)) throw new HyperplaneError(`unknown query parameter '${key.slice(0, 40)}'; expected one of ${allowed.join(', ')}`, { field: key.slice(0, 40) });
    if (Array.isArray(value)) throw new HyperplaneError('given more than once', { field: key });
    out[key] = value;
  }
  return out;
}

/**
 * A time as `--since` takes it: a duration ago (7d, 12h, 30m), a UTC date (2027-01-31, 2027-01-31T12:00Z),
 * or epoch milliseconds (what the dashboard has at hand).
 */
export function timeOf(text: string, field: string, now: number): number {
  if (/^\d{1,15}$/.test(text)) return Number(text);
  const duration = durationMs(text);
  if (duration !== undefined) return now - duration;
  const date = dateMs(text);
  if (date === undefined) throw new HyperplaneError(`'${text.slice(0, 40)}': expected a duration ago such as 7d or 12h, a date such as 2027-01-31 (UTC), or epoch milliseconds`, { field });
  return date;
}

/** `since` (a default when absent), refused when it reaches further back than `maxMs`: heavy reads stay bounded. */
export function sinceOf(text: string | undefined, now: number, fallback: string, maxMs?: number): number {
  const since = timeOf(text ?? fallback, 'since', now);
  if (maxMs !== undefined && now - since > maxMs) throw new HyperplaneError(`'${text}': at most ${maxMs / 86_400_000} days back`, { field: 'since' });
  return since;
}

/** `window`: a duration of a minute or more (30m, 1h, 1d). */
export function windowOf(text: string | undefined, fallback = '1h'): number {
  const ms = durationMs(text ?? fallback);
  if (ms === undefined || ms < 60_000) throw new HyperplaneError(`'${text}': expected a duration of a minute or more (30m, 1h, 1d)`, { field: 'window' });
  return ms;
}

/** A whole number in [min, max], or undefined when absent. */
export function intOf(text: string | undefined, field: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = /^\d{1,16}$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) throw new HyperplaneError(`'${text.slice(0, 40)}': expected a whole number from ${min} to ${max.toLocaleString('en-US')}`, { field });
  return n;
}

/** `true`/`false` (or absent: false). */
export function boolOf(text: string | undefined, field: string): boolean {
  if (text === undefined || text === 'false') return false;
  if (text === 'true') return true;
  throw new HyperplaneError(`'${text.slice(0, 40)}': expected true or false`, { field });
}

/** The model a reference names: `credit` of `credit@production` or `credit/3`. */
export const modelOf = (ref: string): string => ref.split(/[@/]/)[0]!;
