import { describe, expect, it } from 'vitest';
import type { ColumnSchema } from '../../src/data/schema/schema.js';
import type { Table } from '../../src/data/table.js';
import { diagnose } from '../../src/evaluate/diagnostics.js';
import { evaluateScores } from '../../src/evaluate/evaluate.js';
import { worstSlices } from '../../src/evaluate/slices.js';
import { covariateShift } from '../../src/pipeline/shift.js';
import { Random } from '../../src/synth/random.js';

const binary = (y: number[], p: number[]) => evaluateScores('binary', y, Float64Array.from(p.flatMap((q) => [1 - q, q])));

describe('diagnostics in words', () => {
  const y = Array.from({ length: 200 }, (_, i) => (i % 4 === 0 ? 1 : 0));
  const good = y.map((v, i) => (v === 1 ? 0.6 + (i % 7) / 20 : 0.1 + (i % 9) / 30));
  const noisy = y.map((_, i) => ((i * 37) % 100) / 100);

  it('overfitting: a train/test gap', () => {
    const d = diagnose({ metric: 'auc', train: binary(y, good), test: binary(y, noisy), baseline: undefined, converged: [] });
    expect(d.map((x) => x.kind)).toContain('overfitting');
    expect(d.find((x) => x.kind === 'overfitting')!.message).toMatch(/auc is 1\.0000 on the training rows but 0\.\d{4} on the test rows/);
  });
  it('underfitting: no better than the baseline; a degenerate model predicting one class; imbalance; non-convergence', () => {
    const test = binary(y, noisy);
    const d = diagnose({
      metric: 'auc',
      train: test,
      test,
      baseline: 0.99,
      classShares: [{ label: 'no', share: 0.95 }, { label: 'yes', share: 0.05 }],
      predictedCounts: [{ label: 'no', count: 200 }, { label: 'yes', count: 0 }],
      converged: [{ learner: 'logistic', converged: false }],
    });
    expect(d.map((x) => x.kind).sort()).toEqual(['convergence', 'degenerate', 'imbalance', 'underfitting']);
    expect(d.find((x) => x.kind === 'imbalance')!.message).toMatch(/class 'yes' is only 5\.0% of the training rows.*--class-weight balanced/);
  });
  it('nothing to say about a good model on balanced data', () => {
    const e = binary(y, good);
    expect(diagnose({ metric: 'auc', train: e, test: e, baseline: 0.5, classShares: [{ label: 'a', share: 0.5 }, { label: 'b', share: 0.5 }], converged: [] })).toEqual([]);
  });
});

describe('worst slices', () => {
  it('finds the level whose rows the model scores worst', () => {
    const n = 600;
    const codes = Int32Array.from({ length: n }, (_, i) => i % 3);
    const table: Table = { nRows: n, columns: [{ kind: 'categorical', name: 'region', codes, dictionary: ['north', 'south', 'east'] }] };
    const schema: ColumnSchema[] = [{ name: 'region', type: 'categorical', reason: '' }];
    const y = Array.from({ length: n }, (_, i) => (Math.floor(i / 3) % 2));
    // Good scores everywhere but in 'east', where they are noise.
    const p = y.map((v, i) => (codes[i] === 2 ? ((i * 7919) % 101) / 101 : v === 1 ? 0.8 : 0.2));
    const scores = Float64Array.from(p.flatMap((q) => [1 - q, q]));
    const overall = binary(y, p).metrics.auc!;
    const slices = worstSlices(table, schema, 'y', 'binary', 'auc', y, scores, ['0', '1'], overall);
    expect(slices[0]).toMatchObject({ column: 'region', level: 'east', rows: 200 });
    expect(slices[0]!.score).toBeLessThan(0.7);
    expect(slices.every((s) => s.score < overall)).toBe(true);
  });
});

describe('covariate shift', () => {
  const table = (n: number, shift: number, seed: number): Table => {
    const rng = new Random(seed);
    return {
      nRows: n,
      columns: [
        { kind: 'numeric', name: 'age', values: Float64Array.from({ length: n }, () => 40 + 10 * rng.normal() + shift) },
        { kind: 'numeric', name: 'noise', values: Float64Array.from({ length: n }, () => rng.normal()) },
        { kind: 'numeric', name: 'y', values: Float64Array.from({ length: n }, () => (rng.uniform() < 0.5 ? 1 : 0)) },
      ],
    };
  };
  const schema: ColumnSchema[] = ['age', 'noise', 'y'].map((name) => ({ name, type: 'numeric', reason: '' }));

  it('a shifted feature is found, and named', async () => {
    const r = (await covariateShift(table(1500, 0, 1), table(500, 15, 2), schema, 'y', 0))!;
    expect(r.auc).toBeGreaterThan(0.8);
    expect(r.features[0]).toBe('age');
  });
  it('rows from the same population cannot be told apart', async () => {
    const r = (await covariateShift(table(1500, 0, 3), table(500, 0, 4), schema, 'y', 0))!;
    expect(r.auc).toBeLessThan(0.6);
  });
});

describe('a class the model almost never gets right', () => {
  const labels = ['rain', 'sun', 'fog', 'snow'];
  /** Test rows from (actual, predicted, how many) cells of a confusion matrix, scored one-hot-ish. */
  function multiclass(cells: [number, number, number][]) {
    const y: number[] = [];
    const p: number[] = [];
    for (const [actual, predicted, count] of cells) {
      for (let r = 0; r < count; r++) {
        y.push(actual);
        p.push(...labels.map((_, c) => (c === predicted ? 0.7 : 0.1)));
      }
    }
    return evaluateScores('multiclass', y, Float64Array.from(p), labels);
  }
  const input = (test: ReturnType<typeof multiclass>) => ({ metric: 'accuracy' as const, train: test, test, baseline: undefined, converged: [] });

  it('flags recall under 0.1 on at least 10 rows, naming the class, its recall, its rows and what it is taken for', () => {
    // fog: 1 of 20 right (recall 0.05), 15 taken for sun; snow: 0 of 6 right, but too few rows to judge.
    const test = multiclass([[0, 0, 40], [1, 1, 40], [2, 2, 1], [2, 1, 15], [2, 0, 4], [3, 0, 6]]);
    const d = diagnose(input(test)).filter((x) => x.kind === 'low-recall');
    expect(d).toHaveLength(1);
    expect(d[0]!.message).toBe("class 'fog' is almost never recognised: recall 0.050, 1 of its 20 test rows (most are predicted 'sun'). Try --class-weight balanced or --upsample, features that tell it apart, or merging it with a class it resembles.");
  });

  it('recall of exactly 0.1 is not flagged; 0 of 10 is', () => {
    const tenth = multiclass([[0, 0, 40], [1, 1, 40], [2, 2, 2], [2, 0, 18], [3, 3, 10]]);
    expect(tenth.multiclass!.perClass[2]!.recall).toBe(0.1);
    expect(diagnose(input(tenth)).map((x) => x.kind)).not.toContain('low-recall');
    const none = multiclass([[0, 0, 40], [1, 1, 40], [2, 2, 10], [3, 1, 10]]);
    expect(diagnose(input(none)).filter((x) => x.kind === 'low-recall').map((x) => x.message)).toEqual([expect.stringMatching(/^class 'snow' .* recall 0\.000, 0 of its 10 test rows \(most are predicted 'sun'\)/)]);
  });

  it('binary: the positive class found under 1 time in 10 at the threshold', () => {
    const y = Array.from({ length: 100 }, (_, i) => (i < 20 ? 1 : 0));
    const p = y.map((v, i) => (v === 1 ? (i === 0 ? 0.9 : 0.4) : 0.1));
    const d = diagnose({ ...input(binary(y, p)), classShares: [{ label: 'ok', share: 0.8 }, { label: 'fraud', share: 0.2 }] });
    expect(d.find((x) => x.kind === 'low-recall')!.message).toMatch(/^class 'fraud' is almost never recognised: recall 0\.050, 1 of its 20 test rows \(most are predicted 'ok'\).* a lower threshold\.$/);
  });

  it('a degenerate model (one class for every row) is said once, as degenerate', () => {
    const test = multiclass([[0, 0, 40], [1, 0, 40], [2, 0, 20]]);
    const d = diagnose({ ...input(test), predictedCounts: [{ label: 'rain', count: 100 }, { label: 'sun', count: 0 }, { label: 'fog', count: 0 }, { label: 'snow', count: 0 }] });
    expect(d.map((x) => x.kind)).toContain('degenerate');
    expect(d.map((x) => x.kind)).not.toContain('low-recall');
  });
});
