import type { RowInputs } from './inputs.js';

export type RowNorm = 'L1' | 'L2' | 'MAX';
/**
 * Numbers divided by the row's norm over them, one feature per input, computed as ONNX Runtime's
 * Normalizer (ai.onnx.ml) computes them, so that an imported model sees what it saw there: in float32;
 * L1 = Σ|x|, L2 = √Σx² (each x² rounded to float32), MAX = the largest value (signed, not |x|, NaN
 * skipped). A zero norm leaves the row as it is (rounded to float32); a NaN or ±∞ norm gives NaN.
 * `float32`: the inputs are rounded to float32 first, as a float tensor holds them.
 */
export interface NormalizeRowsStep {
  kind: 'normalize-rows';
  inputs: number[];
  norm: RowNorm;
  float32?: boolean;
}

const f32 = Math.fround;
/** The lowest finite float32: ONNX Runtime's starting maximum, so a row of NaN or −∞ keeps it. */
const LOWEST_FLOAT32 = -3.4028234663852886e38;

/**
 * See NormalizeRowsStep. Float32 arithmetic is emulated with fround after each double operation, which is
 * exact for +, ×, ÷ and √ of float32 values (double has more than twice float32's precision).
 */
export function normalizeRows(step: NormalizeRowsStep, inputs: RowInputs, out: Float64Array, at: number): void {
  const n = step.inputs.length;
  for (let j = 0; j < n; j++) {
    const v = inputs.number(step.inputs[j]!);
    out[at + j] = step.float32 === true ? f32(v) : v;
  }
  let norm = 0;
  if (step.norm === 'L2') {
    // Squares first (of the value as given, as the runtime squares the tensor's own type), then each x
    // becomes ±√(x² / Σx²): the runtime divides the squares, not the values.
    for (let j = 0; j < n; j++) norm = f32(norm + f32(out[at + j]! * out[at + j]!));
    if (norm !== 0) {
      for (let j = 0; j < n; j++) {
        const x = out[at + j]!;
        const r = f32(Math.sqrt(f32(f32(x * x) / norm)));
        out[at + j] = x < 0 ? -r : r;
      }
      return;
    }
  } else if (step.norm === 'L1') {
    for (let j = 0; j < n; j++) norm = f32(norm + f32(Math.abs(out[at + j]!)));
  } else {
    norm = LOWEST_FLOAT32;
    // A comparison with NaN is false, so NaN never becomes the maximum.
    for (let j = 0; j < n; j++) if (norm < f32(out[at + j]!)) norm = f32(out[at + j]!);
  }
  for (let j = 0; j < n; j++) out[at + j] = norm !== 0 ? f32(f32(out[at + j]!) / norm) : f32(out[at + j]!);
}
