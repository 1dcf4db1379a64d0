import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadData, type LoadedData } from '../../src/data/load.js';
import { parseDateText } from '../../src/data/schema/values.js';
import { encodePackage, type ModelPackage } from '../../src/pipeline/package.js';
import { REFIT_ROWS, trainPipeline, type TrainOptions } from '../../src/pipeline/train.js';
import { fixture, tempDir } from '../helpers.js';

/** The members as bytes, without fit timings: two fits of the same learner on the same rows give the same bytes. */
function memberBytes(pkg: ModelPackage): string {
  const members = pkg.pipeline.members.map((m) => ({ ...m, model: { ...m.model, training: { ...m.model.training, durationMs: 0 } } }));
  const info = { createdAt: '', learner: '', params: {}, seed: 0, fingerprint: '', source: '', trainRows: 0, metrics: {}, evaluation: '' };
  // The monitoring reference's predictions are held-out scores, which differ by evaluation (test rows, or out of fold): the models are compared.
  const { monitor: _reference, ...pipeline } = pkg.pipeline;
  return createHash('sha256').update(encodePackage({ pipeline: { ...pipeline, members }, info })).digest('hex');
}

const holdout = { kind: 'holdout' as const, share: 0.2 };
const cancer = (extra: Partial<TrainOptions> = {}): TrainOptions => ({ target: 'diagnosis', learner: 'gbdt', params: { n_estimators: 20 }, evaluation: holdout, seed: 3, timeBudgetSeconds: 30, ...extra });

describe('train refits the chosen pipeline on every labelled row after evaluating it', () => {
  let data: LoadedData;
  /** The default (refit) gbdt on the cancer data: trained once, read by the first two tests. */
  let defaultRefit: ReturnType<typeof trainPipeline>;
  beforeAll(async () => {
    data = await loadData(fixture('breast_cancer.csv'));
    defaultRefit = trainPipeline(data, cancer());
    // Awaited by the tests; a failure is theirs, not an unhandled rejection here.
    defaultRefit.catch(() => undefined);
  });

  it('by default on a holdout: the package learned from all 569 rows, and is what a fit on all rows gives', async () => {
    const refit = await defaultRefit;
    expect(refit.fit).toMatchObject({ refit: true, rows: 569, evaluatedRows: 456 });
    expect(refit.package.info.trainRows).toBe(569);
    expect(refit.package.info.fit).toEqual({ refit: true, evaluatedRows: 456, why: expect.stringContaining('default') });
    // Cross-validation fits the package on every row, in the same order: the refit must be that very model.
    const allRows = await trainPipeline(data, cancer({ evaluation: { kind: 'cv', folds: 2 } }));
    expect(allRows.fit.refit).toBe(false);
    expect(memberBytes(refit.package)).toBe(memberBytes(allRows.package));
  }, 60_000);

  it('keeps the evaluated model with --no-refit, and its figures are the same either way', async () => {
    const refit = await defaultRefit;
    const kept = await trainPipeline(data, cancer({ refit: false }));
    expect(kept.fit).toMatchObject({ refit: false, rows: 456, why: 'as --no-refit asks' });
    expect(kept.package.info.trainRows).toBe(456);
    // The figures measure the evaluated model in both: identical.
    expect(kept.test.metrics).toEqual(refit.test.metrics);
    expect(memberBytes(kept.package)).not.toBe(memberBytes(refit.package));
    // The evaluated model's test scores are the kept package's; the refit's differ (it saw the test rows).
    const testRows = kept.pipeline.scoreTable(data.table);
    expect(Array.from(testRows)).not.toEqual(Array.from(refit.pipeline.scoreTable(data.table)));
  }, 60_000);

  it('keeps a threshold chosen on out-of-fold scores as chosen', async () => {
    const refit = await trainPipeline(data, cancer({ threshold: { kind: 'recall', target: 0.95 } }));
    const kept = await trainPipeline(data, cancer({ threshold: { kind: 'recall', target: 0.95 }, refit: false }));
    expect(refit.package.pipeline.target.threshold).toBeDefined();
    expect(refit.package.pipeline.target.threshold).toBe(kept.package.pipeline.target.threshold);
  }, 60_000);

  it("refits every member of auto's ensemble with its weight, each as a fit of its own on all rows gives", async () => {
    // All 569 rows: on fewer (300), auto chooses a lone logistic regression, and there is no ensemble to refit.
    const auto = await trainPipeline(data, { target: 'diagnosis', learner: 'auto', evaluation: holdout, seed: 1, timeBudgetSeconds: 30 });
    expect(auto.fit.refit).toBe(true);
    const members = auto.package.pipeline.members;
    const chosen = (auto.package.info.params['members'] as { learner: string; params: Record<string, unknown>; weight: number }[] | undefined) ?? [{ learner: auto.package.info.learner, params: auto.package.info.params, weight: 1 }];
    expect(members.map((m) => m.weight)).toEqual(chosen.map((c) => c.weight));
    // The heaviest member, fitted alone on every row (cross-validation's package), is the refit member.
    const first = chosen[0]!;
    const alone = await trainPipeline(data, { target: 'diagnosis', learner: first.learner, params: first.params, evaluation: { kind: 'cv', folds: 2 }, seed: 1, timeBudgetSeconds: 30 });
    const single = (pkg: ModelPackage, i: number): ModelPackage => ({ ...pkg, pipeline: { ...pkg.pipeline, members: [{ ...pkg.pipeline.members[i]!, weight: 1 }] } });
    expect(memberBytes(single(auto.package, 0))).toBe(memberBytes(single(alone.package, 0)));
  }, 120_000);

  it('includes the latest rows with a time split', async () => {
    const data = await loadData(fixture('seattle-weather.csv'));
    const options: TrainOptions = { target: 'temp_max', learner: 'baseline', evaluation: { kind: 'time', column: 'date', cutoff: parseDateText('2015-01-01') }, seed: 0, timeBudgetSeconds: 30 };
    const refit = await trainPipeline(data, options);
    expect(refit.fit).toMatchObject({ refit: true, rows: 1461, evaluatedRows: 1096 });
    // The baseline predicts the mean target: the refit's is the mean over every row, 2015 included.
    const temps = (data.table.columns.find((c) => c.name === 'temp_max') as { values: Float64Array }).values;
    const mean = temps.reduce((s, v) => s + v, 0) / temps.length;
    const before = temps.slice(0, 1096).reduce((s, v) => s + v, 0) / 1096;
    const predicted = refit.pipeline.scoreTable(data.table)[0]!;
    expect(predicted).toBeCloseTo(mean, 9);
    expect(Math.abs(predicted - before)).toBeGreaterThan(0.01);
  }, 60_000);

  it(`keeps the evaluated model above ${REFIT_ROWS.toLocaleString('en-US')} labelled rows unless --refit is given`, async () => {
    const dir = tempDir();
    const rows = ['x,y'];
    for (let i = 0; i < REFIT_ROWS + 25_000; i++) rows.push(`${i % 97},${(i % 13) + (i % 97) / 10}`);
    const file = join(dir, 'big.csv');
    writeFileSync(file, `${rows.join('\n')}\n`);
    const data = await loadData(file);
    const base: TrainOptions = { target: 'y', learner: 'baseline', evaluation: holdout, seed: 0, timeBudgetSeconds: 30 };
    const kept = await trainPipeline(data, base);
    expect(kept.fit).toMatchObject({ refit: false, rows: 100_000 });
    expect(kept.fit.why).toMatch(/125,000 labelled rows is above 100,000.*--refit/);
    const refit = await trainPipeline(data, { ...base, refit: true });
    expect(refit.fit).toMatchObject({ refit: true, rows: 125_000, evaluatedRows: 100_000, why: 'as --refit asks' });
  }, 120_000);

  it('has nothing to refit with a test file or cross-validation', async () => {
    const cv = await trainPipeline(data, cancer({ evaluation: { kind: 'cv', folds: 3 }, refit: true }));
    expect(cv.fit).toMatchObject({ refit: false, rows: 569, why: expect.stringMatching(/cross-validation fits the model on every row/) });
    const test = await trainPipeline(data, cancer({ evaluation: { kind: 'test', table: data.table, source: 'test.csv' } }));
    expect(test.fit).toMatchObject({ refit: false, rows: 569, why: 'the test data (test.csv) stays out of the model' });
  }, 60_000);
});
