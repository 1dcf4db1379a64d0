import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Contributions, Matrix, Model } from '../../src/learn/contract.js';
import { getLearner } from '../../src/learn/registry.js';
import { Explainer } from '../../src/explain/explainer.js';
import { rowExplanation } from '../../src/explain/factors.js';
import { decodePackage, encodePackage } from '../../src/pipeline/package.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { buildServer } from '../../src/serve/server.js';
import { decodePrediction, openStore, type Prediction } from '../../src/store/index.js';
import { fixture, IN_TEST, runCli, tempDir } from '../helpers.js';

/** A small matrix with correlated, unscaled features and a target of each task. */
function data(n = 200, d = 4): { X: Matrix; y: { regression: Float64Array; binary: Float64Array; multiclass: Float64Array } } {
  let seed = 7;
  const rand = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647) - 0.5;
  const X = new Float64Array(n * d);
  const reg = new Float64Array(n);
  const bin = new Float64Array(n);
  const multi = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) X[i * d + j] = rand() * (j + 1) * 10 + j + (j > 0 ? X[i * d] ! * 0.3 : 0);
    const s = X[i * d]! * 0.5 - X[i * d + 1]! * 0.2 + X[i * d + 2]! * 0.1 + rand() * 3;
    reg[i] = s;
    bin[i] = s > 0 ? 1 : 0;
    multi[i] = s < -2 ? 0 : s < 2 ? 1 : 2;
  }
  return { X: { data: X, n, d }, y: { regression: reg, binary: bin, multiclass: multi } };
}

/** The margin through the link, as the learner's predict gives the score: n × k. */
function throughLink(c: Contributions, k: number): Float64Array {
  const n = c.margin.length / c.outputs;
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    if (c.link === 'identity') out.set(c.margin.subarray(i * c.outputs, (i + 1) * c.outputs), i * k);
    else if (c.link === 'logistic') {
      const p = 1 / (1 + Math.exp(-c.margin[i]!));
      out[i * 2] = 1 - p;
      out[i * 2 + 1] = p;
    } else {
      const m = c.margin.subarray(i * k, (i + 1) * k);
      const max = Math.max(...m);
      const e = Array.from(m, (v) => Math.exp(v - max));
      const total = e.reduce((a, b) => a + b, 0);
      e.forEach((v, j) => (out[i * k + j] = v / total));
    }
  }
  return out;
}

function expectAdditive(c: Contributions, d: number): void {
  const n = c.margin.length / c.outputs;
  for (let i = 0; i < n; i++) {
    for (let o = 0; o < c.outputs; o++) {
      let sum = c.base[o]!;
      for (let j = 0; j < d; j++) sum += c.values[(i * c.outputs + o) * d + j]!;
      expect(Math.abs(sum - c.margin[i * c.outputs + o]!)).toBeLessThan(1e-9);
    }
  }
}

describe('linear contributions: coef · (x − the training mean)', () => {
  const { X, y } = data();
  const cases: [string, 'regression' | 'binary' | 'multiclass', number][] = [
    ['linear', 'regression', 1],
    ['logistic', 'binary', 2],
    ['logistic', 'multiclass', 3],
  ];
  for (const [kind, task, k] of cases) {
    it(`${kind} ${task}: each feature's share is its coefficient times its distance from the mean the test computes itself; they add up to the margin, and the margin through the link is predict's score`, async () => {
      const learner = getLearner(kind);
      const model = await learner.fit(X, y[task], task, learner.params.parse({}));
      const c = learner.explain!(model, X);
      expect(c.outputs).toBe(task === 'multiclass' ? 3 : 1);
      expect(c.link).toBe(task === 'regression' ? 'identity' : task === 'binary' ? 'logistic' : 'softmax');
      expectAdditive(c, X.d);
      const mean = Array.from({ length: X.d }, (_, j) => Array.from({ length: X.n }, (_, i) => X.data[i * X.d + j]!).reduce((a, b) => a + b, 0) / X.n);
      const coef = model.state['coef'] as Float64Array;
      for (const i of [0, 17, 199]) for (let j = 0; j < X.d; j++) expect(c.values[i * c.outputs * X.d + j]).toBeCloseTo(coef[j]! * (X.data[i * X.d + j]! - mean[j]!), 9);
      const scores = learner.predict(model, X);
      const linked = throughLink(c, k);
      for (let i = 0; i < scores.length; i++) expect(Math.abs(linked[i]! - scores[i]!)).toBeLessThan(1e-9);
    });
  }

  it('a linear model saved before explanations (no training means) says it must be trained again', async () => {
    const learner = getLearner('linear');
    const model = await learner.fit(X, y.regression, 'regression', learner.params.parse({}));
    const { xMean: _gone, ...state } = model.state;
    expect(() => learner.explain!({ ...model, state } as Model, X)).toThrow(/saved before explanations.*train it again/);
  });

  it('the baseline explains with a base only: every contribution 0, the base through the link its score', async () => {
    for (const [task, k] of [['binary', 2], ['multiclass', 3], ['regression', 1]] as const) {
      const learner = getLearner('baseline');
      const model = await learner.fit(X, y[task], task, learner.params.parse({}));
      const c = learner.explain!(model, X);
      expect(c.values.every((v) => v === 0)).toBe(true);
      const scores = learner.predict(model, X);
      const linked = throughLink(c, k);
      for (let i = 0; i < scores.length; i++) expect(Math.abs(linked[i]! - scores[i]!)).toBeLessThan(1e-12);
    }
  });
});

describe('a pipeline explained by input column', () => {
  const penguins = JSON.parse(readFileSync(fixture('penguins.json'), 'utf8')) as Record<string, unknown>[];

  function trained(args: string[]): Pipeline {
    const out = tempDir('hyperplane-explain-');
    const r = runCli(['train', fixture('penguins.json'), '--target', 'Species', ...args, '--no-track', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    return new Pipeline(decodePackage(readFileSync(join(out, 'model.hpkg')), 'model.hpkg').pipeline);
  }

  it("sums a column's one-hot levels and missing indicator into the column: the user sees Island, never Island=Dream; they add up to the margin", () => {
    const pipeline = trained(['--learner', 'logistic']);
    const explained = new Explainer(pipeline).explainRows(penguins);
    expect(explained.columns).toEqual(pipeline.inputColumns);
    expect(explained.columns).toContain('Island');
    expect(explained.columns.some((c) => c.includes('='))).toBe(false);
    const scores = pipeline.scoreRows(penguins);
    const C = explained.columns.length;
    for (let i = 0; i < penguins.length; i++) {
      for (let o = 0; o < 3; o++) {
        let sum = explained.base[o]!;
        for (let c = 0; c < C; c++) sum += explained.values[(i * 3 + o) * C + c]!;
        expect(Math.abs(sum - explained.margin[i * 3 + o]!)).toBeLessThan(1e-9);
      }
      // The margins through the softmax are the pipeline's own probabilities.
      const m = Array.from(explained.margin.subarray(i * 3, i * 3 + 3));
      const max = Math.max(...m);
      const e = m.map((v) => Math.exp(v - max));
      const t = e.reduce((a, b) => a + b, 0);
      for (let o = 0; o < 3; o++) expect(Math.abs(e[o]! / t - scores[i * 3 + o]!)).toBeLessThan(1e-9);
    }
    // A row in words: the top 2 columns by |contribution|, shares signed, the explained class the predicted one.
    const row = rowExplanation(explained, 0, scores, pipeline.spec.target.labels, (c) => penguins[0]![c], 2);
    expect(row.class).toBe(pipeline.label(scores.subarray(0, 3))[0]);
    expect(row.scale).toBe('class margin');
    expect(row.contributions).toHaveLength(2);
    expect(Math.abs(row.contributions[0]!.contribution)).toBeGreaterThanOrEqual(Math.abs(row.contributions[1]!.contribution));
    expect(row.contributions[0]!.value).toBe(penguins[0]![row.contributions[0]!.column] ?? null);
    const all = rowExplanation(explained, 0, scores, pipeline.spec.target.labels, () => null, 'all');
    expect(all.contributions.reduce((s, f) => s + Math.abs(f.share), 0)).toBeCloseTo(1, 12);
    expect(all.margin).toBeCloseTo(all.base + all.contributions.reduce((s, f) => s + f.contribution, 0), 12);
  });
});

describe('an ensemble explained', () => {
  it("scales its members' averaged contributions to the blend's own margin: they add up to it, and it is the logit of the blended probability", () => {
    const out = tempDir('hyperplane-explain-blend-');
    const members = ['logistic', 'gbdt'].map((learner) => {
      const dir = join(out, learner);
      const r = runCli(['train', fixture('penguins.json'), '--target', 'Sex', '--learner', learner, '--no-track', '--out', dir]);
      expect(r.code, r.stderr).toBe(0);
      return decodePackage(readFileSync(join(dir, 'model.hpkg')), 'model.hpkg').pipeline;
    });
    const pipeline = new Pipeline({ ...members[0]!, members: [{ ...members[0]!.members[0]!, weight: 0.7 }, { ...members[1]!.members[0]!, weight: 0.3 }] });
    const penguins = JSON.parse(readFileSync(fixture('penguins.json'), 'utf8')) as Record<string, unknown>[];
    const explained = new Explainer(pipeline).explainRows(penguins);
    expect(explained.ensemble).toBe(true);
    const scores = pipeline.scoreRows(penguins);
    const C = explained.columns.length;
    for (let i = 0; i < penguins.length; i++) {
      const p = scores[2 * i + 1]!;
      let sum = explained.base[0]!;
      for (let c = 0; c < C; c++) sum += explained.values[i * C + c]!;
      expect(Math.abs(sum - Math.log(p / (1 - p)))).toBeLessThan(1e-9);
      expect(Math.abs(explained.additivityError[i]!)).toBeLessThan(1e-9);
    }
  });
});

describe('explanations from the CLI and the API', () => {
  it('predict --explain K adds the top K driving factors in words; --explain all a base and a contribution per column that add up to the logit of the positive class', () => {
    const out = tempDir('hyperplane-explain-cli-');
    const t = runCli(['train', fixture('penguins.json'), '--target', 'Sex', '--learner', 'logistic', '--no-track', '--out', out]);
    expect(t.code, t.stderr).toBe(0);
    const model = join(out, 'model.hpkg');
    const top = runCli(['predict', model, fixture('penguins.json'), '--explain', '2']);
    expect(top.code, top.stderr).toBe(0);
    const lines = top.stdout.trim().split('\n');
    expect(lines[0]).toBe('prediction,proba_FEMALE,proba_MALE,factor_1,factor_2');
    // `Body Mass (g) = 3750 → +31%`: the column, the row's value, the signed share.
    expect(lines[1]).toMatch(/,[^,=]+ = [^,]+ → [+−]\d+%,[^,=]+ = [^,]+ → [+−]\d+%$/);
    const all = runCli(['predict', model, fixture('penguins.json'), '--explain', 'all']);
    expect(all.code, all.stderr).toBe(0);
    const [header, ...rows] = all.stdout.trim().split('\n');
    const names = header!.split(',');
    expect(names.slice(0, 4)).toEqual(['prediction', 'proba_FEMALE', 'proba_MALE', 'base']);
    expect(names.filter((n) => n.startsWith('contribution_')).length).toBeGreaterThan(3);
    for (const row of rows.slice(0, 50)) {
      const cells = row.split(',');
      const p = Number(cells[2]);
      const margin = cells.slice(3).reduce((s, v) => s + Number(v), 0);
      expect(Math.abs(margin - Math.log(p / (1 - p)))).toBeLessThan(1e-9);
    }
    const bad = runCli(['predict', model, fixture('penguins.json'), '--explain', 'some']);
    expect(bad).toMatchObject({ code: 2, stderr: 'hyperplane: error: --explain some: expected a number of driving factors from 1 to 9999, or all\n' });
  });
});

describe('explanations in the API', () => {
  it('?explain=2 adds each row its top two factors with the values sent, logged with the answer; a bad explain or a model that cannot explain is a 400', async () => {
    const store = await openStore({ uri: `sqlite:${join(tempDir('hyperplane-explain-serve-'), 'hyperplane.db')}` });
    const logged: Prediction[] = [];
    try {
      const out = tempDir('hyperplane-explain-model-');
      const r = runCli(['train', fixture('penguins.json'), '--target', 'Species', '--learner', 'logistic', '--no-track', '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      const bytes = readFileSync(join(out, 'model.hpkg'));
      // The same model as one saved before explanations: no training means.
      const old = decodePackage(bytes, 'model.hpkg');
      for (const m of old.pipeline.members) if ('model' in m) delete m.model.state['xMean'];
      for (const [name, artifact] of [['penguins', bytes], ['odd', encodePackage(old)]] as const) {
        const v = await store.registry.createVersion(name, { artifact: await store.artifacts.put(artifact) });
        await store.registry.setAlias(name, 'production', v.version);
      }
      const server = await buildServer({ store, ...IN_TEST, reloadMs: 0, log: { record: (p) => logged.push(decodePrediction(p)) } });
      try {
        const penguins = JSON.parse(readFileSync(fixture('penguins.json'), 'utf8')) as Record<string, unknown>[];
        const row = penguins[3]!;
        const r = await server.app.inject({ method: 'POST', url: '/v1/models/penguins/predict?explain=2', payload: row });
        expect(r.statusCode, r.body).toBe(200);
        const body = r.json();
        expect(body.explanation).toMatchObject({ class: body.prediction, scale: 'class margin' });
        expect(body.explanation.contributions).toHaveLength(2);
        for (const f of body.explanation.contributions) expect(f.value).toEqual(row[f.column] ?? null);
        // The same numbers as the library's explainer.
        await server.logged();
        expect((logged.at(-1)!.response as { explanation: unknown }).explanation).toEqual(body.explanation);
        const batch = await server.app.inject({ method: 'POST', url: '/v1/models/penguins/predict?explain=all', payload: { rows: penguins.slice(0, 3) } });
        expect(batch.statusCode, batch.body).toBe(200);
        for (const p of batch.json().predictions) expect(p.explanation.contributions.length).toBe(6);
        const inter = await server.app.inject({ method: 'POST', url: '/v1/models/penguins/predict?explain=2&method=interventional', payload: row });
        expect(inter.statusCode, inter.body).toBe(200);
        expect(inter.json().explanation.contributions).toHaveLength(2);
        const badMethod = await server.app.inject({ method: 'POST', url: '/v1/models/penguins/predict?explain=2&method=exact', payload: row });
        expect(badMethod.statusCode).toBe(400);
        expect(badMethod.json().message).toBe('method=exact: expected path-dependent or interventional');
        const plain = await server.app.inject({ method: 'POST', url: '/v1/models/penguins/predict', payload: row });
        expect(plain.json().explanation).toBeUndefined();
        const bad = await server.app.inject({ method: 'POST', url: '/v1/models/penguins/predict?explain=0', payload: row });
        expect(bad.statusCode).toBe(400);
        expect(bad.json().message).toContain('expected a number of driving factors from 1 to 9999, or all');
        const cannot = await server.app.inject({ method: 'POST', url: '/v1/models/odd/predict?explain=3', payload: row });
        expect(cannot.statusCode, cannot.body).toBe(400);
        expect(cannot.json().message).toMatch(/saved before explanations.*train it again/);
      } finally {
        await server.close();
      }
    } finally {
      await store.close();
    }
  });
});

describe('TreeSHAP on two threads', () => {
  it('gives the numbers of the plain loop: predict --explain all (the built CLI, big enough for the helper thread) against the library in this thread', async () => {
    const dir = tempDir('hyperplane-explain-threads-');
    const data = join(dir, 'synth.csv');
    expect(runCli(['synth', '--task', 'binary', '--rows', '3000', '--features', '8', '--seed', '5', '--out', data]).code).toBe(0);
    const t = runCli(['train', data, '--target', 'target', '--learner', 'gbdt', '--n-estimators', '40', '--no-track', '--out', dir]);
    expect(t.code, t.stderr).toBe(0);
    const cli = runCli(['predict', join(dir, 'model.hpkg'), data, '--explain', 'all']);
    expect(cli.code, cli.stderr).toBe(0);
    const [header, ...lines] = cli.stdout.trim().split('\n');
    const names = header!.split(',');
    const pipeline = new Pipeline(decodePackage(readFileSync(join(dir, 'model.hpkg')), 'model.hpkg').pipeline);
    const { readForPipeline } = await import('../../src/pipeline/io.js');
    const { table } = await readForPipeline(data, pipeline);
    const explained = new Explainer(pipeline).explainTable(table);
    expect(lines).toHaveLength(3000);
    const C = explained.columns.length;
    for (const i of [0, 1, 1499, 1500, 1501, 2999]) {
      const cells = lines[i]!.split(',');
      expect(Number(cells[names.indexOf('base')])).toBe(explained.base[0]);
      explained.columns.forEach((c, j) => expect(Number(cells[names.indexOf(`contribution_${c}`)])).toBe(explained.values[i * C + j]));
    }
  });
});

describe('a rules model explained', () => {
  it('by the rule that fired: a rule column from predict --explain, {rule, index, then} from ?explain', async () => {
    const dir = tempDir('hyperplane-explain-rules-');
    const config = join(dir, 'rules.json');
    writeFileSync(config, JSON.stringify({ data: fixture('penguins.json'), target: 'Species', learner: 'rules', out: dir, rules: { conditions: [{ if: '`Flipper Length (mm)` > 205', then: 'Gentoo' }, { if: '`Beak Length (mm)` > 44', then: 'Chinstrap' }], otherwise: 'Adelie' } }));
    const t = runCli(['train', '--config', config, '--no-track']);
    expect(t.code, t.stderr).toBe(0);
    const penguins = JSON.parse(readFileSync(fixture('penguins.json'), 'utf8')) as Record<string, unknown>[];
    const cli = runCli(['predict', join(dir, 'model.hpkg'), fixture('penguins.json'), '--explain', '1']);
    expect(cli.code, cli.stderr).toBe(0);
    const [header, ...lines] = cli.stdout.trim().split('\n');
    expect(header!.split(',').at(-1)).toBe('rule');
    penguins.forEach((row, i) => {
      const flipper = row['Flipper Length (mm)'] as number | null;
      const beak = row['Beak Length (mm)'] as number | null;
      const expected = flipper !== null && flipper > 205 ? '`Flipper Length (mm)` > 205' : beak !== null && beak > 44 ? '`Beak Length (mm)` > 44' : 'otherwise';
      expect(lines[i]!.split(',').at(-1)).toBe(expected);
    });
    const store = await openStore({ uri: `sqlite:${join(dir, 'hyperplane.db')}` });
    try {
      const v = await store.registry.createVersion('rules', { artifact: await store.artifacts.put(readFileSync(join(dir, 'model.hpkg'))) });
      await store.registry.setAlias('rules', 'production', v.version);
      const server = await buildServer({ store, ...IN_TEST, reloadMs: 0 });
      try {
        const r = await server.app.inject({ method: 'POST', url: '/v1/models/rules/predict?explain=3', payload: { 'Flipper Length (mm)': 190, 'Beak Length (mm)': 46, Island: 'Dream' } });
        expect(r.statusCode, r.body).toBe(200);
        expect(r.json()).toMatchObject({ prediction: 'Chinstrap', explanation: { rule: '`Beak Length (mm)` > 44', index: 1, then: 'Chinstrap' } });
      } finally {
        await server.close();
      }
    } finally {
      await store.close();
    }
  });
});

describe('interventional explanations', () => {
  it("measure each row against the package's background rows: additive to the margin, other numbers than path-dependent; --interventional alone, or a package without background rows, is a clear error", () => {
    const dir = tempDir('hyperplane-explain-interventional-');
    const t = runCli(['train', fixture('penguins.json'), '--target', 'Sex', '--learner', 'gbdt', '--n-estimators', '20', '--no-track', '--out', dir]);
    expect(t.code, t.stderr).toBe(0);
    const model = join(dir, 'model.hpkg');
    const pkg = decodePackage(readFileSync(model), 'model.hpkg');
    expect(pkg.pipeline.background?.length).toBe(100);
    const run = (extra: string[]): { names: string[]; rows: number[][] } => {
      const r = runCli(['predict', model, fixture('penguins.json'), '--explain', 'all', ...extra]);
      expect(r.code, r.stderr).toBe(0);
      const [header, ...lines] = r.stdout.trim().split('\n');
      return { names: header!.split(','), rows: lines.map((l) => l.split(',').slice(1).map(Number)) };
    };
    const path = run([]);
    const inter = run(['--interventional']);
    expect(inter.names).toEqual(path.names);
    let differ = 0;
    inter.rows.forEach((row, i) => {
      const p = row[1]!;
      const margin = row.slice(2).reduce((a, b) => a + b, 0);
      expect(Math.abs(margin - Math.log(p / (1 - p)))).toBeLessThan(1e-9);
      if (row.slice(2).some((v, j) => Math.abs(v - path.rows[i]![j + 2]!) > 1e-9)) differ++;
    });
    expect(differ).toBeGreaterThan(inter.rows.length / 2);
    expect(runCli(['predict', model, fixture('penguins.json'), '--interventional'])).toMatchObject({ code: 2, stderr: 'hyperplane: error: --interventional is a way to --explain: give --explain K or --explain all too\n' });
    const { background: _gone, ...older } = pkg.pipeline;
    const old = join(dir, 'old.hpkg');
    writeFileSync(old, encodePackage({ ...pkg, pipeline: older }));
    const refused = runCli(['predict', old, fixture('penguins.json'), '--explain', '2', '--interventional']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/keeps no background rows.*train it again/);
  });
});
