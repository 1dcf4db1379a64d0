import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectRefused, ROOT, runCliAsync, tempDir } from '../helpers.js';
import { importXgboostFile } from '../../src/import/xgboost.js';
import { decodePackage, encodePackage } from '../../src/pipeline/package.js';
import { Pipeline, type ModelMember } from '../../src/pipeline/pipeline.js';
import { readForPipeline } from '../../src/pipeline/io.js';
import { unpackTrees } from '../../src/learn/tree/pack.js';
import { leafOf } from '../../src/learn/tree/tree.js';

const DIR = join(ROOT, 'test', 'fixtures', 'xgboost');
const FEATURES = ['f_a', 'f_b', 'f_c', 'f_d', 'f_e', 'f_f'];
const CSV = join(DIR, 'test.csv');
interface Expected {
  predict: (number | number[])[];
  margin: (number | number[])[];
}
const expected = (name: string): Expected => JSON.parse(readFileSync(join(DIR, `${name}.pred.json`), 'utf8')) as Expected;
const flat = (a: (number | number[])[]): number[] => a.flatMap((v) => (Array.isArray(v) ? v : [v]));

/** The test rows as a row-major matrix (NaN for empty cells). */
function testMatrix(): { data: Float64Array; n: number } {
  const lines = readFileSync(CSV, 'utf8').trimEnd().split('\n').slice(1);
  const data = Float64Array.from(lines.flatMap((l) => l.split(',').map((c) => (c === '' ? NaN : Number(c)))));
  return { data, n: lines.length };
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const MODELS = [
  { name: 'binary', args: [] as string[], k: 2 },
  { name: 'multiclass', args: [], k: 3 },
  { name: 'regression', args: ['--features', FEATURES.join(',')], k: 1 },
];

describe('hyperplane import xgboost', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });

  for (const { name, args, k } of MODELS) {
    it(`${name}: \`hyperplane predict\` on the imported package gives XGBoost's predictions (1e-6)`, async () => {
      const out = join(dir, `${name}.hpkg`);
      const r = await runCliAsync(['import', 'xgboost', join(DIR, `${name}.json`), '--out', out, ...args]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^wrote .*${name}\\.hpkg: \\d+ trees, 6 features, \\S+ \\(gbdt, target 'target'\\)\\n$`));
      const p = await runCliAsync(['predict', out, CSV]);
      expect(p.code, p.stderr).toBe(0);
      const rows = p.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(',').map(Number));
      // Columns: the prediction, then each class's probability (classifiers).
      const scores = k === 1 ? rows.map((r) => r[0]!) : rows.flatMap((r) => r.slice(1));
      const want = flat(expected(name).predict);
      expect(rows.length).toBeGreaterThanOrEqual(1000);
      // XGBoost's binary predict gives P(class 1) only.
      const mine = name === 'binary' ? scores.filter((_, i) => i % 2 === 1) : scores;
      expect(maxDiff(mine, want)).toBeLessThan(1e-6);
    });

    it(`${name}: margins (initScore + leaves) equal XGBoost's output_margin, and the library path agrees`, async () => {
      const { pkg } = importXgboostFile(join(DIR, `${name}.json`), name === 'regression' ? { features: FEATURES } : {});
      const member = pkg.pipeline.members[0]!;
      const { model } = member as ModelMember;
      const K = model.state['outputs'] as number;
      const init = model.state['initScore'] as Float64Array;
      const trees = unpackTrees(model.state);
      const X = testMatrix();
      const margin = new Float64Array(X.n * K);
      for (let i = 0; i < X.n; i++) {
        for (let c = 0; c < K; c++) margin[i * K + c] = init[c]!;
        trees.forEach((t, j) => (margin[i * K + (j % K)] += t.leafValue[leafOf(t, X.data, i * 6)]!));
      }
      expect(maxDiff(margin, flat(expected(name).margin))).toBeLessThan(1e-5);
      const pipeline = new Pipeline(pkg.pipeline);
      const { table } = await readForPipeline(CSV, pipeline);
      const scores = pipeline.scoreTable(table);
      const want = flat(expected(name).predict);
      expect(maxDiff(name === 'binary' ? scores.filter((_, i) => i % 2 === 1) : scores, want)).toBeLessThan(1e-6);
    });
  }

  it('the fixtures put test values exactly on split conditions (where < and ≤ differ), and covers come from sum_hessian', () => {
    const json = JSON.parse(readFileSync(join(DIR, 'binary.json'), 'utf8')) as { learner: { gradient_booster: { model: { trees: { left_children: number[]; split_indices: number[]; split_conditions: number[] }[] } } } };
    const X = testMatrix();
    let onBoundary = 0;
    for (const t of json.learner.gradient_booster.model.trees) {
      t.left_children.forEach((l, node) => {
        if (l === -1) return;
        for (let i = 0; i < X.n; i++) if (X.data[i * 6 + t.split_indices[node]!] === t.split_conditions[node]) onBoundary++;
      });
    }
    expect(onBoundary).toBeGreaterThan(0);
    const { pkg } = importXgboostFile(join(DIR, 'binary.json'));
    const model = (pkg.pipeline.members[0] as ModelMember).model;
    const trees = unpackTrees(model.state);
    expect(trees.every((t) => t.nodeCover !== undefined && t.leafCover !== undefined)).toBe(true);
    // A parent's cover is its children's sum (XGBoost's hessian sums).
    const t = trees[0]!;
    const cover = (c: number): number => (c < 0 ? t.leafCover![~c]! : t.nodeCover![c]!);
    for (let i = 0; i < t.feature.length; i++) expect(cover(t.left[i]!) + cover(t.right[i]!)).toBeCloseTo(t.nodeCover![i]!, 2);
  });

  it('the package round-trips (same model state, same scores; byte for byte once loaded); labels and --name as asked', () => {
    const { pkg } = importXgboostFile(join(DIR, 'binary.json'), { labels: ['no', 'yes'], name: 'churn' });
    const bytes = encodePackage(pkg);
    const back = decodePackage(bytes, 'x.hpkg');
    expect((back.pipeline.members[0] as ModelMember).model.state).toEqual((pkg.pipeline.members[0] as ModelMember).model.state);
    expect(back.info).toEqual(pkg.info);
    // Loading orders a model's training fields as the loader's schema does; from then on the bytes are stable.
    const again = encodePackage(back);
    expect(encodePackage(decodePackage(again, 'y.hpkg'))).toEqual(again);
    const rows = [{ f_a: 0.5, f_b: -1, f_c: 0.25, f_d: null, f_e: 2, f_f: 3 }];
    expect(new Pipeline(back.pipeline).scoreRows(rows)).toEqual(new Pipeline(pkg.pipeline).scoreRows(rows));
    expect(back.pipeline.target).toEqual({ name: 'churn', task: 'binary', labels: ['no', 'yes'] });
    expect(new Pipeline(back.pipeline).inputColumns).toEqual(FEATURES);
    const multi = decodePackage(encodePackage(importXgboostFile(join(DIR, 'multiclass.json')).pkg), 'm.hpkg');
    expect(multi.pipeline.target.labels).toEqual(['0', '1', '2']);
  });

  describe('bad input: exit 2, one line naming the problem', () => {
    /** The binary fixture with `edit` applied, written to a temporary file. */
    const edited = (file: string, edit: (m: { learner: Record<string, unknown> & { objective: { name: string }; gradient_booster: { name: string; model: { trees: { split_type: number[] }[] } } } }) => void): string => {
      const m = JSON.parse(readFileSync(join(DIR, 'binary.json'), 'utf8')) as Parameters<typeof edit>[0];
      edit(m);
      const path = join(dir, file);
      writeFileSync(path, JSON.stringify(m));
      return path;
    };
    const out = (): string => join(dir, 'bad.hpkg');

    it('an unsupported objective', () =>
      expectRefused(['import', 'xgboost', edited('gamma.json', (m) => (m.learner.objective.name = 'reg:gamma')), '--out', out()], /objective 'reg:gamma' is not supported; supported: binary:logistic/));
    it('a gblinear booster', () =>
      expectRefused(['import', 'xgboost', edited('linear.json', (m) => (m.learner.gradient_booster = { name: 'gblinear', model: { trees: [] } })), '--out', out()], /booster 'gblinear' is not supported; only gbtree/));
    it('a dart booster', () =>
      expectRefused(['import', 'xgboost', edited('dart.json', (m) => (m.learner.gradient_booster.name = 'dart')), '--out', out()], /booster 'dart' is not supported/));
    it('a categorical split', () =>
      expectRefused(['import', 'xgboost', edited('cat.json', (m) => (m.learner.gradient_booster.model.trees[3]!.split_type[0] = 1)), '--out', out()], /tree 3: node 0 is a categorical split; categorical splits are not supported/));
    it('a file that is not JSON', () => {
      const path = join(dir, 'model.ubj');
      writeFileSync(path, Buffer.from([0x7b, 0x4c, 0x00, 0x00, 0xff]));
      return expectRefused(['import', 'xgboost', path, '--out', out()], /model\.ubj: not JSON; save the model with booster\.save_model/);
    });
    it('JSON that is not an XGBoost model', () => {
      const path = join(dir, 'other.json');
      writeFileSync(path, '{"hello": 1}');
      return expectRefused(['import', 'xgboost', path, '--out', out()], /other\.json: not an XGBoost JSON model: learner: /);
    });
    it('a missing file', () => expectRefused(['import', 'xgboost', join(dir, 'nope.json'), '--out', out()], /nope\.json: no such file/));
    it('--features naming too few', () => expectRefused(['import', 'xgboost', join(DIR, 'binary.json'), '--out', out(), '--features', 'a,b,c'], /--features names 3 features; the model has 6/));
    it('no feature names in the model and no --features', () => expectRefused(['import', 'xgboost', join(DIR, 'regression.json'), '--out', out()], /regression\.json: the model saves no feature names; pass --features/));
    it('--labels with three labels', () => expectRefused(['import', 'xgboost', join(DIR, 'binary.json'), '--out', out(), '--labels', 'a,b,c'], /--labels needs two different labels/));
    it('no --out: exit 2, as for any missing option', async () => {
      const r = await runCliAsync(['import', 'xgboost', join(DIR, 'binary.json')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/required option '--out <file>' not specified/);
    });
  });
});
