import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadData } from '../../src/data/load.js';
import { suspectLabels } from '../../src/evaluate/suspects.js';
import { trainPipeline } from '../../src/pipeline/train.js';
import { fixture, tempDir } from '../helpers.js';

describe('suspect labels: confident learning on out-of-fold probabilities', () => {
  it('by hand: per-class thresholds are the mean confidence in each class over its own rows; a row is suspect when another class clears its threshold and is the likeliest of those', () => {
    // Class 0's rows average p0 = (0.9 + 0.8 + 0.1) / 3 = 0.6; class 1's average p1 = (0.7 + 0.9) / 2 = 0.8.
    const y = [0, 0, 0, 1, 1];
    const p1 = [0.1, 0.2, 0.9, 0.7, 0.9];
    const scores = Float64Array.from(p1.flatMap((p) => [1 - p, p]));
    const found = suspectLabels(y, scores, 2);
    // Row 2 (labelled 0, p1 0.9 ≥ 0.8) is suspect; row 3 (labelled 1, p0 0.3 < 0.6) is not, however unsure.
    expect(found.map((s) => s.position)).toEqual([2]);
    expect(found[0]).toMatchObject({ given: 0, suggested: 1, suggestedProbability: 0.9 });
    expect(found[0]!.givenProbability).toBeCloseTo(0.1, 12);
  });

  it('5% of the labels flipped at random: at least 70% of the first k rows listed are flipped ones (k: the number flipped)', async () => {
    const [header, ...lines] = readFileSync(fixture('breast_cancer.csv'), 'utf8').trim().split('\n');
    const target = header!.split(',').indexOf('diagnosis');
    let state = 42;
    const rand = (): number => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const flipped = new Set<number>();
    while (flipped.size < Math.round(lines.length * 0.05)) flipped.add(Math.floor(rand() * lines.length));
    const edited = lines.map((line, i) => {
      if (!flipped.has(i)) return line;
      const cells = line.split(',');
      cells[target] = cells[target] === 'malignant' ? 'benign' : 'malignant';
      return cells.join(',');
    });
    const file = join(tempDir('hyperplane-suspects-'), 'flipped.csv');
    writeFileSync(file, `${[header, ...edited].join('\n')}\n`);
    const data = await loadData(file);
    const result = await trainPipeline(data, { target: 'diagnosis', learner: 'auto', evaluation: { kind: 'cv', folds: 5 }, seed: 0, timeBudgetSeconds: 120 });
    // The clean signal is strong: the model still ranks well against the noisy labels.
    expect(result.test.metrics.auc!).toBeGreaterThan(0.9);
    const k = flipped.size;
    const listed = result.suspects!.slice(0, k);
    const hits = listed.filter((s) => flipped.has(s.row - 1)).length;
    // Fewer than k may be suspect; the share is still of k, so missing ones count against it.
    expect(hits / k, `${hits} of the first ${listed.length} listed are among the ${k} flipped`).toBeGreaterThanOrEqual(0.7);
    // Rows are the data's (1 = the first data row), each with its label and the model's class.
    for (const s of listed.filter((x) => flipped.has(x.row - 1))) expect(edited[s.row - 1]!.split(',')[target]).toBe(s.label);
    expect(listed.every((s) => s.label !== s.suggested && s.probability > s.labelProbability)).toBe(true);
  }, 240_000);
});
