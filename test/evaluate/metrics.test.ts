import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { averagePrecision, brier, chooseThreshold, logLoss, multiclassMetrics, regressionMetrics, rocAuc, thresholdMetrics } from '../../src/evaluate/metrics.js';
import { curves } from '../../src/evaluate/curves.js';
import { ROOT } from '../helpers.js';

const ref = JSON.parse(readFileSync(`${ROOT}/test/fixtures/reference/metrics.json`, 'utf8'));

describe(`metrics against scikit-learn ${ref.sklearn} (fixtures from make_eval_fixtures.py)`, () => {
  it('binary: ROC AUC and average precision with tied scores, log loss, Brier', () => {
    const { y, p } = ref.binary;
    expect(rocAuc(y, p)).toBeCloseTo(ref.binary.auc, 12);
    expect(averagePrecision(y, p)).toBeCloseTo(ref.binary.average_precision, 12);
    expect(logLoss(y, p)).toBeCloseTo(ref.binary.log_loss, 12);
    expect(brier(y, p)).toBeCloseTo(ref.binary.brier, 12);
  });

  it('binary at threshold 0.5: accuracy, precision, recall, F1, specificity and the confusion matrix', () => {
    const t = thresholdMetrics(ref.binary.y, ref.binary.p, 0.5);
    expect(t.confusion).toEqual(ref.binary.confusion);
    for (const k of ['accuracy', 'precision', 'recall', 'f1', 'specificity'] as const) expect(t[k]).toBeCloseTo(ref.binary[k], 12);
  });

  it('multiclass: accuracy, macro and weighted F1, log loss, per-class report and confusion matrix', () => {
    const { y, proba } = ref.multiclass;
    const m = multiclassMetrics(y, proba, ['a', 'b', 'c']);
    expect(m.accuracy).toBeCloseTo(ref.multiclass.accuracy, 12);
    expect(m.macroF1).toBeCloseTo(ref.multiclass.macro_f1, 12);
    expect(m.weightedF1).toBeCloseTo(ref.multiclass.weighted_f1, 12);
    expect(m.logLoss).toBeCloseTo(ref.multiclass.log_loss, 12);
    expect(m.confusion).toEqual(ref.multiclass.confusion);
    m.perClass.forEach((c, i) => {
      expect(c.precision).toBeCloseTo(ref.multiclass.precision[i], 12);
      expect(c.recall).toBeCloseTo(ref.multiclass.recall[i], 12);
      expect(c.f1).toBeCloseTo(ref.multiclass.f1[i], 12);
      expect(c.support).toBe(ref.multiclass.support[i]);
    });
  });

  it('regression: RMSE, MAE, RMSLE, R², MAPE', () => {
    const r = regressionMetrics(ref.regression.y, ref.regression.p);
    for (const k of ['rmse', 'mae', 'rmsle', 'r2', 'mape'] as const) expect(r[k]).toBeCloseTo(ref.regression[k], 10);
    expect(regressionMetrics([1, -2], [1, 2]).rmsle).toBeNaN();
  });
});

describe('threshold selection', () => {
  const y = [0, 0, 1, 0, 1, 1, 1, 0, 1, 1];
  const p = [0.1, 0.2, 0.3, 0.35, 0.4, 0.6, 0.7, 0.75, 0.8, 0.9];
  it('max F1 picks the threshold whose F1 no other beats', () => {
    const t = chooseThreshold(y, p, { kind: 'max-f1' });
    const best = Math.max(...p.map((s) => thresholdMetrics(y, p, s).f1));
    expect(thresholdMetrics(y, p, t).f1).toBe(best);
  });
  it('target recall picks the highest threshold that reaches it', () => {
    const t = chooseThreshold(y, p, { kind: 'recall', target: 0.8 });
    expect(thresholdMetrics(y, p, t).recall).toBeGreaterThanOrEqual(0.8);
    const higher = p.filter((s) => s > t);
    for (const s of higher) expect(thresholdMetrics(y, p, s).recall).toBeLessThan(0.8);
  });
  it('a cost matrix picks the threshold with the least total cost', () => {
    const rule = { kind: 'cost' as const, falsePositive: 1, falseNegative: 5 };
    const cost = (s: number): number => {
      const c = thresholdMetrics(y, p, s).confusion;
      return c.fp * 1 + c.fn * 5;
    };
    const t = chooseThreshold(y, p, rule);
    expect(cost(t)).toBe(Math.min(...p.map(cost)));
  });
});

describe('curves', () => {
  it('ROC runs from (0,0) to (1,1); its area is the AUC; gain ends at (1,1); calibration bins cover every row', () => {
    const { y, p } = ref.binary;
    const c = curves(y, p, 10_000);
    expect(c.roc[0]).toEqual({ x: 0, y: 0 });
    expect(c.roc.at(-1)).toEqual({ x: 1, y: 1 });
    let area = 0;
    for (let i = 1; i < c.roc.length; i++) area += ((c.roc[i]!.x - c.roc[i - 1]!.x) * (c.roc[i]!.y + c.roc[i - 1]!.y)) / 2;
    expect(area).toBeCloseTo(ref.binary.auc, 12);
    expect(c.gain.at(-1)).toEqual({ x: 1, y: 1 });
    expect(c.calibration.reduce((s, b) => s + b.n, 0)).toBe(y.length);
    expect(curves(y, p, 50).roc.length).toBe(50);
  });
});

describe('NaN scores (a broken model) end every sweep and make no metric up', () => {
  // Each of these looped forever before: a group of tied scores was found with ===, and NaN equals nothing.
  const y = [1, 0, 1, 0, 1];
  const p = [0.9, Number.NaN, 0.4, Number.NaN, 0.7];
  it('AUC and average precision are NaN, not a number computed around the holes', () => {
    expect(rocAuc(y, p)).toBeNaN();
    expect(averagePrecision(y, p)).toBeNaN();
  });
  it('thresholds and curves still finish, counting every row once', () => {
    expect(Number.isNaN(chooseThreshold(y, p, { kind: 'max-f1' })) || Number.isFinite(chooseThreshold(y, p, { kind: 'max-f1' }))).toBe(true);
    const c = curves(y, p);
    expect(c.roc.at(-1)).toEqual({ x: 1, y: 1 });
  });
  it('evaluateScores refuses non-finite scores, naming the row', async () => {
    const { evaluateScores } = await import('../../src/evaluate/evaluate.js');
    const scores = new Float64Array([0.1, 0.9, 0.5, Number.NaN, 0.3, 0.7]);
    expect(() => evaluateScores('binary', [1, 0, 1], scores, ['a', 'b'])).toThrow(/non-finite score \(NaN\) for evaluated row 2/);
    expect(() => evaluateScores('regression', [1, 2], new Float64Array([1, Number.POSITIVE_INFINITY]))).toThrow(/row 2/);
  });
});
