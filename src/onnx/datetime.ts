import type { GraphBuilder } from './graph.js';

// The datetime step's five features from epoch milliseconds, in double with default-domain ops, equal to
// recipe.ts's `new Date(ms).getUTC…()` and Math.floor(ms / 86_400_000). Every value below is an integer
// well under 2^53, so each Div → Floor is an exact floor division.

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** ECMAScript's TimeClip: a Date beyond ±8.64e15 ms is invalid, so its year, month, weekday and hour are NaN. */
const MAX_DATE_MS = 8.64e15;
/** 1970-01-01 was a Thursday: day 0 is weekday 3 when Monday is 0. */
const EPOCH_WEEKDAY = 3;
/** Days from 0000-03-01 to 1970-01-01: civil-from-days counts from a year that starts in March. */
const MARCH_0000 = 719_468;
const ERA_DAYS = 146_097;

/** ms as a double [N, 1] (NaN when missing) → [year, month, weekday, hour, days] as a double [N, 5]. */
export function datetimeFeatures(g: GraphBuilder, ms: string, name: string): string {
  const k = (v: number): string => g.doubles([v], [], 'k');
  const add = (a: string, b: string): string => g.op('Add', [a, b]);
  const sub = (a: string, b: string): string => g.op('Sub', [a, b]);
  const mul = (a: string, v: number): string => g.op('Mul', [a, k(v)]);
  const div = (a: string, v: number): string => g.op('Floor', [g.op('Div', [a, k(v)])]);
  /** a − v·⌊a / v⌋: floor division's remainder, in [0, v) for negative a too. */
  const mod = (a: string, v: number): string => sub(a, mul(div(a, v), v));

  // recipe.ts floors the raw ms for the day count, but a Date truncates fractional ms toward 0 first.
  const days = div(ms, DAY_MS);
  const t = g.op('Where', [g.op('Less', [ms, k(0)]), g.op('Ceil', [ms]), g.op('Floor', [ms])]);
  const day = div(t, DAY_MS);
  const hour = div(sub(t, mul(day, DAY_MS)), HOUR_MS);
  const weekday = mod(add(day, k(EPOCH_WEEKDAY)), 7);

  // Civil from days (Hinnant): 400-year eras of 146,097 days, years starting on 1 March so that a leap day
  // is the last day of its year. NaN flows through every op, and a comparison with it only picks between NaNs.
  const z = add(day, k(MARCH_0000));
  const era = div(z, ERA_DAYS);
  const doe = sub(z, mul(era, ERA_DAYS)); // day of era, 0 … 146096
  const leapDays = add(sub(div(doe, 1460), div(doe, 36_524)), div(doe, ERA_DAYS - 1));
  const yoe = div(sub(doe, leapDays), 365); // year of era, 0 … 399
  const doy = sub(doe, add(mul(yoe, 365), sub(div(yoe, 4), div(yoe, 100)))); // day of the March year, 0 … 365
  const mp = div(add(mul(doy, 5), k(2)), 153); // month from March, 0 … 11
  const january = g.cast(g.op('GreaterOrEqual', [mp, k(10)]), 'double'); // January or February: next civil year
  const month = sub(add(mp, k(3)), mul(january, 12));
  const year = add(add(yoe, mul(era, 400)), january);

  const parts = g.op('Concat', [year, month, weekday, hour], { axis: { int: 1 } });
  const valid = g.op('LessOrEqual', [g.op('Abs', [ms]), k(MAX_DATE_MS)]);
  const clipped = g.op('Where', [valid, parts, k(NaN)], {}, { name: `${name}_date_parts` });
  return g.op('Concat', [clipped, days], { axis: { int: 1 } }, { name: `${name}_datetime` });
}
