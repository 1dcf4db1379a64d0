import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadData, type LoadedData } from '../../src/data/load.js';
import { cellText, type Table } from '../../src/data/table.js';
import { crossValidation } from '../../src/pipeline/cross-validate.js';
import { splitRows } from '../../src/pipeline/split.js';
import { encodeTarget } from '../../src/pipeline/target.js';
import { trainPipeline, type EvaluationPlan, type TrainOptions } from '../../src/pipeline/train.js';
import { tempDir } from '../helpers.js';
import { leakyCsv } from '../leaky-groups.js';

const valuesOf = (table: Table, column: string): Set<string | null> => {
  const c = table.columns.find((col) => col.name === column)!;
  return new Set(Array.from({ length: table.nRows }, (_, i) => cellText(c, i)));
};

describe('grouped evaluation (--group)', () => {
  let data: LoadedData;
  const train = (evaluation: EvaluationPlan, more: Partial<TrainOptions> = {}) =>
    trainPipeline(data, { target: 'churned', learner: 'gbdt', params: { n_estimators: 30 }, evaluation, seed: 0, timeBudgetSeconds: 30, refit: false, ...more });

  beforeAll(async () => {
    const path = join(tempDir(), 'leaky.csv');
    leakyCsv(path);
    data = await loadData(path);
  });

  it('a group holdout keeps every customer on one side, near the share asked, and says so', () => {
    const target = encodeTarget(data.table, data.schema, 'churned', data.source);
    const warnings: string[] = [];
    const split = splitRows(data.table, data.schema, target, { kind: 'holdout', share: 0.25, group: 'customer' }, 3, warnings);
    const trainCustomers = valuesOf(split.table, 'customer');
    for (const c of valuesOf(split.testTable, 'customer')) if (c !== null) expect(trainCustomers.has(c)).toBe(false);
    expect(Math.abs(split.testTable.nRows - 160)).toBeLessThanOrEqual(8);
    expect(split.evaluation).toMatch(/^group holdout: \d+ of 96 groups of 'customer' \(\d+ rows, [\d.]+%\) for test, seed 3$/);
    // 16 rows without a customer: each its own group (80 customers + 16).
    expect(warnings).toContain("16 rows have no 'customer': each is a group of its own");
    expect(split.groups).toHaveLength(split.table.nRows);
  });

  it('cross-validation by customer is not fooled by the leak that random folds fall for', async () => {
    const random = await train({ kind: 'cv', folds: 5 });
    const grouped = await train({ kind: 'cv', folds: 5, group: 'customer' });
    expect(random.test.metrics.auc).toBeGreaterThan(0.8);
    expect(grouped.test.metrics.auc).toBeLessThan(0.7);
    expect(random.test.metrics.auc! - grouped.test.metrics.auc!).toBeGreaterThan(0.2);
    expect(grouped.package.info.evaluation).toBe("5-fold group cross-validation over 640 rows (96 groups of 'customer')");
    // The id is no feature of the model: it could not carry over to new customers.
    expect(grouped.pipeline.inputColumns).not.toContain('customer');
    expect(random.pipeline.inputColumns).toContain('customer');
    expect(grouped.warnings.some((w) => w.startsWith("'customer' groups the rows for evaluation and is left out of the features"))).toBe(true);
  });

  it('a threshold is chosen on group out-of-fold scores', async () => {
    const r = await train({ kind: 'holdout', share: 0.2, group: 'customer' }, { threshold: { kind: 'max-f1' } });
    expect(r.package.pipeline.target.threshold).toBeGreaterThan(0);
    expect(r.package.pipeline.target.threshold).toBeLessThan(1);
  });

  it("auto's candidate scores keep customers whole too: its leaderboard is not optimistic", async () => {
    // An 8 s budget (not 20): on these 640 rows rbf_svm runs until the budget stops it, and scores NaN however long
    // that is; every other candidate takes well under a second, and the leaderboards' best scores are those of 20 s.
    const plain = await train({ kind: 'holdout', share: 0.2 }, { learner: 'auto', timeBudgetSeconds: 8 });
    const grouped = await train({ kind: 'holdout', share: 0.2, group: 'customer' }, { learner: 'auto', timeBudgetSeconds: 8 });
    expect(grouped.searchPlan).toMatch(/^5-fold group cross-validation on the \d+ groups of training rows$/);
    const best = (r: typeof plain) => r.leaderboard.find((e) => !Number.isNaN(e.score))!.score;
    expect(best(plain)).toBeGreaterThan(0.8);
    expect(best(grouped)).toBeLessThan(0.72);
  }, 60_000);

  it('refuses a group column that is missing, is the target, or has fewer groups than folds', async () => {
    await expect(train({ kind: 'cv', folds: 5, group: 'Customer' })).rejects.toThrow(/--group 'Customer': no such column \(did you mean 'customer'\?\); columns are: customer, signature, noise, day, churned/);
    await expect(train({ kind: 'holdout', share: 0.2, group: 'churned' })).rejects.toThrow(/--group 'churned' is the target/);
    await expect(train({ kind: 'cv', folds: 5, group: 'churned' })).rejects.toThrow(/--group 'churned' is the target/);
    // A two-valued group column (the churn flag, with another target) cannot make 3 folds.
    await expect(
      trainPipeline(data, { target: 'signature', learner: 'gbdt', params: { n_estimators: 5 }, evaluation: { kind: 'cv', folds: 3, group: 'churned' }, seed: 0, timeBudgetSeconds: 30 }),
    ).rejects.toThrow(/--group 'churned' has 2 groups: too few for 3-fold group cross-validation/);
    // An explicit recipe that reads the group column is told why it is not there.
    await expect(train({ kind: 'cv', folds: 5, group: 'customer' }, { recipe: { outputs: ['customer', 'signature'] } })).rejects.toThrow(/unknown column or group 'customer'.*\('customer' is the --group column, which is no feature\)/);
  });
});

describe('crossValidation (what search scores trials with) by group and by time', () => {
  let data: LoadedData;
  const candidate = { learner: 'gbdt', params: { n_estimators: 30 } };

  beforeAll(async () => {
    const path = join(tempDir(), 'leaky.csv');
    leakyCsv(path);
    data = await loadData(path);
  });

  it('group k-fold: scores as train --cv --group measures, well below random folds, and says how', async () => {
    const grouped = crossValidation(data, { target: 'churned', folds: 5, seed: 0, group: 'customer' });
    const random = crossValidation(data, { target: 'churned', folds: 5, seed: 0 });
    expect(grouped.plan).toBe("5-fold group cross-validation (96 groups of 'customer')");
    expect(random.plan).toBe('5-fold cross-validation (stratified)');
    expect(grouped.warnings).toEqual(["16 rows have no 'customer': each is a group of its own"]);
    const score = await grouped.score(candidate);
    expect(await random.score(candidate)).toBeGreaterThan(score + 0.2);
    // The same folds and fits as train's group cross-validation: the same score.
    const trained = await trainPipeline(data, { target: 'churned', learner: 'gbdt', params: candidate.params, evaluation: { kind: 'cv', folds: 5, group: 'customer' }, seed: 0, timeBudgetSeconds: 30 });
    expect(score).toBe(trained.test.metrics.auc);
    expect(() => crossValidation(data, { target: 'churned', folds: 3, seed: 0, group: 'churned' })).toThrow(/--group 'churned' is the target/);
    expect(() => crossValidation(data, { target: 'signature', folds: 3, seed: 0, group: 'churned' })).toThrow(/has 2 groups: too few for 3-fold/);
  });

  it('time: trained on rows before the cutoff, scored on rows from it, as train --time-split', async () => {
    const cutoff = Date.UTC(2024, 9, 1);
    const cv = crossValidation(data, { target: 'churned', folds: 5, seed: 0, time: { column: 'day', cutoff } });
    const after = Array.from({ length: 640 }, (_, row) => ((row * 7) % 366) * 86_400_000 + Date.UTC(2024, 0, 1)).filter((t) => t >= cutoff).length;
    expect(cv.rows).toBe(after);
    expect(cv.plan).toBe(`a time split: trained on the ${640 - after} rows before 2024-10-01, scored on the ${after} from it`);
    const score = await cv.score(candidate);
    const trained = await trainPipeline(data, { target: 'churned', learner: 'gbdt', params: candidate.params, evaluation: { kind: 'time', column: 'day', cutoff }, seed: 0, timeBudgetSeconds: 30, refit: false });
    expect(score).toBe(trained.test.metrics.auc);
    expect(() => crossValidation(data, { target: 'churned', folds: 5, seed: 0, time: { column: 'noise', cutoff } })).toThrow(/column 'noise': --time-split needs a date column/);
    expect(() => crossValidation(data, { target: 'churned', folds: 5, seed: 0, time: { column: 'day', cutoff }, group: 'customer' })).toThrow(/choose one of --group and --time-split/);
  });
});
