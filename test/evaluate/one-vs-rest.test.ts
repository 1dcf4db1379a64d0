import { describe, expect, it } from 'vitest';
import { oneVsRest } from '../../src/evaluate/curves.js';
import { evaluateScores } from '../../src/evaluate/evaluate.js';
import { averagePrecision, rocAuc } from '../../src/evaluate/metrics.js';

/** Deterministic, overlapping probabilities for k classes: each row leans to its class, by a varying amount. */
function data(n: number, k: number, classOf: (i: number) => number): { y: number[]; p: Float64Array } {
  const y = Array.from({ length: n }, (_, i) => classOf(i));
  const p = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const v = 0.2 + ((i * 7919 + c * 104729) % 97) / 97 + (c === y[i] ? 0.6 * ((i * 31) % 5) / 4 : 0);
      p[i * k + c] = v;
      sum += v;
    }
    for (let c = 0; c < k; c++) p[i * k + c]! /= sum;
  }
  return { y, p };
}

describe('one-vs-rest curves of a multiclass model', () => {
  const labels = ['a', 'b', 'c'];
  const { y, p } = data(300, 3, (i) => (i % 10 < 5 ? 0 : i % 10 < 8 ? 1 : 2));

  it("each class's AUC and AP are the binary ones of its probability column against the indicator", () => {
    const ovr = oneVsRest(y, p, labels);
    expect(ovr.map((c) => c.label)).toEqual(labels);
    expect(ovr.map((c) => c.support)).toEqual([150, 90, 60]);
    for (let c = 0; c < 3; c++) {
      const is = y.map((v) => (v === c ? 1 : 0));
      const col = Array.from({ length: y.length }, (_, i) => p[i * 3 + c]!);
      expect(ovr[c]!.auc).toBe(rocAuc(is, col));
      expect(ovr[c]!.ap).toBe(averagePrecision(is, col));
      // Informative but imperfect scores: strictly between chance and perfect.
      expect(ovr[c]!.auc).toBeGreaterThan(0.55);
      expect(ovr[c]!.auc).toBeLessThan(1);
    }
  });

  it('AUC by hand on a tiny case: the share of (positive, negative) pairs ranked right, ties half', () => {
    // Class 1's column: positives score 0.6, 0.4; negatives 0.5, 0.1, 0.4 → pairs won 3 + 1.5 of 6.
    const tinyY = [1, 0, 1, 0, 0];
    const col1 = [0.6, 0.5, 0.4, 0.1, 0.4];
    const tinyP = Float64Array.from(col1.flatMap((q) => [1 - q, q]));
    const [, one] = oneVsRest(tinyY, tinyP, ['no', 'yes']);
    expect(one!.auc).toBeCloseTo(4.5 / 6, 12);
  });

  it('curves only for the largest classes, thinned; areas for all', () => {
    const ovr = oneVsRest(y, p, labels, 2, 20);
    expect(ovr.map((c) => c.roc !== undefined)).toEqual([true, true, false]);
    expect(ovr[2]!.auc).toBeGreaterThan(0.5);
    for (const c of ovr.slice(0, 2)) {
      expect(c.roc!.length).toBeLessThanOrEqual(20);
      expect(c.roc![0]).toEqual({ x: 0, y: 0 });
      expect(c.roc![c.roc!.length - 1]).toEqual({ x: 1, y: 1 });
      expect(c.pr![c.pr!.length - 1]!.x).toBe(1);
    }
  });

  it('evaluateScores gives a multiclass evaluation its one-vs-rest curves', () => {
    const e = evaluateScores('multiclass', y, p, labels);
    expect(e.oneVsRest).toEqual(oneVsRest(y, p, labels));
    expect(e.binary).toBeUndefined();
    expect(evaluateScores('binary', [0, 1, 1, 0], Float64Array.from([0.8, 0.2, 0.3, 0.7, 0.1, 0.9, 0.6, 0.4])).oneVsRest).toBeUndefined();
  });
});
