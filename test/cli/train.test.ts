import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readTable } from '../../src/data/read/source.js';
import { cli, fixture, ROOT, runCli, tempDir, expectCleanError, testStoreUri } from '../helpers.js';

/** A failing command: exit code 2 and one line on stderr, no stack. */
function parseCsv(text: string): string[][] {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => l.split(','));
}

describe('train → predict → evaluate on real data', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });

  it('a named learner on penguins (multiclass, missing values, categories): package, report, summary, predictions, evaluation', () => {
    const out = join(dir, 'penguins');
    const train = runCli(['train', fixture('penguins.json'), '--target', 'Species', '--learner', 'gbdt', '--n-estimators', '40', '--out', out]);
    expect(train.code, train.stderr).toBe(0);
    expect(train.stdout).toMatch(/model: gbdt +\(multiclass, target 'Species'/);
    for (const f of ['model.hpkg', 'report.html', 'summary.json']) expect(existsSync(join(out, f))).toBe(true);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.target.labels).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    expect(summary.test.accuracy).toBeGreaterThan(0.9);
    expect(summary.evaluation).toMatch(/stratified holdout: 20% of rows \(69\)/);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/Confusion matrix/);
    expect(html).not.toMatch(/<script/);

    const predict = runCli(['predict', join(out, 'model.hpkg'), fixture('penguins.json')]);
    expect(predict.code, predict.stderr).toBe(0);
    const rows = parseCsv(predict.stdout);
    expect(rows[0]).toEqual(['prediction', 'proba_Adelie', 'proba_Chinstrap', 'proba_Gentoo']);
    expect(rows).toHaveLength(345);
    for (const r of rows.slice(1)) expect(Number(r[1]) + Number(r[2]) + Number(r[3])).toBeCloseTo(1, 12);
    const truth = (JSON.parse(readFileSync(fixture('penguins.json'), 'utf8')) as { Species: string }[]).map((p) => p.Species);
    const correct = rows.slice(1).filter((r, i) => r[0] === truth[i]).length;

    const evaluate = runCli(['evaluate', join(out, 'model.hpkg'), fixture('penguins.json'), '--json']);
    expect(evaluate.code, evaluate.stderr).toBe(0);
    expect(JSON.parse(evaluate.stdout).accuracy).toBeCloseTo(correct / 344, 12);

    // A reader that goes away after one line (`| head -1`): exit 0 and nothing on stderr, not an EPIPE stack trace.
    for (const command of ['predict', 'evaluate']) {
      const cut = spawnSync('sh', ['-c', `"${process.execPath}" "${join(ROOT, 'dist', 'cli', 'main.js')}" ${command} "${join(out, 'model.hpkg')}" "${fixture('penguins.json')}" | head -1`], { encoding: 'utf8', env: { ...process.env, HYPERPLANE_STORE: testStoreUri() } });
      expect(cut.stderr, command).toBe('');
      expect(cut.stdout.split('\n').filter((l) => l !== '')).toHaveLength(1);
    }
  });

  it('knn and the RBF SVM by name, with their parameter flags: packages that predict and evaluate as train measured them', async () => {
    const trainOne = (name: string, args: string[]) => cli(['train', fixture('breast_cancer.csv'), '--target', 'diagnosis', '--learner', name, ...args, '--no-refit', '--json', '--no-track', '--out', join(dir, name)]);
    const [knn, svm] = await Promise.all([trainOne('knn', ['--n-neighbors', '15', '--weights', 'distance']), trainOne('rbf_svm', ['--C', '10', '--n-components', '500'])]);
    for (const [r, name, params] of [[knn, 'knn', { n_neighbors: 15, weights: 'distance' }], [svm, 'rbf_svm', { C: 10, n_components: 500 }]] as const) {
      expect(r.code, r.stderr).toBe(0);
      const summary = JSON.parse(r.stdout);
      expect(summary.learner).toBe(name);
      expect(summary.params).toMatchObject(params);
      expect(summary.test.auc).toBeGreaterThan(0.97);
      // The package scores the whole file; evaluate on the same file gives a figure of its own, close to the test's.
      const [predicted, evaluated] = await Promise.all([cli(['predict', join(dir, name, 'model.hpkg'), fixture('breast_cancer.csv'), '--out', join(dir, `${name}.csv`)]), cli(['evaluate', join(dir, name, 'model.hpkg'), fixture('breast_cancer.csv'), '--json'])]);
      expect(predicted.code, predicted.stderr).toBe(0);
      const rows = parseCsv(readFileSync(join(dir, `${name}.csv`), 'utf8'));
      expect(rows[0]).toEqual(['prediction', 'proba_benign', 'proba_malignant']);
      expect(rows).toHaveLength(570);
      expect(evaluated.code, evaluated.stderr).toBe(0);
      expect(JSON.parse(evaluated.stdout).auc).toBeGreaterThan(0.97);
    }
  });

  it('predictions carry the id column, and Parquet output holds the same values as CSV', async () => {
    const lines = readFileSync(fixture('breast_cancer.csv'), 'utf8').trimEnd().split('\n');
    const withIds = lines.map((l, i) => `${i === 0 ? 'patient' : `P${String(i).padStart(4, '0')}`},${l}`).join('\n');
    writeFileSync(join(dir, 'bc-ids.csv'), `${withIds}\n`);
    const out = join(dir, 'ids');
    const train = runCli(['train', join(dir, 'bc-ids.csv'), '--target', 'diagnosis', '--learner', 'gbdt', '--n-estimators', '20', '--out', out]);
    expect(train.code, train.stderr).toBe(0);
    const csv = runCli(['predict', join(out, 'model.hpkg'), join(dir, 'bc-ids.csv')]);
    expect(csv.code, csv.stderr).toBe(0);
    const rows = parseCsv(csv.stdout);
    expect(rows[0]![0]).toBe('patient');
    expect(rows[0]!.slice(1, 2)).toEqual(['prediction']);
    expect(rows.slice(1).map((r) => r[0])).toEqual(lines.slice(1).map((_, i) => `P${String(i + 1).padStart(4, '0')}`));
    const parquetPath = join(dir, 'ids.parquet');
    const parquet = runCli(['predict', join(out, 'model.hpkg'), join(dir, 'bc-ids.csv'), '--out', parquetPath]);
    expect(parquet.code, parquet.stderr).toBe(0);
    const { table } = await readTable(parquetPath);
    expect(table.columns.map((c) => c.name)).toEqual(rows[0]);
    const proba = table.columns[3]!;
    expect(proba.kind).toBe('numeric');
    if (proba.kind === 'numeric') expect(Array.from(proba.values)).toEqual(rows.slice(1).map((r) => Number(r[3])));
  });

  it('auto on breast cancer: a leaderboard of every family within the time budget, a model that beats the baseline', () => {
    const out = join(dir, 'auto');
    const started = Date.now();
    const r = runCli(['train', fixture('breast_cancer.csv'), '--target', 'diagnosis', '--time-budget', '20', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(40_000);
    const summary = JSON.parse(r.stdout);
    const learners = new Set(summary.leaderboard.map((e: { learner: string }) => e.learner));
    for (const l of ['baseline', 'logistic', 'gbdt', 'forest', 'knn', 'rbf_svm']) expect(learners.has(l)).toBe(true);
    expect(summary.learner).not.toBe('baseline');
    expect(summary.test.auc).toBeGreaterThan(0.97);
    const baseline = summary.leaderboard.find((e: { learner: string }) => e.learner === 'baseline');
    expect(summary.leaderboard[0].score).toBeGreaterThan(baseline.score);
  });

  it('cross-validation, a time split and a separate test file', () => {
    const cv = runCli(['train', fixture('wine.csv'), '--target', 'cultivar', '--learner', 'logistic', '--cv', '3', '--out', join(dir, 'cv'), '--json']);
    expect(cv.code, cv.stderr).toBe(0);
    expect(JSON.parse(cv.stdout).evaluation).toMatch(/^3-fold cross-validation \(stratified\) over 178 rows/);
    const time = runCli(['train', fixture('seattle-weather.csv'), '--target', 'weather', '--learner', 'gbdt', '--n-estimators', '20', '--time-split', 'date=2015-01-01', '--out', join(dir, 'time'), '--json']);
    expect(time.code, time.stderr).toBe(0);
    expect(JSON.parse(time.stdout).evaluation).toMatch(/^time split: train before 2015-01-01 \(1,096 rows\), test on or after \(365\)/);
    const lines = readFileSync(fixture('breast_cancer.csv'), 'utf8').trimEnd().split('\n');
    writeFileSync(join(dir, 'bc-train.csv'), `${lines.slice(0, 400).join('\n')}\n`);
    writeFileSync(join(dir, 'bc-test.csv'), `${[lines[0], ...lines.slice(400)].join('\n')}\n`);
    const test = runCli(['train', join(dir, 'bc-train.csv'), '--target', 'diagnosis', '--learner', 'logistic', '--test', join(dir, 'bc-test.csv'), '--out', join(dir, 'test'), '--json']);
    expect(test.code, test.stderr).toBe(0);
    expect(JSON.parse(test.stdout).evaluation).toMatch(/separate test data \(.*bc-test\.csv, 170 rows\)/);
  });

  it('upsampling the rarer classes, and a decision threshold chosen on out-of-fold scores', () => {
    const up = runCli(['train', fixture('seattle-weather.csv'), '--target', 'weather', '--learner', 'gbdt', '--n-estimators', '20', '--upsample', '--out', join(dir, 'up'), '--json']);
    expect(up.code, up.stderr).toBe(0);
    // 1,169 training rows, 'rain' (the largest class) 513 of them: five classes × 513.
    expect(JSON.parse(up.stdout).warnings).toContain('upsampled the training rows from 1,169 to 2,565: every class as frequent as the most frequent');
    const recall = runCli(['train', fixture('breast_cancer.csv'), '--target', 'diagnosis', '--learner', 'logistic', '--threshold', 'recall=0.99', '--out', join(dir, 'recall'), '--json']);
    expect(recall.code, recall.stderr).toBe(0);
    const cheap = runCli(['train', fixture('breast_cancer.csv'), '--target', 'diagnosis', '--learner', 'logistic', '--threshold', 'cost=1:1', '--out', join(dir, 'cheap'), '--json']);
    const high = JSON.parse(recall.stdout);
    const low = JSON.parse(cheap.stdout);
    // Demanding 99% recall moves the threshold down from where equal costs put it.
    expect(high.target.threshold).toBeLessThan(low.target.threshold);
    expect(high.test.f1).toBeGreaterThan(0.8);
    const r = runCli(['train', fixture('breast_cancer.csv'), '--target', 'diagnosis', '--threshold', 'best']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--threshold 'best': expected max-f1, recall=R/);
  });

  it('refits on every labelled row by default, says so, and --no-refit (flag or config) keeps the evaluated model', () => {
    const refit = runCli(['train', fixture('breast_cancer.csv'), '--target', 'diagnosis', '--learner', 'logistic', '--out', join(dir, 'refit')]);
    expect(refit.code, refit.stderr).toBe(0);
    expect(refit.stdout).toMatch(/model: logistic +\(binary, target 'diagnosis', 569 training rows\)/);
    expect(refit.stdout).toContain('fit: refit on all 569 labelled rows after evaluation, the default up to 100,000 rows (--no-refit keeps the evaluated model); the test metrics measure the evaluated model (fitted on 456 rows), an estimate of this one');
    expect(JSON.parse(readFileSync(join(dir, 'refit', 'summary.json'), 'utf8')).fit).toMatchObject({ refit: true, rows: 569, evaluatedRows: 456 });
    const kept = runCli(['train', fixture('breast_cancer.csv'), '--target', 'diagnosis', '--learner', 'logistic', '--no-refit', '--out', join(dir, 'kept'), '--json']);
    expect(kept.code, kept.stderr).toBe(0);
    expect(JSON.parse(kept.stdout).fit).toEqual({ refit: false, rows: 456, evaluatedRows: 456, why: 'as --no-refit asks' });
    // The figures measure the evaluated model either way.
    expect(JSON.parse(kept.stdout).test).toEqual(JSON.parse(readFileSync(join(dir, 'refit', 'summary.json'), 'utf8')).test);
    writeFileSync(join(dir, 'norefit.json'), JSON.stringify({ data: fixture('breast_cancer.csv'), target: 'diagnosis', learner: 'logistic', refit: false }));
    const config = runCli(['train', '--config', join(dir, 'norefit.json'), '--out', join(dir, 'config'), '--json']);
    expect(config.code, config.stderr).toBe(0);
    expect(JSON.parse(config.stdout).fit.refit).toBe(false);
    const flagWins = runCli(['train', '--config', join(dir, 'norefit.json'), '--refit', '--out', join(dir, 'flag'), '--json']);
    expect(JSON.parse(flagWins.stdout).fit).toMatchObject({ refit: true, why: 'as --refit asks' });
  });

  it('rows without a target are dropped, with a count', () => {
    const lines = readFileSync(fixture('breast_cancer.csv'), 'utf8').trimEnd().split('\n');
    const blanked = lines.map((l, i) => (i === 5 || i === 9 ? l.replace(/,[^,]*$/, ',') : l));
    writeFileSync(join(dir, 'holes.csv'), `${blanked.join('\n')}\n`);
    const r = runCli(['train', join(dir, 'holes.csv'), '--target', 'diagnosis', '--learner', 'logistic', '--out', join(dir, 'holes'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).warnings).toContain("2 rows have no 'diagnosis' and were dropped");
  });
});

describe('train, predict and evaluate: bad input gets one clear line', () => {
  let dir: string;
  let model: string;
  beforeAll(() => {
    dir = tempDir();
    model = join(dir, 'm', 'model.hpkg');
    const r = runCli(['train', fixture('penguins.json'), '--target', 'Species', '--learner', 'logistic', '--out', join(dir, 'm')]);
    if (r.code !== 0) throw new Error(r.stderr);
    writeFileSync(join(dir, 'one-class.csv'), 'x,y\n1,a\n2,a\n3,a\n');
    const rows = JSON.parse(readFileSync(fixture('penguins.json'), 'utf8')) as Record<string, unknown>[];
    writeFileSync(join(dir, 'no-island.json'), JSON.stringify(rows.map(({ Island: _, ...rest }) => rest)));
    writeFileSync(join(dir, 'corrupt.hpkg'), 'HPPKG\0\0\0\x05\0\0\0{nope');
    const bytes = readFileSync(model);
    const text = bytes.toString('latin1').replace('{"package":1,', '{"package":9,');
    writeFileSync(join(dir, 'newer.hpkg'), Buffer.from(text, 'latin1'));
  });

  it('a target with one class', () => expectCleanError(['train', join(dir, 'one-class.csv'), '--target', 'y'], /column 'y': cannot be a target: it has a single value/));
  it('an unknown target', () => expectCleanError(['train', fixture('penguins.json'), '--target', 'species'], /--target 'species': no such column \(did you mean 'Species'\?\)/));
  it('a parameter of another learner', () => expectCleanError(['train', fixture('penguins.json'), '--target', 'Species', '--learner', 'logistic', '--num-leaves', '7'], /--num-leaves is a parameter of gbdt, not of logistic/));
  it('a bad parameter value', () => expectCleanError(['train', fixture('penguins.json'), '--target', 'Species', '--learner', 'gbdt', '--num-leaves', '1'], /^hyperplane: error: --num-leaves 1: Too small: expected number to be >=2$/));
  it('a scorecard of a multiclass target', () => expectCleanError(['train', fixture('penguins.json'), '--target', 'Species', '--learner', 'scorecard'], /scorecard is for binary targets; this target is multiclass/));
  it('a scorecard with PDO or odds of 0 or less', () => {
    expectCleanError(['train', fixture('credit_card.csv'), '--target', 'declined', '--learner', 'scorecard', '--pdo', '0'], /^hyperplane: error: --pdo 0: /);
    expectCleanError(['train', fixture('credit_card.csv'), '--target', 'declined', '--learner', 'scorecard', '--base-odds', '0:19'], /^hyperplane: error: --base-odds 0:19: expected odds above 0/);
  });
  it('a metric of another task', () => expectCleanError(['train', fixture('penguins.json'), '--target', 'Species', '--metric', 'rmse'], /field 'metric': 'rmse' does not apply to a multiclass task/));
  it('predict data missing a column the model needs', () => expectCleanError(['predict', model, join(dir, 'no-island.json')], /no-island\.json, column 'Island': the model needs column 'Island', which the data does not have/));
  it('a corrupt model file', () => expectCleanError(['predict', join(dir, 'corrupt.hpkg'), fixture('penguins.json')], /corrupt\.hpkg: the package is truncated|corrupt\.hpkg: the package header is corrupt/));
  it('a model from a newer format', () => expectCleanError(['predict', join(dir, 'newer.hpkg'), fixture('penguins.json')], /newer\.hpkg: the package is format 9, newer than this Hyperplane reads \(1\); upgrade Hyperplane/));
  it('not a model at all', () => expectCleanError(['predict', fixture('wine.csv'), fixture('penguins.json')], /wine\.csv: not a Hyperplane model package/));
  it("a folder as the model: train --out's folder means its model.hpkg; another folder is named", () => {
    const r = runCli(['predict', join(dir, 'm'), fixture('penguins.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^prediction,proba_/);
    expect(r.stdout).toBe(runCli(['predict', model, fixture('penguins.json')]).stdout);
    expectCleanError(['predict', dir, fixture('penguins.json')], /: a folder without model\.hpkg: give a model package file, or the folder train --out wrote$/);
  });
  it('evaluate data without the target', () => expectCleanError(['evaluate', model, join(dir, 'one-class.csv')], /the model needs columns/));
});
