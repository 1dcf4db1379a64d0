import { float64Threshold } from './float32.js';

/**
 * Hyperplane's trees send a float64 v left when `v <= T`. An ONNX tree on float input compares the
 * value cast to float32; on double input, the double itself. These give the T for each comparison.
 */

const f32 = new Float32Array(1);
const f32bits = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const f64bits = new BigUint64Array(f64.buffer);

/** The float32 one step from g (a finite float32 or ±Infinity) upwards (+1) or downwards (-1). */
function stepFloat32(g: number, dir: 1 | -1): number {
  if (g === 0) return dir * 2 ** -149;
  f32[0] = g;
  f32bits[0] = (g > 0) === (dir > 0) ? f32bits[0]! + 1 : f32bits[0]! - 1;
  return f32[0]!;
}

/** The largest float32 ≤ t (strict: < t). */
function float32AtMost(t: number, strict: boolean): number {
  let g = Math.fround(t);
  if (g > t || (strict && g === t)) g = stepFloat32(g, -1);
  return g;
}

/** T with `v <= T` ⟺ `fround(v) <= g`, for a float32 g. */
function leqFloat32(g: number): number {
  if (g === Infinity) return Infinity;
  return float64Threshold(stepFloat32(g, 1));
}

/** The largest float64 below x. */
function float64Below(x: number): number {
  if (x === 0) return -Number.MIN_VALUE;
  if (x === Infinity) return Number.MAX_VALUE;
  f64[0] = x;
  f64bits[0] = x > 0 ? f64bits[0]! - 1n : f64bits[0]! + 1n;
  return f64[0]!;
}

/**
 * T with `v <= T` ⟺ `x <= t` (strict: `x < t`), where x is v cast to float32 (`float32` true) or v
 * itself. Undefined when no T works (x < -Infinity).
 */
export function leftThreshold(t: number, strict: boolean, float32: boolean): number | undefined {
  if (strict && t === -Infinity) return undefined;
  if (!float32) return strict ? float64Below(t) : t;
  return leqFloat32(float32AtMost(t, strict));
}
