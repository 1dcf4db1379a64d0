import { describe, expect, it } from 'vitest';
// Through dist/: the worker file exists only in the build, and the threaded histogram is tested too.
import { RowPool } from '../../dist/learn/parallel/pool.js';
import { HistogramArena } from '../../dist/learn/wasm/histogram.js';

/** (gradient, hessian, count) per bin per feature, summed directly in f64. */
function directSums(arena: HistogramArena, begin: number, end: number, d: number, unitHessian: boolean): Float64Array {
  const out = new Float64Array(d * 256 * 3);
  for (let r = begin; r < end; r++) {
    const i = arena.rows[r]!;
    for (let f = 0; f < d; f++) {
      const o = (f * 256 + arena.bins[i * d + f]!) * 3;
      out[o] += arena.grad[i]!;
      out[o + 1] += unitHessian ? 1 : arena.hess[i]!;
      out[o + 2] += arena.weights === undefined ? 1 : arena.weights[i]!;
    }
  }
  return out;
}

function fill(arena: HistogramArena, n: number, d: number): void {
  let state = 12345;
  const next = (): number => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let j = 0; j < n * d; j++) arena.bins[j] = next() < 0.05 ? 255 : Math.floor(next() * 200);
  for (let i = 0; i < n; i++) {
    arena.grad[i] = next() * 2 - 1;
    arena.hess[i] = next() * 0.25;
    if (arena.weights !== undefined) arena.weights[i] = 0.5 + next() * 2;
    arena.rows[i] = i;
  }
}

/**
 * Within `relative` of the largest entry, lane by lane (gradient, hessian, count). Fixed point keeps
 * 62 − countBits bits of gradient but only 62 − 2·countBits of hessian (26 bits at 150k rows).
 */
function expectClose(actual: Float64Array, expected: Float64Array, relative: [number, number, number]): void {
  for (let lane = 0; lane < 3; lane++) {
    let scale = 0;
    for (let j = lane; j < expected.length; j += 3) scale = Math.max(scale, Math.abs(expected[j]!));
    for (let j = lane; j < expected.length; j += 3) {
      if (Math.abs(actual[j]! - expected[j]!) > relative[lane]! * scale) expect.fail(`entry ${j}: ${actual[j]} vs ${expected[j]}`);
    }
  }
}

describe('histogram arena', () => {
  const n = 150_000;
  const d = 14; // n × d above the pool's threshold for threads
  for (const weighted of [false, true]) {
    for (const unitHessian of [false, true]) {
      it(`${weighted ? 'f64 (weighted)' : 'fixed-point'} histograms, ${unitHessian ? 'unit' : 'varying'} hessians: sums, thread partials and subtraction`, () => {
        const arena = HistogramArena.allocate(n, d, 1, weighted, 2);
        expect(arena.layout.format).toBe(weighted ? 'float' : 'fixed');
        fill(arena, n, d);
        const tolerance: [number, number, number] = weighted ? [1e-12, 1e-12, 1e-12] : [1e-12, 1e-7, 0];
        // Every other row, as a child after a split might hold: exercises the gathered kernel too.
        let m = 0;
        for (let i = 0; i < n; i++) if (i % 3 !== 1) arena.rows[m++] = i;
        const pool = RowPool.create(['histogram', 'quantize'], { X: new Float64Array(0), d, y: new Float64Array(0), s: undefined, k: 1, arena, unitHessian }, n, 5, 2);
        try {
          const scale = arena.fixedScale(0, unitHessian);
          expect(scale === undefined).toBe(weighted);
          if (scale !== undefined) pool.run(scale, new Float64Array(0), 0, n, 0, 'quantize');
          expect(pool.threads).toBe(2);
          const whole = arena.takeSlot();
          pool.run(Float64Array.of(0, whole), new Float64Array(0), 0, m);
          expect(pool.lastRunThreads).toBe(2);
          arena.mergeThreads(whole, pool.lastRunThreads);
          expectClose(arena.view(whole), directSums(arena, 0, m, d, unitHessian), tolerance);
          // A sparse part (one row in 40) built serially, then the rest by subtraction from the whole.
          const part = arena.takeSlot();
          const cut = Math.floor(m / 40);
          pool.run(Float64Array.of(0, part), new Float64Array(0), 0, cut, Infinity);
          expect(pool.lastRunThreads).toBe(1);
          expectClose(arena.view(part), directSums(arena, 0, cut, d, unitHessian), tolerance);
          arena.subtract(whole, part);
          const rest = arena.view(whole);
          const expected = directSums(arena, cut, m, d, unitHessian);
          expectClose(rest, expected, tolerance);
        } finally {
          pool.close();
        }
      });
    }
  }

  it('hands slots back for reuse and grows the memory for more', () => {
    const arena = HistogramArena.allocate(1000, 4, 1, false, 1);
    const slots = Array.from({ length: 50 }, () => arena.takeSlot());
    expect(new Set(slots).size).toBe(50);
    expect(arena.memory.buffer.byteLength).toBeGreaterThanOrEqual(slots[49]! + arena.layout.histBytes);
    arena.releaseSlot(slots[7]!);
    expect(arena.takeSlot()).toBe(slots[7]);
  });
});

describe('binning into the arena', () => {
  it('writes the same bins as the JavaScript binner, both layouts, missing values and categories included', async () => {
    const { binRows, binSearchTable, fitBins } = await import('../../dist/learn/tree/binning.js');
    const n = 3000;
    const d = 5;
    const data = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      data[i * d] = Math.sin(i) * 100; // continuous: quantile bins
      data[i * d + 1] = i % 7; // few values: a bin each
      data[i * d + 2] = i % 11 === 0 ? NaN : Math.cos(i * 0.3); // missing values
      data[i * d + 3] = i % 13 === 0 ? NaN : i % 300; // categorical codes, some ≥ 254, some missing
      data[i * d + 4] = i % 17 === 0 ? -1 : (i * 7) % 5; // categorical with a negative code (missing)
    }
    const X = { data, n, d };
    const mapper = fitBins(X, 255, [3, 4]);
    const table = binSearchTable(mapper);
    const rowMajor = new Uint8Array(n * d);
    const featureMajor = new Uint8Array(n * d);
    binRows(data, n, d, table, rowMajor, featureMajor, 0, n);
    const arena = HistogramArena.allocate(n, d, 1, false, 1);
    arena.setBinTable(table);
    arena.binRows(0, data, 0, 1500);
    arena.binRows(0, data, 1500, n);
    expect(Array.from(arena.bins)).toEqual(Array.from(rowMajor));
    expect(Array.from(arena.binsByFeature)).toEqual(Array.from(featureMajor));
    expect(new Set(rowMajor.filter((_, j) => j % d === 2)).has(255)).toBe(true);
    expect(Math.max(...rowMajor.filter((_, j) => j % d === 3 && !Number.isNaN(data[j])))).toBe(254);
  });
});

describe('binary log-loss gradients in WebAssembly', () => {
  it('match the JavaScript objective to a few units in the last place, and quantize as the quantize kernel does', async () => {
    const { binaryLogloss } = await import('../../dist/learn/tree/objectives.js');
    const n = 5001; // odd: the last row is computed alone
    const arena = HistogramArena.allocate(n, 2, 1, false, 1);
    for (let i = 0; i < n; i++) {
      arena.scores[i] = i % 97 === 0 ? (i % 2 ? 800 : -800) : Math.sin(i) * 12; // includes saturated scores
      arena.labels[i] = i % 3 === 0 ? 1 : 0;
    }
    const grad = new Float64Array(n);
    const hess = new Float64Array(n);
    binaryLogloss.gradients(arena.labels, arena.scores, undefined, grad, hess);
    arena.binaryGradients(0, n, undefined);
    for (let i = 0; i < n; i++) {
      expect(Math.abs(arena.grad[i]! - grad[i]!)).toBeLessThanOrEqual(1e-15);
      expect(Math.abs(arena.hess[i]! - hess[i]!)).toBeLessThanOrEqual(1e-15);
    }
    const scale = arena.fixedScale(0, false, { grad: 1, hess: 0.25 })!;
    const pairs = new BigInt64Array(arena.memory.buffer as ArrayBuffer, arena.layout.pairs, 2 * n);
    arena.quantize(scale, 0, n);
    const expected = pairs.slice();
    pairs.fill(0n);
    arena.binaryGradients(0, n, scale);
    expect(pairs).toEqual(expected);
  });
});
