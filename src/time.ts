/** Durations and dates as people write them (`90d`, `2027-01-31`): parsed here for the CLI, the config and the monitor alike. */

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
