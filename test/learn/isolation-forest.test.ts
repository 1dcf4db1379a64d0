import { describe, expect, it } from 'vitest';
import { Random } from '../../src/synth/random.js';
import { fit, predict } from '../../src/learn/registry.js';
import { averagePathLength } from '../../src/learn/tree/isolation-forest.js';

describe('isolation forest', () => {
  it('ranks planted outliers above the inliers', async () => {
    const rng = new Random(5);
    const n = 1000;
    const outliers = 20;
    const d = 4;
    const data = new Float64Array((n + outliers) * d);
    for (let i = 0; i < n * d; i++) data[i] = rng.normal();
    for (let i = n * d; i < (n + outliers) * d; i++) data[i] = (rng.uniform() < 0.5 ? -1 : 1) * (5 + rng.uniform() * 3);
    const X = { data, n: n + outliers, d };
    const model = await fit('isolation_forest', X, new Float64Array(n + outliers), 'anomaly', {}, { seed: 3 });
    const scores = predict(model, X);
    expect(scores.every((s) => s > 0 && s <= 1)).toBe(true);
    // Every outlier scores above the 95th percentile of the inliers, and the ranking AUC is ~1.
    const inliers = Array.from(scores.subarray(0, n)).sort((a, b) => a - b);
    const p95 = inliers[Math.floor(n * 0.95)]!;
    expect(Array.from(scores.subarray(n)).every((s) => s > p95)).toBe(true);
    let above = 0;
    for (let o = n; o < n + outliers; o++) for (let i = 0; i < n; i++) if (scores[o]! > scores[i]!) above++;
    expect(above / (outliers * n)).toBeGreaterThan(0.99);
  });

  it('normalizes by the average path length c(n) of the original paper', () => {
    expect(averagePathLength(256)).toBeCloseTo(2 * (Math.log(255) + 0.5772156649015329) - (2 * 255) / 256, 12);
    expect(averagePathLength(2)).toBe(1);
    expect(averagePathLength(1)).toBe(0);
  });
});
