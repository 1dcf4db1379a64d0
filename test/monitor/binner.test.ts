import { describe, expect, it } from 'vitest';
import { numericBin, numericReference, NumericBinner } from '../../src/monitor/sketch.js';
import { Random } from '../../src/synth/random.js';

/** The next double above or below v (a value a hair from an edge, where a rounded grid cell could misplace it). */
function nextTo(v: number, up: boolean): number {
  const f = new Float64Array([v]);
  const b = new BigInt64Array(f.buffer);
  if (v === 0) return up ? Number.MIN_VALUE : -Number.MIN_VALUE;
  b[0] = b[0]! + ((v > 0) === up ? 1n : -1n);
  return f[0]!;
}

describe('NumericBinner', () => {
  it('bins every value as the binary search does: at, beside and between edges, outside the range', () => {
    const rng = new Random(21);
    const decimals = [0.1, 0.2, 0.3, 0.7, 1.1, 1.3, 2.9, 3.3];
    const shapes: (() => number)[] = [() => decimals[rng.int(decimals.length)]! + rng.int(3) * 0.1, () => rng.normal(), () => Math.exp(3 * rng.normal()), () => rng.int(5), () => 1e6 + rng.uniform() * 1e-6, () => -rng.uniform()];
    for (const draw of shapes) {
      const edges = numericReference(Float64Array.from({ length: 5000 }, draw)).edges;
      const binner = new NumericBinner(edges);
      // The grid's cell starts too (as the binner computes them), and values a hair either side.
      const cells = 16 * edges.length;
      const lo = edges[0]!;
      const scale = cells / (edges[edges.length - 1]! - lo);
      const starts = Array.from({ length: cells + 1 }, (_, c) => lo + c / scale);
      const values = [...[...edges, ...starts].flatMap((e) => [e, nextTo(e, true), nextTo(e, false)]), ...Array.from({ length: 20_000 }, draw), -Infinity, Infinity, -1e300, 1e300];
      for (const v of values) expect(binner.bin(v), `${v}`).toBe(numericBin(edges, v));
    }
  });

  it('bins with one edge or none', () => {
    for (const edges of [[], [2]]) {
      const binner = new NumericBinner(edges);
      for (const v of [-1, 0, 1, 2, 3]) expect(binner.bin(v)).toBe(numericBin(edges, v));
    }
  });
});
