import { describe, expect, it } from 'vitest';
import { float64Threshold } from '../../src/import/float32.js';

/** The float64 `k` steps from x (k > 0 up, k < 0 down), through ±0 and into ±Infinity. */
const f64 = new Float64Array(1);
const bits = new BigInt64Array(f64.buffer);
function stepDouble(x: number, k: number): number {
  // Doubles ordered as integers: negative ones mirrored so that the order is monotone.
  f64[0] = x;
  const b = bits[0]!;
  let ordered = b < 0n ? -(b & 0x7fffffffffffffffn) : b;
  ordered += BigInt(k);
  bits[0] = ordered < 0n ? -ordered | -0x8000000000000000n : ordered;
  return f64[0]!;
}

const f32 = new Float32Array(1);
const f32bits = new Int32Array(f32.buffer);
function float32Step(t: number, k: number): number {
  f32[0] = t;
  f32bits[0] = t > 0 || Object.is(t, 0) ? f32bits[0]! + k : f32bits[0]! - k;
  return f32[0]!;
}

/** `v <= T` agrees with XGBoost's `fround(v) < t` for every double within `span` steps of the interesting points. */
function expectAgrees(t: number, span = 64): void {
  const T = float64Threshold(t);
  const below = t === -Infinity ? t : float32Step(t, t > 0 || Object.is(t, 0) ? -1 : 1);
  const centres = [T, t, below, (below + t) / 2, 0, -0];
  const misses: string[] = [];
  for (const c of centres) {
    if (!Number.isFinite(c)) continue;
    for (let k = -span; k <= span; k++) {
      const v = stepDouble(c, k);
      if (Number.isNaN(v)) continue;
      if ((v <= T) !== Math.fround(v) < t) misses.push(`v=${v}`);
    }
  }
  for (const v of [Infinity, Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE, -Number.MAX_VALUE]) if ((v <= T) !== Math.fround(v) < t) misses.push(`v=${v}`);
  expect(misses, `threshold ${t} → ${T}`).toEqual([]);
}

describe('float32 split conditions as float64 thresholds', () => {
  const MAX_F32 = 3.4028234663852886e38;
  const cases: [string, number][] = [
    ['1', 1],
    ['-1', -1],
    ['2.5 (a value data holds exactly)', 2.5],
    ['0.1 (not a dyadic fraction)', Math.fround(0.1)],
    ['-0.1', Math.fround(-0.1)],
    ['0', 0],
    ['-0', -0],
    ['the smallest subnormal', 2 ** -149],
    ['minus the smallest subnormal', -(2 ** -149)],
    ['the smallest normal', 2 ** -126],
    ['minus the smallest normal', -(2 ** -126)],
    ['a tiny normal', Math.fround(3.7e-30)],
    ['a large value', Math.fround(1.2345e20)],
    ['a large negative value', Math.fround(-9.87e15)],
    ['16777216 (2^24, where float32 steps become 2)', 16777216],
    ['16777218', 16777218],
    ['the largest float32', MAX_F32],
    ['minus the largest float32', -MAX_F32],
    ['a power of two (the step below is half the step above)', 1024],
    ['minus a power of two', -1024],
  ];
  for (const [name, t] of cases) it(name, () => expectAgrees(t));

  it('+Infinity: everything that does not round to +Infinity goes left', () => {
    expectAgrees(Infinity);
    const T = float64Threshold(Infinity);
    expect(T <= Number.MAX_VALUE && T > MAX_F32).toBe(true);
  });

  it('-Infinity: every finite value goes right (only -Infinity itself differs: it goes left)', () => {
    const T = float64Threshold(-Infinity);
    for (const v of [-Number.MAX_VALUE, -1e300, 0, 1]) expect(v <= T).toBe(false);
  });

  it('a threshold sits between float32 neighbours: the float64 midpoint is decided by ties-to-even', () => {
    // 1 has an even mantissa and 1 − 2^-24 (its float32 neighbour below) an odd one: the midpoint rounds up to 1, which is not < 1.
    const T = float64Threshold(1);
    expect(T).toBe(stepDouble(1 - 2 ** -25, -1));
    // 1 + 2^-23 is odd; the midpoint with 1 rounds down to 1 (even), which is < 1 + 2^-23.
    expect(float64Threshold(1 + 2 ** -23)).toBe(1 + 2 ** -24);
  });

  it('10,000 random float32 thresholds, the doubles around each boundary', () => {
    let seed = 12345;
    const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) | 0);
    for (let i = 0; i < 10_000; i++) {
      f32bits[0] = next();
      const t = f32[0]!;
      if (Number.isNaN(t)) continue;
      expectAgrees(t, 4);
    }
  });
});
