/**
 * Reading the values people write in spreadsheets: numbers with thousands separators, currency signs
 * and percent signs, the common missing markers, boolean spellings and dates.
 */

/** Lower-cased. '.' is how SAS and Stata write a missing value. */
export const MISSING_MARKERS: ReadonlySet<string> = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '?', '.', '#n/a', 'nil']);

export function isMissingMarker(s: string): boolean {
  return MISSING_MARKERS.has(s.trim().toLowerCase());
}

export type NumberStyle = 'plain' | 'thousands' | 'currency' | 'percent';

const PLAIN = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const GROUPED = /^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/;

/** A number written as text, or NaN. "1,234" → 1234, "$5" → 5, "12%" → 12 (as written), "(5)" → -5. */
export function parseNumberText(raw: string): { value: number; style: NumberStyle } | undefined {
  let s = raw.trim();
  if (s === '') return undefined;
  let negative = false;
  if (s.startsWith('(') && s.endsWith(')')) {
    negative = true;
    s = s.slice(1, -1).trim();
  }
  let style: NumberStyle = 'plain';
  if (s.endsWith('%')) {
    style = 'percent';
    s = s.slice(0, -1).trim();
  }
  const currency = /^([+-]?)\s*[$€£¥]\s*/.exec(s);
  if (currency) {
    style = 'currency';
    s = currency[1] + s.slice(currency[0].length);
  }
  if (GROUPED.test(s)) {
    if (style === 'plain') style = 'thousands';
    s = s.replaceAll(',', '');
  } else if (!PLAIN.test(s)) {
    return undefined;
  }
  const value = Number(s);
  if (!Number.isFinite(value)) return undefined;
  return { value: negative ? -value : value, style };
}

const INFINITY = /^([+-]?)(inf|infinity)$/i;

/**
 * ±Infinity for the spellings numpy, pandas, R and DuckDB write ('inf', '+inf', '-Infinity') and for
 * numbers too large for a double ('1e309'); undefined otherwise. Kept apart from parseNumberText so that
 * callers that take numbers (e.g. the server) still refuse them.
 */
export function parseInfinityText(raw: string): number | undefined {
  const s = raw.trim();
  const m = INFINITY.exec(s);
  if (m) return m[1] === '-' ? -Infinity : Infinity;
  if (!PLAIN.test(s)) return undefined;
  const value = Number(s);
  return value === Infinity || value === -Infinity ? value : undefined;
}

/** Pairs of spellings that mean false/true; the first of each pair is the false one. */
export const BOOLEAN_PAIRS: readonly (readonly [string, string])[] = [
  ['false', 'true'],
  ['no', 'yes'],
  ['n', 'y'],
  ['f', 't'],
  ['0', '1'],
  ['off', 'on'],
];

/**
 * If the (at most two) distinct lower-cased values are a boolean spelling, the one meaning false.
 * A single value that is a boolean spelling also counts.
 */
export function booleanSpelling(distinct: readonly string[]): { falseValue: string; trueValue: string } | undefined {
  if (distinct.length === 0 || distinct.length > 2) return undefined;
  const lower = distinct.map((d) => d.trim().toLowerCase());
  for (const [f, t] of BOOLEAN_PAIRS) {
    if (lower.every((v) => v === f || v === t)) {
      const falseIndex = lower.indexOf(f);
      const trueIndex = lower.indexOf(t);
      return { falseValue: falseIndex >= 0 ? distinct[falseIndex]! : f, trueValue: trueIndex >= 0 ? distinct[trueIndex]! : t };
    }
  }
  return undefined;
}

/** What a boolean spelling means (yes/no, y/n, t/f, 1/0, on/off, true/false, any case), or undefined. */
export function booleanValue(s: string): boolean | undefined {
  const lower = s.trim().toLowerCase();
  for (const [f, t] of BOOLEAN_PAIRS) {
    if (lower === t) return true;
    if (lower === f) return false;
  }
  return undefined;
}

/**
 * Whether a value is the level `level`: the same text in any case, or, for a level 'true'/'false',
 * a boolean spelling meaning the same. Packages trained before spellings were kept recorded a
 * Yes/No column as true/false (DuckDB's reading); data read now says Yes/No, and must still match.
 */
export function sameLevel(value: string, level: string): boolean {
  if (value === level || value.toLowerCase() === level.toLowerCase()) return true;
  const lower = level.toLowerCase();
  if (lower !== 'true' && lower !== 'false') return false;
  return booleanValue(value) === (lower === 'true');
}

const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;
const SLASHED_YMD = /^(\d{4})\/(\d{1,2})\/(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const SLASHED_MDY = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const MONTH_NAMES = /^(?:[A-Za-z]{3,9},? )?(?:[A-Za-z]{3,9}\.? \d{1,2},? \d{4}|\d{1,2}[ -][A-Za-z]{3,9}\.?[ -]\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$/;

/**
 * Epoch milliseconds of a date or date-time written as text, or NaN. Times without a zone are read as
 * UTC so that the result does not depend on the machine's time zone.
 */
export function parseDateText(raw: string): number {
  const s = raw.trim();
  let m = ISO.exec(s);
  if (m) {
    const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), m[7] ? Math.round(Number(m[7]) * 1000) : 0);
    if (!validParts(+m[2]!, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0))) return NaN;
    if (new Date(ms).getUTCDate() !== +m[3]!) return NaN;
    const zone = m[8];
    if (zone === undefined || zone === 'Z') return ms;
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    return ms - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  m = SLASHED_YMD.exec(s);
  if (m) return utc(+m[1]!, +m[2]!, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0));
  m = SLASHED_MDY.exec(s);
  if (m) {
    // Month first, as most software writes it, unless the first number can't be a month.
    const a = +m[1]!;
    const b = +m[2]!;
    const [month, day] = a > 12 ? [b, a] : [a, b];
    return utc(+m[3]!, month, day, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0));
  }
  if (MONTH_NAMES.test(s)) {
    const ms = Date.parse(`${s} UTC`);
    return Number.isNaN(ms) ? NaN : ms;
  }
  return NaN;
}

function validParts(month: number, day: number, hour: number, minute: number, second: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 60;
}

function utc(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  if (!validParts(mo, d, h, mi, s)) return NaN;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  // Reject 31 February and friends, which Date.UTC would roll into March.
  return new Date(ms).getUTCDate() === d ? ms : NaN;
}
