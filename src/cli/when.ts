import { HyperplaneError } from '../errors.js';
import { dateMs, durationMs } from '../time.js';

// The pure parsers live in the bottom layer (src/time.ts), so the monitor's config reads durations without the CLI.
export { dateMs, durationMs };

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
