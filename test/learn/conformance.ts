import { describe, expect, it } from 'vitest';
import type { Learner, Matrix, Model, Task } from '../../src/learn/contract.js';
import { LearnError } from '../../src/learn/errors.js';
import { loadModel, predict, saveModel } from '../../src/learn/registry.js';
import { synthesize } from '../../src/synth/generate.js';

export type Check =
  | 'deterministic'
  | 'predict-before-fit'
  | 'wrong-feature-count'
  | 'serialize-roundtrip'
  | 'row-order-and-subsets'
  | 'no-mutation'
  | 'weights-as-duplicates'
  | 'missing-values'
  | 'abort'
  | 'single-class'
  | 'constant-feature';

export interface LearnerCase {
  learner: Learner;
  task: Task;
  /** Parameters, already complete (defaults filled by the learner's schema). */
  params: { [key: string]: unknown };
}

export interface ConformanceOptions {
  /** Checks this learner is known to fail, each with the reason: data, not name special cases. */
  expectedFailures?: Partial<Record<Check, string>>;
}

interface Data {
  X: Matrix;
  y: Float64Array;
}

function dataFor(task: Task, n = 240, d = 5, seed = 11): Data {
  const synthTask = task === 'anomaly' || task === 'cluster' ? 'regression' : task;
  const s = synthesize({ task: synthTask, rows: n, features: d, seed, classes: 3 });
  return { X: { data: s.X, n, d }, y: s.y };
}

function takeRows(X: Matrix, rows: readonly number[]): Matrix {
  const data = new Float64Array(rows.length * X.d);
  rows.forEach((r, i) => data.set(X.data.subarray(r * X.d, (r + 1) * X.d), i * X.d));
  return { data, n: rows.length, d: X.d };
}

/** The model without its timing, which is the one field allowed to differ between identical fits. */
function canonical(model: Model): Uint8Array {
  return saveModel({ ...model, training: { ...model.training, durationMs: 0 } });
}

/**
 * The contract every learner keeps, run over each learner and task (scikit-learn's estimator checks,
 * for us). A learner that can't keep one lists it in expectedFailures with the reason.
 */
export function describeLearner(factory: () => LearnerCase, options: ConformanceOptions = {}): void {
  const probe = factory();
  const { learner, task } = probe;
  const expected = options.expectedFailures ?? {};
  const check = (name: Check, body: () => Promise<void>): void => {
    const reason = expected[name];
    if (reason !== undefined) it.fails(`${name} (expected to fail: ${reason})`, body);
    else it(name, body);
  };
  const fitOn = (X: Matrix, y: Float64Array, extra: Parameters<Learner['fit']>[4] = {}): Promise<Model> => {
    const { learner: l, task: t, params } = factory();
    return l.fit(X, y, t, params, extra);
  };

  describe(`${learner.name} (${task}) keeps the learner contract`, () => {
    check('deterministic', async () => {
      const { X, y } = dataFor(task);
      const a = await fitOn(X, y, { seed: 3 });
      const b = await fitOn(X, y, { seed: 3 });
      expect(canonical(b)).toEqual(canonical(a));
    });

    check('predict-before-fit', async () => {
      const { X } = dataFor(task);
      const unfitted: Model = { kind: learner.name, formatVersion: learner.formatVersion, task, nFeatures: X.d, nClasses: 2, params: {}, state: {}, training: { iterations: 0, converged: false, durationMs: 0, finalLoss: NaN, warnings: [] } };
      expect(() => predict(unfitted, X)).toThrow(LearnError);
      expect(() => predict(unfitted, X)).toThrow(/has not been fitted/);
    });

    check('wrong-feature-count', async () => {
      const { X, y } = dataFor(task);
      const model = await fitOn(X, y);
      const narrow = dataFor(task, 10, X.d - 1).X;
      expect(() => predict(model, narrow)).toThrow(`trained on ${X.d} features but X has ${X.d - 1}`);
    });

    check('serialize-roundtrip', async () => {
      const { X, y } = dataFor(task);
      const model = await fitOn(X, y);
      const restored = loadModel(saveModel(model));
      expect(restored.kind).toBe(model.kind);
      expect(predict(restored, X)).toEqual(predict(model, X));
      expect(JSON.stringify(restored.state, (_, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v))).not.toMatch(/function/);
    });

    check('row-order-and-subsets', async () => {
      const { X, y } = dataFor(task);
      const model = await fitOn(X, y);
      const full = predict(model, X);
      const width = full.length / X.n;
      const order = Array.from({ length: X.n }, (_, i) => (i * 7919) % X.n);
      const permuted = predict(model, takeRows(X, order));
      const subset = [5, 17, 3, 100];
      const part = predict(model, takeRows(X, subset));
      order.forEach((r, i) => expect(Array.from(permuted.subarray(i * width, (i + 1) * width))).toEqual(Array.from(full.subarray(r * width, (r + 1) * width))));
      subset.forEach((r, i) => expect(Array.from(part.subarray(i * width, (i + 1) * width))).toEqual(Array.from(full.subarray(r * width, (r + 1) * width))));
    });

    check('no-mutation', async () => {
      const { X, y } = dataFor(task);
      const weights = Float64Array.from({ length: X.n }, (_, i) => 1 + (i % 3));
      const [xCopy, yCopy, wCopy] = [X.data.slice(), y.slice(), weights.slice()];
      const model = await fitOn(X, y, learner.capabilities.sampleWeights ? { weights } : {});
      predict(model, X);
      expect(X.data).toEqual(xCopy);
      expect(y).toEqual(yCopy);
      expect(weights).toEqual(wCopy);
    });

    check('weights-as-duplicates', async () => {
      if (!learner.capabilities.sampleWeights) return;
      const { X, y } = dataFor(task);
      const twice = Array.from({ length: X.n }, (_, i) => i % 4 === 0);
      const weights = Float64Array.from(twice, (t) => (t ? 2 : 1));
      const rows: number[] = [];
      for (let i = 0; i < X.n; i++) rows.push(...(twice[i] ? [i, i] : [i]));
      const weighted = await fitOn(X, y, { weights });
      const duplicated = await fitOn(takeRows(X, rows), Float64Array.from(rows, (r) => y[r]!));
      const a = predict(weighted, X);
      const b = predict(duplicated, X);
      const scale = Math.max(1, ...Array.from(b, Math.abs));
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-4 * scale);
    });

    check('missing-values', async () => {
      const { X, y } = dataFor(task);
      const data = X.data.slice();
      data[7 * X.d + 2] = NaN;
      const holed: Matrix = { ...X, data };
      switch (learner.capabilities.missingValues) {
        case 'reject':
          await expect(fitOn(holed, y)).rejects.toThrow(/missing value \(NaN\) at row 7, feature 2/);
          break;
        case 'native':
        case 'ignore': {
          const model = await fitOn(holed, y);
          expect(predict(model, holed).every(Number.isFinite)).toBe(true);
        }
      }
    });

    check('abort', async () => {
      const controller = new AbortController();
      controller.abort();
      const { X, y } = dataFor(task);
      await expect(fitOn(X, y, { signal: controller.signal })).rejects.toThrow(/aborted/);
      // Mid-training: the fit must notice within a second of the abort.
      const big = dataFor(task, 200_000, 20, 5);
      const late = new AbortController();
      setTimeout(() => late.abort(), 30);
      const started = performance.now();
      let abortedAt = Infinity;
      late.signal.addEventListener('abort', () => (abortedAt = performance.now()));
      const outcome = await fitOn(big.X, big.y, { signal: late.signal }).then(
        () => 'finished',
        (e: Error) => e.name,
      );
      const ended = performance.now();
      expect(['AbortError', 'finished']).toContain(outcome);
      if (outcome === 'AbortError') expect(ended - abortedAt).toBeLessThan(1000);
      else expect(ended - started).toBeLessThan(1000 + 30);
    });

    check('single-class', async () => {
      const { X } = dataFor(task);
      if (task === 'regression' || task === 'anomaly') return;
      const y = new Float64Array(X.n); // every row class 0
      if (learner.capabilities.singleClass === 'error') {
        await expect(fitOn(X, y)).rejects.toThrow(/single class/);
      } else if (learner.capabilities.singleClass === 'unread') {
        // y is not read: the model gives what its params say, as it would with any y.
        // Its classes come from the labels it is given, not from y.
        const classes = { classes: ['0', '1', '2'].slice(0, task === 'binary' ? 2 : 3) };
        const any = await fitOn(X, dataFor(task).y, classes);
        expect(predict(await fitOn(X, y, classes), X)).toEqual(predict(any, X));
      } else {
        const model = await fitOn(X, y);
        const p = predict(model, X);
        const k = p.length / X.n;
        for (let i = 0; i < X.n; i++) expect(p[i * k]).toBeCloseTo(1, 12);
      }
    });

    check('constant-feature', async () => {
      const { X, y } = dataFor(task);
      const data = X.data.slice();
      for (let i = 0; i < X.n; i++) data[i * X.d + 1] = 4.2;
      const model = await fitOn({ ...X, data }, y);
      expect(predict(model, { ...X, data }).every(Number.isFinite)).toBe(true);
    });
  });
}
