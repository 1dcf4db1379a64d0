import { HyperplaneError } from '../errors.js';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };
const TEN_YEARS_MS = 3653 * 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** `90d`, `12h`, `30m`, `2w` as milliseconds; undefined when the text is not such a duration (up to ten years). */
export function durationMs(text: string): number | undefined {
  const match = /^(\d{1,6})([mhdw])$/.exec(text.trim());
  if (match === null) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2]!]!;
  return ms > 0 && ms <= TEN_YEARS_MS ? ms : undefined;
}

/**
 * `2027-01-31` (midnight UTC), `2027-01-31T12:00`, `2027-01-31T12:00:00Z` or with an offset, as epoch
 * milliseconds; undefined for anything else, including dates that don't exist (Date.parse turns
 * 2027-02-30 into March 2nd).
 */
export function dateMs(text: string): number | undefined {
  const t = text.trim();
  const match = DATE.exec(t);
  if (match === null) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00'] = match;
  const zone = match[7];
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${zone ?? 'Z'}`);
  if (Number.isNaN(ms)) return undefined;
  // The calendar fields must survive the round trip: no 30th of February, no hour 25.
  const back = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
  if (back.getUTCFullYear() !== Number(y) || back.getUTCMonth() !== Number(mo) - 1 || back.getUTCDate() !== Number(d) || back.getUTCHours() !== Number(h) || back.getUTCMinutes() !== Number(mi)) return undefined;
  return ms;
}

/** `--expires`: a duration from now or a future date, as epoch milliseconds. */
export function parseExpires(text: string, now = Date.now()): number {
  const duration = durationMs(text);
  if (duration !== undefined) return now + duration;
  const date = dateMs(text);
  if (date === undefined) throw new HyperplaneError(`--expires '${text}': expected a duration such as 90d, 12h or 30m, or a date such as 2027-01-31 (UTC)`);
  if (date <= now) throw new HyperplaneError(`--expires '${text}': that is in the past`);
  return date;
}

/** `--since` (or `--until`): a duration ago or a date, as epoch milliseconds. */
export function parseSince(text: string, now = Date.now(), flag = '--since'): number {
  const duration = durationMs(text);
  if (duration !== undefined) return now - duration;
  const date = dateMs(text);
  if (date === undefined) throw new HyperplaneError(`${flag} '${text}': expected a duration ago such as 7d or 12h, or a date such as 2027-01-31 (UTC)`);
  return date;
}

/** `2027-01-31 12:00`: minutes, UTC, as the store commands print times. */
export const utcMinute = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
