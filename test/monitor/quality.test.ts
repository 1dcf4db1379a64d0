import { describe, expect, it } from 'vitest';
import { rocAuc } from '../../src/evaluate/metrics.js';
import { fit, predict } from '../../src/learn/registry.js';
import { calibrated, calibrationStep, fitIsotonic } from '../../src/monitor/calibration.js';
import { estimateFromSteps, realizedQuality } from '../../src/monitor/quality.js';
import { estimatedQuality, expectedAuc } from './cbpe-reference.js';
import { monitor } from '../../src/monitor/monitor.js';
import type { PredictionWithFeedback } from '../../src/store/serving.js';
import { Random } from '../../src/synth/random.js';

const LABELS = ['no', 'yes'];
const HOUR = 3_600_000;

/** Rows whose chance of yes is σ(2.5 x0 − x1), x0 with spread `spread`; the labels drawn from it. */
function draw(rng: Random, n: number, spread: number): { X: Float64Array; y: Float64Array } {
  const X = new Float64Array(n * 3);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    X[3 * i] = spread * rng.normal();
    X[3 * i + 1] = rng.normal();
    X[3 * i + 2] = rng.normal();
    y[i] = rng.uniform() < 1 / (1 + Math.exp(-(2.5 * X[3 * i]! - X[3 * i + 1]!))) ? 1 : 0;
  }
  return { X, y };
}

/** Answers as the server logs them: the label at 0.5 and both probabilities, at `start` + i seconds. */
function answers(proba: Float64Array, start: number): PredictionWithFeedback[] {
  return Array.from({ length: proba.length / 2 }, (_, i) => ({
    id: `p${i}`,
    model: 'm',
    version: 1,
    timestamp: start + i,
    request: {},
    response: { prediction: proba[2 * i + 1]! >= 0.5 ? 'yes' : 'no', probabilities: { no: proba[2 * i]!, yes: proba[2 * i + 1]! } },
    latencyMs: 0.1,
    feedback: null,
  }));
}

const accuracy = (proba: Float64Array, y: Float64Array): number => y.reduce((s, v, i) => s + ((proba[2 * i + 1]! >= 0.5 ? 1 : 0) === v ? 1 : 0), 0) / y.length;

describe('estimated quality (CBPE)', () => {
  it('under covariate shift that moves realized accuracy by 0.05 or more, the estimate is within ±0.02 of it', async () => {
    const rng = new Random(17);
    const train = draw(rng, 5000, 1);
    const model = await fit('logistic', { data: train.X, n: 5000, d: 3 }, train.y, 'binary');
    // Calibrated on held-out rows, as train does with its test rows.
    const heldOut = draw(rng, 5000, 1);
    const heldProba = predict(model, { data: heldOut.X, n: 5000, d: 3 });
    const calibration = fitIsotonic(Float64Array.from({ length: 5000 }, (_, i) => heldProba[2 * i + 1]!), heldOut.y);
    const testAccuracy = accuracy(heldProba, heldOut.y);
    for (const spread of [0.3, 0.5, 2.5]) {
      const window = draw(rng, 20_000, spread);
      const proba = predict(model, { data: window.X, n: 20_000, d: 3 });
      const realized = accuracy(proba, window.y);
      const [estimate] = estimatedQuality(answers(proba, 0), calibration, LABELS, HOUR);
      console.log(`x0 spread ${spread}: accuracy at training ${testAccuracy.toFixed(3)}, realized ${realized.toFixed(3)}, estimated ${estimate!.accuracy.toFixed(3)}`);
      expect(Math.abs(realized - testAccuracy)).toBeGreaterThanOrEqual(0.05);
      expect(Math.abs(estimate!.accuracy - realized)).toBeLessThanOrEqual(0.02);
      const realizedAuc = rocAuc(window.y, Float64Array.from({ length: 20_000 }, (_, i) => proba[2 * i + 1]!));
      expect(Math.abs(estimate!.auc! - realizedAuc)).toBeLessThanOrEqual(0.02);
      // What a window aggregate keeps (rows per calibration step, by the class answered) gives the same estimate.
      const steps = { positive: new Array<number>(calibration.rate.length).fill(0), negative: new Array<number>(calibration.rate.length).fill(0) };
      for (const p of answers(proba, 0)) {
        const r = p.response as { prediction: string; probabilities: Record<string, number> };
        const step = calibrationStep(calibration, r.probabilities['yes']!);
        if (r.prediction === 'yes') steps.positive[step]!++;
        else steps.negative[step]!++;
      }
      const fromSteps = estimateFromSteps(calibration, steps)!;
      expect(fromSteps.rows).toBe(20_000);
      expect(fromSteps.accuracy).toBeCloseTo(estimate!.accuracy, 12);
      expect(fromSteps.auc!).toBeCloseTo(estimate!.auc!, 9);
    }
  });

  it('expected AUC with certain labels is the AUC; isotonic steps rise and keep the mean', () => {
    const rng = new Random(4);
    const scores = Array.from({ length: 500 }, () => Math.round(rng.uniform() * 50) / 50);
    const y: number[] = scores.map((s) => (rng.uniform() < s ? 1 : 0));
    expect(expectedAuc(scores, y)).toBeCloseTo(rocAuc(y, scores), 12);
    const c = fitIsotonic([1, 2, 3, 4], [0, 1, 0, 1]);
    expect(c).toEqual({ upper: [1, 3, 4], rate: [0, 0.5, 1] });
    expect([0.5, 2.5, 3.5, 9].map((s) => calibrated(c, s))).toEqual([0, 0.5, 1, 1]);
    const fitted = fitIsotonic(scores, y);
    for (let k = 1; k < fitted.rate.length; k++) expect(fitted.rate[k]!).toBeGreaterThan(fitted.rate[k - 1]!);
    const mean = scores.reduce((s, v) => s + calibrated(fitted, v), 0) / scores.length;
    expect(mean).toBeCloseTo(y.reduce((s, v) => s + v, 0) / y.length, 12);
  });
});

describe('realized quality from feedback', () => {
  it('per window: the labelled share, the label delay and the metrics on the labelled answers', () => {
    const proba = Float64Array.from([0.9, 0.1, 0.2, 0.8, 0.6, 0.4, 0.3, 0.7, 0.5, 0.5]);
    const logged = answers(proba, 0).map((p, i) => (i < 4 ? { ...p, feedback: { id: i, outcome: ['no', 'yes', 'yes', 'no'][i]!, reward: null, timestamp: p.timestamp + (i + 1) * 60_000 } } : p));
    const [q] = realizedQuality(logged, 'binary', LABELS, 0.5, HOUR);
    expect(q).toMatchObject({ predictions: 5, labelled: 4, labelledShare: 0.8 });
    expect(q!.labelDelayMs).toEqual({ median: 180_000, p90: 240_000 });
    // Labels no, yes, yes, no against P(yes) 0.1, 0.8, 0.4, 0.7: answers no, yes, no, yes — two right;
    // of the four (yes, no) pairs only (0.4, 0.7) is ordered wrong.
    expect(q!.metrics['accuracy']).toBe(0.5);
    expect(q!.metrics['auc']).toBe(0.75);
    expect(q!.metrics['log_loss']).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8) + Math.log(0.4) + Math.log(0.3)) / 4, 12);
    // One row in each of the bins of 0.1, 0.8, 0.4 and 0.7: gaps 0.1, 0.2, 0.6 and 0.7 to the labels.
    expect(q!.metrics['calibration_error']).toBeCloseTo((0.1 + 0.2 + 0.6 + 0.7) / 4, 12);
  });
});

describe('estimated quality (CBPE) for a multiclass classifier', () => {
  /** Three classes whose scores are 2·x0, x1 and 0 (softmax-drawn labels); x0 with spread `spread`. */
  function draw3(rng: Random, n: number, spread: number): { X: Float64Array; y: Float64Array } {
    const X = new Float64Array(n * 3);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      X[3 * i] = spread * rng.normal();
      X[3 * i + 1] = rng.normal();
      X[3 * i + 2] = rng.normal();
      const e = [Math.exp(2 * X[3 * i]!), Math.exp(X[3 * i + 1]!), 1];
      const u = rng.uniform() * (e[0]! + e[1]! + e[2]!);
      y[i] = u < e[0]! ? 0 : u < e[0]! + e[1]! ? 1 : 2;
    }
    return { X, y };
  }
  const top = (proba: Float64Array, i: number): number => (proba[3 * i]! >= proba[3 * i + 1]! && proba[3 * i]! >= proba[3 * i + 2]! ? 0 : proba[3 * i + 1]! >= proba[3 * i + 2]! ? 1 : 2);

  it('under covariate shift that moves realized accuracy by 0.05 or more, expected accuracy is within ±0.02 of it, and the expected macro AUC near the realized one', async () => {
    const rng = new Random(23);
    const train = draw3(rng, 6000, 1);
    const model = await fit('logistic', { data: train.X, n: 6000, d: 3 }, train.y, 'multiclass');
    const heldOut = draw3(rng, 6000, 1);
    const heldProba = predict(model, { data: heldOut.X, n: 6000, d: 3 });
    // The reference as train builds it, from held-out scores and classes.
    const { buildReference } = await import('../../src/monitor/reference.js');
    const { estimateMulticlass } = await import('../../src/monitor/quality.js');
    // No input columns: only the prediction's reference matters here.
    const noColumns = { nRows: 0, columns: [] } as unknown as Parameters<typeof buildReference>[0];
    const reference = buildReference(noColumns, [], { scores: heldProba, rows: 6000, y: heldOut.y, source: 'held-out' });
    const { confidence, classes } = reference.prediction;
    expect(confidence).toBeDefined();
    expect(classes).toHaveLength(3);
    const testAccuracy = heldOut.y.reduce((s, v, i) => s + (top(heldProba, i) === v ? 1 : 0), 0) / 6000;
    for (const spread of [0.3, 2.5]) {
      const window = draw3(rng, 20_000, spread);
      const proba = predict(model, { data: window.X, n: 20_000, d: 3 });
      const realized = window.y.reduce((s, v, i) => s + (top(proba, i) === v ? 1 : 0), 0) / 20_000;
      // The rows per calibration step, as a window aggregate keeps them.
      const steps = { confidence: new Array<number>(confidence!.rate.length).fill(0), classes: classes!.map((c) => new Array<number>(c.rate.length).fill(0)) };
      for (let i = 0; i < 20_000; i++) {
        steps.confidence[calibrationStep(confidence!, proba[3 * i + top(proba, i)]!)]!++;
        for (let c = 0; c < 3; c++) steps.classes[c]![calibrationStep(classes![c]!, proba[3 * i + c]!)]!++;
      }
      const estimate = estimateMulticlass(confidence!, classes!, steps)!;
      const realizedAuc = [0, 1, 2].reduce((s, c) => s + rocAuc(Float64Array.from(window.y, (v) => (v === c ? 1 : 0)), Float64Array.from({ length: 20_000 }, (_, i) => proba[3 * i + c]!)), 0) / 3;
      console.log(`multiclass, x0 spread ${spread}: accuracy at training ${testAccuracy.toFixed(3)}, realized ${realized.toFixed(3)}, estimated ${estimate.accuracy.toFixed(3)}; macro AUC realized ${realizedAuc.toFixed(3)}, estimated ${estimate.auc!.toFixed(3)}`);
      expect(Math.abs(realized - testAccuracy)).toBeGreaterThanOrEqual(0.05);
      expect(Math.abs(estimate.accuracy - realized)).toBeLessThanOrEqual(0.02);
      expect(Math.abs(estimate.auc! - realizedAuc)).toBeLessThanOrEqual(0.03);
      // Folded from the answers as the server logs them, the window's estimate is the same.
      const K = ['a', 'b', 'c'];
      const logged = Array.from({ length: 20_000 }, (_, i) => ({ id: `m${i}`, model: 'm', version: 1, timestamp: i, request: {}, response: { prediction: K[top(proba, i)]!, probabilities: { a: proba[3 * i]!, b: proba[3 * i + 1]!, c: proba[3 * i + 2]! } }, latencyMs: 0.1, feedback: null }));
      const report = monitor(reference, logged, { model: 'm', version: 1, since: 0, task: 'multiclass', labels: K });
      expect(report.estimated).toHaveLength(1);
      expect(report.estimated[0]!.rows).toBe(20_000);
      expect(report.estimated[0]!.accuracy).toBeCloseTo(estimate.accuracy, 12);
      expect(report.estimated[0]!.auc!).toBeCloseTo(estimate.auc!, 12);
    }
  });
});
