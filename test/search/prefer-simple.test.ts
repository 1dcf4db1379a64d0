import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadData } from '../../src/data/load.js';
import { trainPipeline, type TrainOptions } from '../../src/pipeline/train.js';
import { interpretabilityOf, withinNoise } from '../../src/search/simplicity.js';
import { tempDir } from '../helpers.js';

/** Three classes cut by two straight lines, bent a little by a third column, with noise: trees gain a hair on logistic regression, well within the folds' noise. */
function linearClasses(rows: number): string {
  let state = 11;
  const rand = (): number => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const lines = ['a,b,c,d,kind'];
  for (let i = 0; i < rows; i++) {
    const [a, b, c, d] = [rand() * 4 - 2, rand() * 4 - 2, rand(), rand()];
    const z = a + 0.7 * b + 0.4 * Math.sin(6 * c) + (rand() - 0.5) * 0.8;
    lines.push(`${a.toFixed(4)},${b.toFixed(4)},${c.toFixed(4)},${d.toFixed(4)},${z < -0.7 ? 'low' : z < 0.7 ? 'mid' : 'high'}`);
  }
  const file = join(tempDir('hyperplane-prefer-'), 'classes.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('what each candidate would cost in production, and --prefer simple', () => {
  it('the leaderboard gives each candidate its kind, fold spread, measured time a row and size; prefer simple takes logistic regression where it ties the trees, and says what that gave up and gained', async () => {
    const data = await loadData(linearClasses(700));
    const options: TrainOptions = { target: 'kind', learner: 'auto', evaluation: { kind: 'holdout', share: 0.2 }, seed: 3, timeBudgetSeconds: 120, refit: false };
    const best = await trainPipeline(data, options);
    const entry = (learner: string) => best.leaderboard.find((e) => e.learner === learner)!;
    expect(entry('logistic').interpretability).toBe('additive');
    expect(entry('gbdt').interpretability).toBe('trees');
    expect(entry('baseline').interpretability).toBe('constant');
    for (const e of best.leaderboard.filter((x) => !Number.isNaN(x.score))) {
      expect(e.latencyUs, e.learner).toBeGreaterThan(0);
      expect(e.bytes, e.learner).toBeGreaterThan(100);
      expect(e.spread, e.learner).toBeGreaterThanOrEqual(0);
    }
    // A forest of hundreds of trees is bigger and slower a row than a logistic regression.
    expect(entry('forest').bytes!).toBeGreaterThan(10 * entry('logistic').bytes!);
    expect(entry('forest').latencyUs!).toBeGreaterThan(entry('logistic').latencyUs!);
    expect(best.preference).toBeUndefined();
    // The best is an ensemble with trees in it; logistic regression alone is within noise of it.
    expect(best.package.info.learner).toMatch(/^ensemble\(.*gbdt/);

    const simple = await trainPipeline(data, { ...options, prefer: 'simple' });
    expect(simple.package.info.learner).toBe('logistic');
    expect(simple.preference).toMatch(/^--prefer simple: logistic \(accuracy 0\.\d{4}\) instead of ensemble\(.+\) \(0\.\d{4}\): gave up 0\.0\d{3} accuracy in cross-validation, within the folds' noise \(a mean gap of 0\.\d{4} a fold against 0\.\d{4}\); gained a model read as additive rather than ensemble(, [\d.]+× faster a row \(\d+ µs against \d+ µs\))?, [\d.]+× smaller/);
    // The same candidates were scored: only the choice differs.
    expect(simple.leaderboard.map((e) => [e.learner, e.score])).toEqual(best.leaderboard.map((e) => [e.learner, e.score]));
  }, 240_000);

  it('within noise means the paired fold differences average at most 1.645 standard errors; kinds come from what learners declare', () => {
    expect(withinNoise([0.9, 0.91, 0.92, 0.9, 0.91], [0.9, 0.9, 0.92, 0.91, 0.9]).within).toBe(true);
    const apart = withinNoise([0.95, 0.96, 0.95, 0.96, 0.95], [0.9, 0.91, 0.9, 0.9, 0.91]);
    expect(apart.within).toBe(false);
    expect(apart.gap).toBeCloseTo(0.05, 10);
    // Better on average: within, whatever the spread.
    expect(withinNoise([0.8, 0.8], [0.9, 0.85]).within).toBe(true);
    expect(interpretabilityOf('rules')).toBe('rules');
    expect(interpretabilityOf('scorecard')).toBe('additive');
    expect(interpretabilityOf('forest')).toBe('trees');
    expect(interpretabilityOf('ensemble(logistic×1 + gbdt×1)')).toBe('ensemble');
  });
});
