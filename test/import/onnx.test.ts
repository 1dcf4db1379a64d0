// ONNX models imported as packages, checked against ONNX Runtime on the same .onnx files (built by
// test/fixtures/onnx/make-onnx-fixtures.py): 1,200 rows each, some with missing values and some exactly
// on split thresholds (where <, ≤, ≥ and > differ), probabilities or values within 1e-5, labels equal.
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importOnnxFile, type OnnxImported } from '../../src/import/onnx.js';
import { Explainer } from '../../src/explain/explainer.js';
import { encodePackage } from '../../src/pipeline/package.js';
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
