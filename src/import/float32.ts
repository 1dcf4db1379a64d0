/**
 * XGBoost casts each feature to float32 and sends it left when `fvalue < split_condition` (strictly,
 * both float32); Hyperplane's trees send float64 v left when `v <= threshold`. `float64Threshold(t)`
 * gives the T with `v <= T` ⟺ `Math.fround(v) < t` for every non-NaN float64 v (but see -Infinity).
 */

const f32 = new Float32Array(1);
const f32bits = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const f64bits = new BigUint64Array(f64.buffer);

/** The largest float32 below t (t a float32, not -Infinity); below ±0 that is -2^-149. */
function float32Below(t: number): number {
  if (t === 0) return -(2 ** -149);
  f32[0] = t;
  // Positive: one ulp down is one less in the bits; negative: one more (away from zero).
  f32bits[0] = t > 0 ? f32bits[0]! - 1 : f32bits[0]! + 1;
  return f32[0]!;
}

/** The largest float64 below x (x finite, not 0). */
function float64Below(x: number): number {
  f64[0] = x;
  f64bits[0] = x > 0 ? f64bits[0]! - 1n : f64bits[0]! + 1n;
  return f64[0]!;
}

export function float64Threshold(split: number): number {
  const t = Math.fround(split);
  // Nothing is below -Infinity; -Infinity itself (and values that round to it) would still go left here.
  if (t === -Infinity) return -Infinity;
  // Below +Infinity means at most the largest float32: the step above it is 2^128 for rounding.
  const below = float32Below(t);
  const above = t === Infinity ? 2 ** 128 : t;
  // Likewise below -(largest float32), where float32Below gave -Infinity.
  const low = below === -Infinity ? -(2 ** 128) : below;
  // Float64s round to `below` up to the midpoint (exact in float64: float32s have 24-bit mantissas);
  // the midpoint itself goes to the even one of the two (Math.fround decides it).
  const mid = low / 2 + above / 2;
  return Math.fround(mid) === below ? mid : float64Below(mid);
}
