import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Matrix, Model, Task } from '../../src/learn/contract.js';
import { LearnError } from '../../src/learn/errors.js';
import { checkModel, fit, loadModel, predict, saveModel } from '../../src/learn/registry.js';
import { ROOT } from '../helpers.js';

interface Case {
  name: string;
  data: string;
  task: Task;
  params: { n_neighbors: number; weights: 'uniform' | 'distance' };
  predictions?: number[];
  probabilities?: number[][];
}
interface Fixture {
  sklearn: string;
  datasets: Record<string, { X: number[][]; y: number[]; query: number[][] }>;
  cases: Case[];
}

// make_pipeline(StandardScaler(), KNeighbors*(…)) from test/fixtures/make_knn_fixtures.py.
const fixture = JSON.parse(readFileSync(`${ROOT}/test/fixtures/reference/knn.json`, 'utf8')) as Fixture;

const matrix = (rows: number[][]): Matrix => ({ data: Float64Array.from(rows.flat()), n: rows.length, d: rows[0]!.length });

describe('knn matches scikit-learn (StandardScaler + KNeighbors*, brute force)', () => {
  for (const c of fixture.cases) {
    it(c.name, async () => {
      const ds = fixture.datasets[c.data]!;
      const model = await fit('knn', matrix(ds.X), Float64Array.from(ds.y), c.task, c.params);
      const got = predict(model, matrix(ds.query));
      const expected = c.task === 'regression' ? c.predictions! : c.probabilities!.flat();
      expect(got.length).toBe(expected.length);
      for (let i = 0; i < expected.length; i++) expect(Math.abs(got[i]! - expected[i]!), `${c.name}[${i}]`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected[i]!)));
    });
  }
});

/** The plain definition: every distance, a stable full sort (lower row first on ties), then the vote or mean. */
function naive(model: Model, X: Matrix): Float64Array {
  const s = model.state as { mean: Float64Array; scale: Float64Array; X: Float64Array; y: Float64Array; neighbors: number; weighting: string };
  const { d } = X;
  const n = s.y.length;
  const k = s.neighbors;
  const width = model.task === 'regression' ? 1 : model.nClasses;
  const out = new Float64Array(X.n * width);
  for (let i = 0; i < X.n; i++) {
    const dist: [number, number][] = [];
    for (let r = 0; r < n; r++) {
      let sum = 0;
      for (let j = 0; j < d; j++) {
        const a = (X.data[i * d + j]! - s.mean[j]!) / s.scale[j]! - s.X[r * d + j]!;
        sum += a * a;
      }
      dist.push([sum, r]);
    }
    dist.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const near = dist.slice(0, k);
    const exact = near.some(([q]) => q === 0);
    const w = near.map(([q]) => (s.weighting === 'uniform' ? 1 : exact ? (q === 0 ? 1 : 0) : 1 / Math.sqrt(q)));
    const total = w.reduce((a, b) => a + b, 0);
    if (width === 1) out[i] = near.reduce((a, [, r], t) => a + w[t]! * s.y[r]!, 0) / total;
    else near.forEach(([, r], t) => (out[i * width + s.y[r]!] += w[t]! / total));
  }
  return out;
}

/** Rows of small integers: many exact ties in distance, and exact matches with training rows. */
function gridData(n: number, d: number, seed: number, task: Task): { X: Matrix; y: Float64Array } {
  let state = seed;
  const next = (): number => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const X = Float64Array.from({ length: n * d }, () => Math.floor(next() * 4));
  const y = Float64Array.from({ length: n }, (_, i) => (task === 'regression' ? X[i * d]! * 2 - X[i * d + d - 1]! + next() : task === 'binary' ? (X[i * d]! + next() > 2 ? 1 : 0) : Math.floor(next() * 3)));
  return { X: { data: X, n, d }, y };
}

describe('knn search', () => {
  it('equals a full sort with ties by lower training row, for every weighting, task and width', async () => {
    for (const d of [1, 3, 4, 7, 9]) {
      for (const task of ['binary', 'multiclass', 'regression'] as Task[]) {
        for (const weights of ['uniform', 'distance'] as const) {
          const train = gridData(150, d, 7 + d, task);
          const query = gridData(60, d, 99 + d, task).X;
          const model = await fit('knn', train.X, train.y, task, { n_neighbors: 6, weights });
          const got = predict(model, query);
          const want = naive(model, query);
          for (let i = 0; i < want.length; i++) expect(got[i], `d=${d} ${task} ${weights} [${i}]`).toBeCloseTo(want[i]!, 12);
        }
      }
    }
  });

  it('breaks ties in distance by the lower training row', async () => {
    // Standardised, 0 sits halfway between 1 and −1, and between 3 and −3.
    const X = matrix([[1], [-1], [3], [-3]]);
    const m1 = await fit('knn', X, Float64Array.of(0, 1, 0, 1), 'binary', { n_neighbors: 1 });
    expect(Array.from(predict(m1, matrix([[0]])))).toEqual([1, 0]);
    const swapped = await fit('knn', X, Float64Array.of(1, 0, 1, 0), 'binary', { n_neighbors: 1 });
    expect(Array.from(predict(swapped, matrix([[0]])))).toEqual([0, 1]);
    // Third place is a tie between rows 2 and 3: row 2 (class 0) takes it.
    const m3 = await fit('knn', X, Float64Array.of(0, 1, 0, 1), 'binary', { n_neighbors: 3 });
    expect(Array.from(predict(m3, matrix([[0]])))).toEqual([2 / 3, 1 / 3]);
  });

  it("'distance': training rows at distance 0 take the vote alone, as in scikit-learn", async () => {
    const X = matrix([[0], [0], [1], [2], [5]]);
    const cls = await fit('knn', X, Float64Array.of(1, 2, 0, 0, 0), 'multiclass', { n_neighbors: 4, weights: 'distance' });
    expect(Array.from(predict(cls, matrix([[0]])))).toEqual([0, 0.5, 0.5]);
    const reg = await fit('knn', X, Float64Array.of(10, 20, 100, 100, 100), 'regression', { n_neighbors: 4, weights: 'distance' });
    expect(Array.from(predict(reg, matrix([[0]])))).toEqual([15]);
    // Elsewhere, by 1 / distance (standardised: the scale cancels in the ratio).
    const [p] = predict(reg, matrix([[0.5]]));
    expect(p).toBeCloseTo((10 * 2 + 20 * 2 + 100 * 2 + 100 / 1.5) / (2 + 2 + 2 + 1 / 1.5), 12);
  });

  it('standardises: a feature in large units does not swamp one in small units; a constant feature is ignored', async () => {
    // Feature 0 decides the class; feature 1 is noise 1000× larger; feature 2 is constant.
    const rows: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 40; i++) {
      rows.push([i % 2, ((i * 37) % 11) * 100, 4.2]);
      y.push(i % 2);
    }
    const model = await fit('knn', matrix(rows), Float64Array.from(y), 'binary', { n_neighbors: 3 });
    expect(Array.from(model.state['scale'] as Float64Array)[2]).toBe(1);
    const p = predict(model, matrix(rows));
    for (let i = 0; i < 40; i++) expect(p[2 * i + y[i]!]).toBeGreaterThanOrEqual(2 / 3);
  });

  it('scores a row with a missing value NaN', async () => {
    const { X, y } = gridData(50, 3, 1, 'regression');
    const model = await fit('knn', X, y, 'regression', {});
    const out = predict(model, matrix([[1, NaN, 2], [1, 1, 2]]));
    expect(Number.isNaN(out[0])).toBe(true);
    expect(Number.isFinite(out[1])).toBe(true);
  });
});

describe('knn refuses', () => {
  it('training sets above 100,000 rows, saying why', async () => {
    const n = 100_001;
    const X: Matrix = { data: Float64Array.from({ length: n }, (_, i) => i % 97), n, d: 1 };
    const y = Float64Array.from({ length: n }, (_, i) => i % 2);
    await expect(fit('knn', X, y, 'binary', {})).rejects.toThrow(LearnError);
    await expect(fit('knn', X, y, 'binary', {})).rejects.toThrow(/100,001 training rows is more than the 100,000 it takes: the model keeps every row and each prediction searches them all/);
    // 100,000 is allowed.
    const ok = await fit('knn', { data: X.data.subarray(0, n - 1), n: n - 1, d: 1 }, y.subarray(0, n - 1), 'binary', {});
    expect((ok.state['y'] as Float64Array).length).toBe(100_000);
  });

  it('a fit whose signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(fit('knn', matrix([[1], [2], [3]]), Float64Array.of(0, 1, 0), 'binary', { n_neighbors: 1 }, { signal: controller.signal })).rejects.toThrow(/aborted/);
  });

  it('more neighbours than training rows, sample weights, and bad params', async () => {
    const X = matrix([[1], [2], [3]]);
    const y = Float64Array.of(0, 1, 0);
    await expect(fit('knn', X, y, 'binary', { n_neighbors: 4 })).rejects.toThrow(/n_neighbors is 4 but there are only 3 training rows/);
    await expect(fit('knn', X, y, 'binary', {}, { weights: Float64Array.of(1, 1, 1) })).rejects.toThrow(/sample weights are not supported/);
    await expect(fit('knn', X, y, 'binary', { n_neighbors: 0 })).rejects.toThrow(/knn: parameter 'n_neighbors'/);
    await expect(fit('knn', X, y, 'binary', { weights: 'gaussian' })).rejects.toThrow(/knn: parameter 'weights'/);
    await expect(fit('knn', X, y, 'binary', { metric: 'manhattan' })).rejects.toThrow(/knn: parameter/);
  });
});

describe('knn models as files', () => {
  it('round-trips through saveModel and loadModel with the same predictions', async () => {
    for (const task of ['binary', 'multiclass', 'regression'] as Task[]) {
      const { X, y } = gridData(120, 5, 3, task);
      const model = await fit('knn', X, y, task, { n_neighbors: 7, weights: 'distance' });
      const restored = loadModel(saveModel(model));
      expect(restored.params).toEqual({ n_neighbors: 7, weights: 'distance' });
      expect(predict(restored, X)).toEqual(predict(model, X));
    }
  });

  const corruptions: { what: string; edit: (s: Model['state']) => void; message: RegExp }[] = [
    { what: 'a short X', edit: (s) => (s['X'] = (s['X'] as Float64Array).subarray(0, 10)), message: /state\.X has 10 values, expected 150 \(50 rows × 3 features\)/ },
    { what: 'a short mean', edit: (s) => (s['mean'] = new Float64Array(2)), message: /state\.mean has 2 values, expected 3 \(one per feature\)/ },
    { what: 'a zero scale', edit: (s) => ((s['scale'] as Float64Array)[1] = 0), message: /state\.scale\[1\] is 0; expected a positive number/ },
    { what: 'a NaN in X', edit: (s) => ((s['X'] as Float64Array)[4] = NaN), message: /state\.X\[4\] is NaN/ },
    { what: 'a class code out of range', edit: (s) => ((s['y'] as Float64Array)[7] = 3), message: /state\.y\[7\] is 3; expected a class code from 0 to 2/ },
    { what: 'more neighbours than rows', edit: (s) => (s['neighbors'] = 51), message: /state\.neighbors is 51; the model holds only 50 training rows/ },
    { what: 'an unknown weighting', edit: (s) => (s['weighting'] = 'gaussian'), message: /state\.weighting/ },
    { what: 'y as a list', edit: (s) => (s['y'] = [0, 1]), message: /state\.y: expected a Float64Array/ },
  ];
  for (const c of corruptions) {
    it(`refuses a state with ${c.what}, naming the field`, async () => {
      const { X, y } = gridData(50, 3, 5, 'multiclass');
      const model = await fit('knn', X, y, 'multiclass', {});
      const state = { ...model.state };
      c.edit(state);
      expect(() => checkModel({ ...model, state })).toThrow(c.message);
      expect(() => loadModel(saveModel({ ...model, state }))).toThrow(c.message);
    });
  }
});
