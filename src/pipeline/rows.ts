import { Random } from '../synth/random.js';

/** The values of `a` at `rows`, in that order. */
export function pick(a: Float64Array, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let r = 0; r < rows.length; r++) out[r] = a[rows[r]!]!;
  return out;
}

/** Every training row once, plus random repeats of the rarer classes' rows up to the largest class's count. */
export function upsampleRows(y: Float64Array, k: number, seed: number): Int32Array {
  const byClass: number[][] = Array.from({ length: k }, () => []);
  y.forEach((c, i) => byClass[c]!.push(i));
  const target = Math.max(...byClass.map((rows) => rows.length));
  const rng = new Random(seed);
  const out: number[] = [];
  for (const rows of byClass) {
    for (const i of rows) out.push(i);
    for (let extra = rows.length; extra < target && rows.length > 0; extra++) out.push(rows[rng.int(rows.length)]!);
  }
  return Int32Array.from(out).sort();
}
