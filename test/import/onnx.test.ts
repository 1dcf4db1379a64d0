// ONNX models imported as packages, checked against ONNX Runtime on the same .onnx files (built by
// test/fixtures/onnx/make-onnx-fixtures.py): 1,200 rows each, some with missing values and some exactly
// on split thresholds (where <, ≤, ≥ and > differ), probabilities or values within 1e-5, labels equal.
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importOnnxFile, type OnnxImported } from '../../src/import/onnx.js';
import { Explainer } from '../../src/explain/explainer.js';
import { decodePackage, encodePackage } from '../../src/pipeline/package.js';
import { Pipeline, type ModelMember } from '../../src/pipeline/pipeline.js';
import { buildServer, type Server } from '../../src/serve/server.js';
import { openStore, type Store } from '../../src/store/index.js';
import { IN_TEST, tempDir } from '../helpers.js';
import { asRows, D, DIR, expectSameLabels, FEATURES, makeRows, maxDiff, N, random, runOrt } from './onnx-helpers.js';

interface Case {
  file: string;
  kind: string;
  classes: number;
  labels?: string[];
  double?: boolean;
  missing: boolean;
}

const CASES: Case[] = [
  { file: 'rf-binary.onnx', kind: 'forest', classes: 2, labels: ['0', '1'], missing: true },
  { file: 'rf-multiclass.onnx', kind: 'forest', classes: 3, labels: ['0', '1', '2'], missing: true },
  { file: 'gbdt-binary.onnx', kind: 'gbdt', classes: 2, labels: ['0', '1'], missing: true },
  { file: 'gbdt-multiclass.onnx', kind: 'gbdt', classes: 3, labels: ['low', 'mid', 'high'], missing: true },
  { file: 'gbdt-regressor.onnx', kind: 'gbdt', classes: 1, double: true, missing: true },
  { file: 'linear-multiclass.onnx', kind: 'logistic', classes: 3, labels: ['0', '1', '2'], missing: false },
  { file: 'linear-binary.onnx', kind: 'logistic', classes: 2, labels: ['no', 'yes'], missing: false },
];

const worst: Record<string, number> = {};
afterAll(() => console.log('largest |Hyperplane − ONNX Runtime|:', JSON.stringify(worst)));

describe('hyperplane import onnx: the same predictions as ONNX Runtime', () => {
  for (const c of CASES) {
    it(`${c.file}: ${c.kind}, ${N} rows, within 1e-5, labels equal`, async () => {
      const { pkg, kind } = importOnnxFile(join(DIR, c.file));
      expect(kind).toBe(c.kind);
      expect(pkg.pipeline.target.labels).toEqual(c.labels);
      const X = makeRows(c.file, N, D, c.missing, c.double !== true);
      const name = c.double === true ? 'double_input' : 'float_input';
      const tensor = c.double === true ? new ort.Tensor('float64', X, [N, D]) : new ort.Tensor('float32', Float32Array.from(X), [N, D]);
      const want = await runOrt(c.file, { [name]: tensor });
      const names = c.double === true ? FEATURES.map((f) => f.replace('float', 'double')) : FEATURES;
      const pipeline = new Pipeline(pkg.pipeline);
      const rows = asRows(X, names);
      const scores = pipeline.scoreRows(rows);
      worst[c.file] = maxDiff(scores, want.scores);
      expect(worst[c.file]).toBeLessThan(1e-5);
      if (c.labels !== undefined) expectSameLabels(pipeline.label(scores).map(String), want.labels, c.labels, scores);
      // Rows on thresholds and missing ones were scored (the comparisons and missing sides were exercised).
      if (c.missing) expect(rows.filter((r) => Object.values(r).includes(null)).length).toBeGreaterThan(100);
    });
  }

  it('onehot-linear.onnx: a numeric and a string input, OneHotEncoder, Reshape, Concat and LinearRegressor; an unseen color scores as ONNX Runtime scores it', async () => {
    const { pkg, kind } = importOnnxFile(join(DIR, 'onehot-linear.onnx'));
    expect(kind).toBe('linear');
    expect(pkg.pipeline.schema.map((s) => [s.name, s.type])).toEqual([['num_0', 'numeric'], ['num_1', 'numeric'], ['color', 'categorical']]);
    const r = random(7);
    const colors = ['red', 'green', 'blue', 'purple'];
    const num = Float32Array.from({ length: 2 * N }, () => Math.fround(r() * 4 - 2));
    const color = Array.from({ length: N }, () => colors[Math.floor(r() * 4)]!);
    const want = await runOrt('onehot-linear.onnx', { num: new ort.Tensor('float32', num, [N, 2]), color: new ort.Tensor('string', color, [N, 1]) });
    const rows = color.map((col, i) => ({ num_0: num[2 * i]!, num_1: num[2 * i + 1]!, color: col }));
    const scores = new Pipeline(pkg.pipeline).scoreRows(rows);
    worst['onehot-linear.onnx'] = maxDiff(scores, want.scores);
    expect(worst['onehot-linear.onnx']).toBeLessThan(1e-5);
    // The colors move the prediction (the one-hot columns are read, each with its own weight).
    const base = { num_0: 0.5, num_1: -0.5 };
    const byColor = new Pipeline(pkg.pipeline).scoreRows(colors.map((col) => ({ ...base, color: col })));
    expect(new Set(byColor).size).toBe(4);
  });
});

/**
 * Rows for a Normalizer in front of the model: normals of mixed magnitude (doubles, not float32: ONNX Runtime's
 * float tensor rounds them, our step must round them the same way), and rows on the norms' edges: all zero, one
 * zero, all negative (MAX divides by the signed maximum), one NaN, all NaN.
 */
function normalizerRows(n: number, d: number): Float64Array {
  const r = random(26);
  const X = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const kind = i % 12;
    for (let j = 0; j < d; j++) {
      const normal = Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r()) * 10 ** Math.floor(r() * 4 - 2);
      X[i * d + j] = kind === 0 ? 0 : kind === 1 && j === 0 ? 0 : kind === 2 ? -Math.abs(normal) : kind === 3 && j === i % d ? NaN : kind === 4 ? NaN : normal;
    }
  }
  return X;
}

describe('a Normalizer (L1, L2, MAX) on the features: the recipe step ONNX Runtime computes', () => {
  const NORMALIZERS = [
    { file: 'normalizer-front.onnx', norm: 'L2', kind: 'linear', double: false },
    { file: 'normalizer-l1.onnx', norm: 'L1', kind: 'gbdt', double: true },
    { file: 'normalizer-max.onnx', norm: 'MAX', kind: 'logistic', double: false },
  ] as const;
  for (const c of NORMALIZERS) {
    it(`${c.file}: ${c.norm} then ${c.kind}, ${N} rows with zero rows and NaNs, within 1e-5 of ONNX Runtime`, async () => {
      const { pkg, kind } = importOnnxFile(join(DIR, c.file));
      expect(kind).toBe(c.kind);
      const names = c.double ? FEATURES.map((f) => f.replace('float', 'double')) : FEATURES;
      // One step reads the four columns; their own number features are gone (the model never reads them).
      const recipe = (pkg.pipeline.members[0] as ModelMember).recipe;
      expect(recipe.steps).toEqual([{ kind: 'normalize-rows', inputs: [0, 1, 2, 3], norm: c.norm, ...(c.double ? {} : { float32: true }) }]);
      expect(recipe.features).toEqual(names.map((f) => `normalize_${c.norm.toLowerCase()}(${f})`));
      // Through the package file, so its checks accept the step.
      const pipeline = new Pipeline(decodePackage(encodePackage(pkg), c.file).pipeline);
      const X = normalizerRows(N, D);
      const tensor = c.double ? new ort.Tensor('float64', X, [N, D]) : new ort.Tensor('float32', Float32Array.from(X), [N, D]);
      const want = await runOrt(c.file, { [c.double ? 'double_input' : 'float_input']: tensor });
      const scores = pipeline.scoreRows(asRows(X, names));
      worst[c.file] = maxDiff(scores, want.scores);
      expect(worst[c.file]).toBeLessThan(1e-5);
      // Zero rows score (the row is left as it is), and NaN rows are NaN where ONNX Runtime's are.
      const K = scores.length / N;
      expect(Number.isFinite(scores[0])).toBe(true);
      for (let i = 0; i < N; i++) for (let k = 0; k < K; k++) expect(Number.isNaN(scores[i * K + k]!), `row ${i}`).toBe(Number.isNaN(want.scores[i * K + k]!));
      // A NaN in the row reaches a linear model's score; trees send it down their missing side.
      expect(Number.isNaN(scores[3 * K]!) && Number.isNaN(scores[4 * K]!)).toBe(c.kind !== 'gbdt');
    });
  }

  it('a package whose normalize-rows step was edited to an unknown norm, or to a categorical column, fails to load, naming the field', () => {
    const { pkg } = importOnnxFile(join(DIR, 'normalizer-front.onnx'));
    const member = pkg.pipeline.members[0] as ModelMember;
    const edited = (recipe: ModelMember['recipe'], schema = pkg.pipeline.schema): Uint8Array => encodePackage({ ...pkg, pipeline: { ...pkg.pipeline, schema, members: [{ ...member, recipe }] } });
    const badNorm = edited({ ...member.recipe, steps: [{ ...member.recipe.steps[0]!, norm: 'L3' } as unknown as ModelMember['recipe']['steps'][0]] });
    expect(() => decodePackage(badNorm, 'edited.hpkg')).toThrow(/steps\.0\.norm/);
    const schema = pkg.pipeline.schema.map((c, j) => (j === 1 ? { ...c, type: 'categorical' as const } : c));
    const labels = edited({ ...member.recipe, inputs: member.recipe.inputs.map((c, j) => (j === 1 ? { ...c, type: 'categorical' as const } : c)) }, schema);
    expect(() => decodePackage(labels, 'edited.hpkg')).toThrow(/normalizes input 1, column 'float_input_1', which is categorical/);
  });

  it('TreeSHAP on the normalized trees: base + Σ contributions is the prediction, shared among the four columns the features read', () => {
    const { pkg } = importOnnxFile(join(DIR, 'normalizer-l1.onnx'));
    const names = FEATURES.map((f) => f.replace('float', 'double'));
    const rows = asRows(normalizerRows(120, D), names).filter((r) => !Object.values(r).includes(null));
    const pipeline = new Pipeline(pkg.pipeline);
    const e = new Explainer(pipeline).explainRows(rows);
    expect(e.columns).toEqual(names);
    const scores = pipeline.scoreRows(rows);
    rows.forEach((_, i) => {
      let s = e.base[0]!;
      for (let j = 0; j < D; j++) s += e.values[i * D + j]!;
      expect(s).toBeCloseTo(scores[i]!, 9);
    });
  });
});

describe('TreeSHAP on imported trees: contributions add up to the margin ONNX Runtime computes', () => {
  for (const c of CASES.filter((x) => x.kind !== 'logistic')) {
    it(`${c.file}: base + Σ contributions gives ONNX Runtime's output on 300 rows`, async () => {
      const { pkg } = importOnnxFile(join(DIR, c.file));
      const n = 300;
      const X = makeRows(c.file, n, D, c.missing, c.double !== true);
      const name = c.double === true ? 'double_input' : 'float_input';
      const want = await runOrt(c.file, { [name]: c.double === true ? new ort.Tensor('float64', X, [n, D]) : new ort.Tensor('float32', Float32Array.from(X), [n, D]) });
      const names = c.double === true ? FEATURES.map((f) => f.replace('float', 'double')) : FEATURES;
      const e = new Explainer(new Pipeline(pkg.pipeline)).explainRows(asRows(X, names));
      expect(e.columns).toEqual(names);
      const K = e.outputs;
      const C = e.columns.length;
      // The margin from the contributions alone, then through the model's link to ONNX Runtime's numbers.
      const margin = new Float64Array(n * K);
      for (let i = 0; i < n; i++) for (let o = 0; o < K; o++) {
        let s = e.base[o]!;
        for (let j = 0; j < C; j++) s += e.values[(i * K + o) * C + j]!;
        margin[i * K + o] = s;
      }
      let mine: Float64Array;
      if (c.classes === 1 || c.kind === 'forest') mine = margin;
      else if (K === 1) mine = margin.map((z) => 1 / (1 + Math.exp(-z)));
      else {
        mine = new Float64Array(n * K);
        for (let i = 0; i < n; i++) {
          const z = margin.subarray(i * K, i * K + K);
          const m = Math.max(...z);
          const sum = z.reduce((s, v) => s + Math.exp(v - m), 0);
          for (let o = 0; o < K; o++) mine[i * K + o] = Math.exp(z[o]! - m) / sum;
        }
      }
      // Binary: ONNX Runtime's second column is P(class 1), which the one margin gives.
      const theirs = c.classes === 2 ? want.scores.filter((_, i) => i % 2 === 1) : want.scores;
      expect(maxDiff(mine, theirs)).toBeLessThan(1e-5);
      // Each feature the trees split on is credited somewhere.
      const split = new Set((pkg.pipeline.members[0] as ModelMember).model.state['feature'] as Int32Array);
      expect(split.size).toBeGreaterThanOrEqual(3);
      for (const j of split) expect(e.values.some((v, k) => k % C === j && v !== 0)).toBe(true);
    });
  }
});

describe('an imported package is served', () => {
  let store: Store;
  let server: Server;
  beforeAll(async () => {
    store = await openStore({ uri: `sqlite:${join(tempDir('hyperplane-onnx-serve-'), 'hyperplane.db')}` });
    const { pkg } = importOnnxFile(join(DIR, 'gbdt-multiclass.onnx'), { name: 'band' });
    const run = await store.tracking.createRun({ experiment: 'onnx-import' });
    await store.tracking.attachArtifact(run.id, 'model', await store.artifacts.put(encodePackage(pkg)));
    await store.tracking.setStatus(run.id, 'finished');
    const v = await store.registry.createVersion('bands', { runId: run.id });
    await store.registry.setAlias('bands', 'production', v.version);
    server = await buildServer({ store, ...IN_TEST, reloadMs: 0 });
  });
  afterAll(async () => {
    await server?.close();
    await store?.close();
  });

  it('POST /v1/models/bands/predict answers with ONNX Runtime\'s label and probabilities (1e-5)', async () => {
    const x = [0.3, -1.2, NaN, 0.8];
    const want = await runOrt('gbdt-multiclass.onnx', { float_input: new ort.Tensor('float32', Float32Array.from(x), [1, 4]) });
    const row = Object.fromEntries(FEATURES.map((f, j) => [f, Number.isNaN(x[j]!) ? null : x[j]!]));
    const r = await server.app.inject({ method: 'POST', url: '/v1/models/bands/predict', payload: row });
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json() as { prediction: string; probabilities: Record<string, number> };
    expect(body.prediction).toBe(want.labels[0]);
    expect(maxDiff(['low', 'mid', 'high'].map((l) => body.probabilities[l]!), want.scores)).toBeLessThan(1e-5);
  });
});

describe('options', () => {
  it('--features, --labels and --name as asked; the binary threshold follows ONNX Runtime (positive only above 0.5)', () => {
    const imported: OnnxImported = importOnnxFile(join(DIR, 'rf-binary.onnx'), { features: ['a', 'b', 'c', 'd'], labels: ['stay', 'churn'], name: 'churn' });
    expect(imported.pkg.pipeline.target).toEqual({ name: 'churn', task: 'binary', labels: ['stay', 'churn'], threshold: 0.5000000000000001 });
    expect(imported.pkg.pipeline.members[0]!.recipe.features).toEqual(['a', 'b', 'c', 'd']);
    expect(() => importOnnxFile(join(DIR, 'rf-binary.onnx'), { features: ['a'] })).toThrow(/--features names 1 features; the model's numeric inputs have 4 columns/);
    expect(() => importOnnxFile(join(DIR, 'gbdt-regressor.onnx'), { labels: ['x', 'y'] })).toThrow(/--labels is for classifiers/);
  });
});
