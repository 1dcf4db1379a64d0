import { describe, expect, it } from 'vitest';
// The worker file exists only in the build, so the threaded path is tested through dist/ (built by `pretest`).
import { RowPool } from '../../dist/learn/parallel/pool.js';
import type { KernelName } from '../../dist/learn/parallel/kernels.js';

function data(n: number, d: number) {
  const X = new Float64Array(new SharedArrayBuffer(n * d * 8));
  for (let i = 0; i < X.length; i++) X[i] = Math.sin(i * 0.7) + ((i * 2654435761) % 1000) / 1000;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = i % 3;
  const s = Float64Array.from({ length: n }, (_, i) => 0.5 + (i % 4) / 4);
  return { X, y, s };
}

describe('row kernels split across worker threads', () => {
  const n = 120_001;
  const d = 21;
  const { X, y, s } = data(n, d);
  const cases: [KernelName, number, Float64Array, number][] = [
    ['binary-loss', 2, Float64Array.from({ length: d + 1 }, (_, j) => 0.05 * (j - 10)), d + 1],
    ['multinomial-loss', 3, Float64Array.from({ length: 3 * d + 3 }, (_, j) => 0.03 * ((j % 7) - 3)), 3 * d + 3],
    ['shifted-gram', 1, Float64Array.from({ length: d + 1 }, (_, j) => 0.4 + j * 0.01), d + 1],
  ];
  it.each(cases)('%s gives the serial result with two threads', (kernel, k, params, length) => {
    const yk = kernel === 'binary-loss' ? y.map((v) => (v > 0 ? 1 : 0)) : y;
    const inputs = { X, d, y: yk, s, k };
    const serial = RowPool.create(kernel, inputs, n, length, 1);
    const threaded = RowPool.create(kernel, inputs, n, length, 2);
    expect(serial.threads).toBe(1);
    expect(threaded.threads).toBe(2);
    const a = new Float64Array(kernel === 'shifted-gram' ? (d + 2) * (d + 2) : length);
    const b = new Float64Array(a.length);
    const sa = serial.run(params, a, 0, n);
    // Twice, and on a sub-range, to check the workers pick up new work and new ranges.
    threaded.run(params, new Float64Array(b.length), 0, 1000);
    const sb = threaded.run(params, b, 0, n);
    serial.close();
    threaded.close();
    expect(Math.abs(sa - sb)).toBeLessThanOrEqual(1e-9 * Math.abs(sa));
    for (let j = 0; j < a.length; j++) expect(Math.abs(a[j]! - b[j]!)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(a[j]!)));
  });
});

describe('random forest trees grown on worker threads', () => {
  it('give the same forest as growing them on the calling thread', async () => {
    const { fit: fitBuilt, predict: predictBuilt } = await import('../../dist/learn/registry.js');
    const { fit: fitSource, predict: predictSource } = await import('../../src/learn/registry.js');
    const n = 20_000;
    const d = 30; // n × d over the worker threshold, so the build uses workers; the sources can't.
    const data = Float64Array.from({ length: n * d }, (_, i) => Math.sin(i * 0.37) + ((i * 2654435761) % 97) / 97);
    const y = Float64Array.from({ length: n }, (_, i) => (data[i * d]! + data[i * d + 1]! > 1 ? 1 : 0));
    const X = { data, n, d };
    const params = { n_estimators: 8, max_depth: 8 };
    const threaded = await fitBuilt('forest', X, y, 'binary', params, { seed: 4 });
    const serial = await fitSource('forest', X, y, 'binary', params, { seed: 4 });
    expect(Array.from(predictBuilt(threaded, X))).toEqual(Array.from(predictSource(serial, X)));
    expect(threaded.state['oobScore']).toBe(serial.state['oobScore']);
  });
});

describe('batch prediction split across worker threads', () => {
  it('gives the same scores as predicting on the calling thread', async () => {
    const { loadModel: loadBuilt, predict: predictBuilt } = await import('../../dist/learn/registry.js');
    const { fit: fitSource, predict: predictSource, saveModel } = await import('../../src/learn/registry.js');
    const n = 110_000;
    const d = 20; // over the row and value thresholds for threads in the build
    const data = Float64Array.from({ length: n * d }, (_, i) => Math.cos(i * 0.61) + ((i * 2654435761) % 89) / 89);
    const y = Float64Array.from({ length: n }, (_, i) => (data[i * d]! * data[i * d + 3]! > 0.2 ? 1 : 0));
    const X = { data, n, d };
    const model = await fitSource('gbdt', X, y, 'binary', { n_estimators: 10 });
    const threaded = predictBuilt(loadBuilt(saveModel(model)), X);
    expect(Array.from(threaded)).toEqual(Array.from(predictSource(model, X)));
  });
});

describe('boosting on worker threads', () => {
  it('grows the same trees as the calling thread alone: fixed-point sums do not depend on how rows are split', async () => {
    const { fit: fitBuilt } = await import('../../dist/learn/registry.js');
    const { fit: fitSource } = await import('../../src/learn/registry.js');
    const n = 120_000;
    const d = 20; // over the thresholds for histogram, gradient and update threads in the build
    const data = Float64Array.from({ length: n * d }, (_, i) => Math.cos(i * 0.53) + ((i * 2654435761) % 83) / 83);
    const y = Float64Array.from({ length: n }, (_, i) => (data[i * d]! - data[i * d + 5]! * data[i * d + 2]! > 0.3 ? 1 : 0));
    const X = { data, n, d };
    for (const params of [{ n_estimators: 6 }, { n_estimators: 4, subsample: 0.7, early_stopping_rounds: 2 }]) {
      const threaded = await fitBuilt('gbdt', X, y, 'binary', params, { seed: 2 });
      const serial = await fitSource('gbdt', X, y, 'binary', params, { seed: 2 });
      for (const key of ['feature', 'threshold', 'leafValue']) expect(Array.from(threaded.state[key] as Float64Array)).toEqual(Array.from(serial.state[key] as Float64Array));
    }
  });
});
