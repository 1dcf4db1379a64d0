import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import protoPkg from 'onnx-proto';
import { afterAll, describe, expect, it } from 'vitest';
import { HyperplaneError } from '../../src/errors.js';
import { packTrees, unpackTrees } from '../../src/learn/tree/pack.js';
import { importOnnxFile } from '../../src/import/onnx.js';
import { exportOnnx, type OnnxExport } from '../../src/onnx/index.js';
import type { ModelPackage } from '../../src/pipeline/package.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { ROOT } from '../helpers.js';
import { fitPackage, inputRows, scoringRows, type Rows } from './export-data.js';
import { expectOnnxCheckerPasses } from './onnx-checker.js';

const { onnx } = protoPkg;

/** The next double above x (x > 0). */
function nextUp(x: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) + 1n);
  return view.getFloat64(0);
}

const scored = scoringRows(10_000, 101);
/** The largest difference seen in each test, printed at the end. */
const seen: Record<string, number> = {};

/** The rows as the server takes them: JSON objects, null where a number is missing. */
function jsonRows(r: Rows): Record<string, unknown>[] {
  return r.x1.map((x1, i) => ({ x1: Number.isNaN(x1) ? null : x1, x2: Number.isNaN(r.x2[i]!) ? null : r.x2[i], color: r.color[i], flag: r.flag[i] }));
}

/** The graph's inputs from the rows: numbers as float64 [N, 1] (NaN when missing), labels as strings ("" when missing). */
function feeds(exported: OnnxExport, r: Rows): Record<string, ort.Tensor> {
  const N = r.x1.length;
  const out: Record<string, ort.Tensor> = {};
  for (const input of exported.inputs) {
    const values = r[input.name as keyof Rows];
    out[input.name] = input.type === 'double' ? new ort.Tensor('float64', Float64Array.from(values as number[]), [N, 1]) : new ort.Tensor('string', (values as (string | null)[]).map((v) => v ?? ''), [N, 1]);
  }
  return out;
}

/** Exports the package, scores the rows with ONNX Runtime and with Hyperplane, and checks they agree. */
async function roundTrip(name: string, pkg: ModelPackage, rows = scored): Promise<{ exported: OnnxExport; scores: Float64Array }> {
  const N = rows.x1.length;
  const exported = exportOnnx(pkg);
  const session = await ort.InferenceSession.create(exported.bytes);
  const result = await session.run(feeds(exported, rows));
  const pipeline = new Pipeline(pkg.pipeline);
  const scores = pipeline.scoreRows(jsonRows(rows));
  const regression = pkg.pipeline.target.task === 'regression';
  const got = result[regression ? 'variable' : 'probabilities']!;
  expect(got.dims).toEqual([N, regression ? 1 : pipeline.classes]);
  const values = got.data as Float64Array;
  expect(values).toBeInstanceOf(Float64Array);
  let worst = 0;
  for (let i = 0; i < scores.length; i++) worst = Math.max(worst, Math.abs(values[i]! - scores[i]!));
  seen[name] = worst;
  expect(worst).toBeLessThan(1e-5);
  // Not a constant model: the comparison means something.
  if (N > 1000) expect(Math.max(...scores) - Math.min(...scores)).toBeGreaterThan(regression ? 100 : 0.3);
  if (!regression) {
    const labels = result['label']!;
    expect(labels.dims).toEqual([N]);
    expect(labels.data).toEqual(pipeline.label(scores));
    if (N > 1000) expect(new Set(labels.data as string[]).size).toBe(pipeline.classes);
  }
  return { exported, scores };
}

afterAll(() => {
  console.log(`largest |onnxruntime − hyperplane| by model: ${Object.entries(seen).map(([k, v]) => `${k} ${v.toExponential(2)}`).join(', ')}`);
});

describe('ONNX export: onnxruntime gives the numbers Hyperplane gives, on 10,000 rows with missing values and unseen categories', () => {
  it('the scored rows hold what the test is about', () => {
    const rows = scored;
    expect(rows.x1.length).toBe(10_000);
    expect(rows.x1.filter(Number.isNaN).length).toBeGreaterThan(500);
    expect(rows.color.filter((c) => c === 'purple').length).toBeGreaterThan(50);
    expect(rows.color.filter((c) => c === null || c === '' || c === 'NA').length).toBeGreaterThan(500);
    expect(rows.flag.filter((c) => c === 'YES').length).toBeGreaterThan(50);
  });

  it('GBDT, binary, with native category splits and learned directions for missing values', async () => {
    const pkg = await fitPackage('binary', [{ learner: 'gbdt', params: { n_estimators: 40, num_leaves: 15, min_data_per_group: 20, cat_smooth: 1 } }]);
    const trees = unpackTrees(pkg.pipeline.members[0]!.model.state);
    // The model must split categories as sets and send missing values both ways, or the test proves less.
    expect(trees.some((t) => t.isCategorical?.some((c) => c === 1))).toBe(true);
    const directions = new Set(trees.flatMap((t) => Array.from(t.defaultLeft)));
    expect(directions).toEqual(new Set([0, 1]));
    const { exported } = await roundTrip('gbdt-binary', pkg);
    expect(exported.inputs).toEqual([
      { name: 'x1', type: 'double' },
      { name: 'x2', type: 'double' },
      { name: 'color', type: 'string' },
      { name: 'flag', type: 'string' },
    ]);
    expect(exported.outputs.map((o) => o.name)).toEqual(['label', 'probabilities']);
  });

  it('GBDT, multiclass', async () => {
    await roundTrip('gbdt-multiclass', await fitPackage('multiclass', [{ learner: 'gbdt', params: { n_estimators: 25, num_leaves: 15 } }]));
  });

  it('GBDT, regression on values in the thousands (float32 would miss by far more than 1e-5)', async () => {
    const pkg = await fitPackage('regression', [{ learner: 'gbdt', params: { n_estimators: 40, num_leaves: 15 } }]);
    await roundTrip('gbdt-regression', pkg);
    // Rows on each threshold of x2 (values near 1250) and one double above it: a float32 threshold would send one of them the wrong way.
    const trees = unpackTrees(pkg.pipeline.members[0]!.model.state);
    const cuts = [...new Set(trees.flatMap((t) => Array.from(t.threshold).filter((_, i) => t.feature[i] === 1)))];
    expect(cuts.length).toBeGreaterThan(10);
    expect(cuts.some((c) => Math.fround(c) !== c)).toBe(true);
    const edges = inputRows(cuts.length * 2, 5);
    cuts.forEach((c, j) => {
      edges.x2[2 * j] = c;
      edges.x2[2 * j + 1] = nextUp(c);
    });
    await roundTrip('gbdt-regression-thresholds', pkg, edges);
    // A tree that is one leaf (late boosting rounds make them): a LEAF node alone in its tree.
    const member = pkg.pipeline.members[0]!;
    const leaf = { feature: new Int32Array(0), threshold: new Float64Array(0), defaultLeft: new Uint8Array(0), left: new Int32Array(0), right: new Int32Array(0), leafValue: Float64Array.of(123.25) };
    const state = { ...member.model.state, ...packTrees([leaf, ...trees, leaf]) };
    await roundTrip('gbdt-single-leaf', { ...pkg, pipeline: { ...pkg.pipeline, members: [{ ...member, model: { ...member.model, state } }] } });
  });

  it('GBDT, Poisson regression (the exp link)', async () => {
    await roundTrip('gbdt-poisson', await fitPackage('regression', [{ learner: 'gbdt', params: { n_estimators: 20, num_leaves: 7, objective: 'poisson' } }]));
  });

  it('random forest, binary and regression', async () => {
    await roundTrip('forest-binary', await fitPackage('binary', [{ learner: 'forest', params: { n_estimators: 15, max_depth: 8 } }]));
    await roundTrip('forest-regression', await fitPackage('regression', [{ learner: 'forest', params: { n_estimators: 10, max_depth: 8 } }]));
  });

  it('random forest, multiclass', async () => {
    await roundTrip('forest-multiclass', await fitPackage('multiclass', [{ learner: 'forest', params: { n_estimators: 10, max_depth: 6 } }]));
  });

  it('logistic regression, multiclass and binary (one-hot categories, imputed and standardized numbers)', async () => {
    const pkg = await fitPackage('multiclass', [{ learner: 'logistic' }]);
    expect(pkg.pipeline.members[0]!.recipe.finish?.columns.some((c) => c.indicator)).toBe(true);
    await roundTrip('logistic-multiclass', pkg);
    await roundTrip('logistic-binary', await fitPackage('binary', [{ learner: 'logistic' }]));
  });

  it('linear regression', async () => {
    await roundTrip('linear', await fitPackage('regression', [{ learner: 'linear' }]));
  });

  it("an ensemble as auto makes it: two members, each with its own recipe, averaged by weight", async () => {
    const pkg = await fitPackage('binary', [
      { learner: 'gbdt', params: { n_estimators: 20, num_leaves: 7 }, weight: 3 },
      { learner: 'logistic', weight: 2 },
    ]);
    expect(pkg.pipeline.members.map((m) => m.recipe.family)).toEqual(['tree', 'linear']);
    await roundTrip('ensemble-binary', pkg);
    const multi = await fitPackage('multiclass', [
      { learner: 'logistic', weight: 1 },
      { learner: 'forest', params: { n_estimators: 5, max_depth: 5 }, weight: 1 },
      { learner: 'baseline', weight: 0.25 },
    ]);
    await roundTrip('ensemble-multiclass', multi);
  });

  it('explicit recipe steps: log, clip and quantile bins (codes for trees, one-hot for linear models)', async () => {
    const recipe = { outputs: ['log(x1)', 'clip(x2, 1100, 1400)', 'quantile_bin(x2, 5)', 'color', 'flag'] };
    const tree = await fitPackage('regression', [{ learner: 'gbdt', params: { n_estimators: 15, num_leaves: 7 } }], { recipe });
    expect(tree.pipeline.members[0]!.recipe.steps.map((s) => s.kind)).toEqual(['number', 'number', 'quantile-bin', 'category', 'binary']);
    await roundTrip('explicit-gbdt', tree);
    await roundTrip('explicit-linear', await fitPackage('regression', [{ learner: 'linear' }], { recipe }));
  });

  it("an imported Normalizer (L1, L2, MAX on float or double input) exports as ai.onnx.ml's Normalizer: the package's numbers within 1e-9", async () => {
    const n = 5000;
    let seed = 9;
    const r = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
    for (const [file, norm] of [['normalizer-front.onnx', 'L2'], ['normalizer-l1.onnx', 'L1'], ['normalizer-max.onnx', 'MAX']] as const) {
      const pkg = importOnnxFile(join(ROOT, 'test', 'fixtures', 'onnx', file)).pkg;
      const exported = exportOnnx(pkg);
      const graph = onnx.ModelProto.decode(exported.bytes).graph!;
      const node = graph.node!.find((x) => x.opType === 'Normalizer');
      expect(node?.domain).toBe('ai.onnx.ml');
      expect(new TextDecoder().decode(node!.attribute![0]!.s!)).toBe(norm);
      // Doubles of mixed sign and size; every 10th row all zero, every 10th a NaN, every 10th all negative.
      const columns = exported.inputs.map((input, j) => ({ name: input.name, values: Float64Array.from({ length: n }, (_, i) => (i % 10 === 0 ? 0 : i % 10 === 1 && j === 2 ? NaN : (i % 10 === 2 ? -1 : r() - 0.4) * 10 ** Math.floor(r() * 6 - 3) * r())) }));
      const session = await ort.InferenceSession.create(exported.bytes);
      const result = await session.run(Object.fromEntries(columns.map((c) => [c.name, new ort.Tensor('float64', c.values, [n, 1])])));
      const got = (result['probabilities'] ?? result['variable'])!.data as Float64Array;
      const scores = new Pipeline(pkg.pipeline).scoreRows(Array.from({ length: n }, (_, i) => Object.fromEntries(columns.map((c) => [c.name, Number.isNaN(c.values[i]!) ? null : c.values[i]!]))));
      let worst = 0;
      for (let i = 0; i < scores.length; i++) worst = Math.max(worst, Number.isNaN(scores[i]!) && Number.isNaN(got[i]!) ? 0 : Math.abs(got[i]! - scores[i]!));
      seen[`imported ${file}`] = worst;
      // The runtime's Normalizer gives the step's float32 features exactly; the rest is double arithmetic.
      expect(worst).toBeLessThan(1e-9);
      expect(Math.max(...scores.filter((v) => v === v)) - Math.min(...scores.filter((v) => v === v))).toBeGreaterThan(0.1);
    }
  });

  it("passes python3-onnx's full checker: category sets, an ensemble, explicit steps, regression, a Normalizer", async () => {
    const recipe = { outputs: ['log(x1)', 'clip(x2, 1100, 1400)', 'quantile_bin(x2, 5)', 'color', 'flag'] };
    const packages = [
      await fitPackage('binary', [
        { learner: 'gbdt', params: { n_estimators: 5, num_leaves: 7, min_data_per_group: 20, cat_smooth: 1 }, weight: 1 },
        { learner: 'logistic', weight: 1 },
      ]),
      await fitPackage('multiclass', [{ learner: 'forest', params: { n_estimators: 3, max_depth: 4 } }, { learner: 'baseline' }]),
      await fitPackage('regression', [{ learner: 'linear' }], { recipe }),
      importOnnxFile(join(ROOT, 'test', 'fixtures', 'onnx', 'normalizer-l1.onnx')).pkg,
    ];
    expectOnnxCheckerPasses(packages);
  });
});

describe('ONNX export refuses, naming it, what it cannot convert', () => {
  it('a model kind that cannot be exported, saying which can', async () => {
    const pkg = await fitPackage('binary', [{ learner: 'scorecard' }]);
    expect(() => exportOnnx(pkg)).toThrow(HyperplaneError);
    expect(() => exportOnnx(pkg)).toThrow(/a scorecard model cannot be exported to ONNX; the kinds that can are: gbdt, forest, linear, logistic, baseline/);
  });

  it('a member of an ensemble, by its index', async () => {
    const pkg = await fitPackage('binary', [{ learner: 'logistic' }, { learner: 'scorecard' }]);
    expect(() => exportOnnx(pkg)).toThrow(/^member 1: a scorecard model cannot be exported/);
  });

  it('a cross of categories, naming the step and the member', async () => {
    const pkg = await fitPackage('binary', [{ learner: 'logistic' }, { learner: 'gbdt', params: { n_estimators: 3, num_leaves: 4 } }], { recipe: { outputs: ['x1', 'cartesian(color, flag)'] } });
    expect(() => exportOnnx(pkg)).toThrow(/^member 0: recipe step 1 \(category of 'color', 'flag'\) cannot be exported to ONNX \(a cross of categories\)/);
  });

  it('a recipe step that cannot be exported (hashed text), naming it and the column', async () => {
    const pkg = await fitPackage('regression', [{ learner: 'linear' }]);
    const member = pkg.pipeline.members[0]!;
    const text: ModelPackage = {
      ...pkg,
      pipeline: { ...pkg.pipeline, members: [{ ...member, recipe: { ...member.recipe, inputs: [...member.recipe.inputs, { name: 'review', type: 'text' }], steps: [...member.recipe.steps, { kind: 'hashing', input: member.recipe.inputs.length, buckets: 4, idf: [1, 1, 1, 1] }] } }] },
    };
    expect(() => exportOnnx(text)).toThrow(HyperplaneError);
    expect(() => exportOnnx(text)).toThrow(/^recipe step 4 \(hashing of 'review'\) cannot be exported to ONNX \(hashed words of a text column\); the steps that can are: number/);
  });
});
