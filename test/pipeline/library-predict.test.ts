import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellText, HyperplaneError, loadData, loadPackage, Pipeline, type Prediction } from '../../src/index.js';
import { buildServer, type Server } from '../../src/serve/server.js';
import { openStore, type Store } from '../../src/store/index.js';
import { fixture, IN_TEST, runCli, tempDir } from '../helpers.js';

type Row = Record<string, unknown>;

/** Trains with the CLI, as a user would, and gives the package file. */
function train(data: string, target: string, learner: string, ...more: string[]): string {
  const out = tempDir('hyperplane-library-predict-');
  const r = runCli(['train', fixture(data), '--target', target, '--learner', learner, ...more, '--no-track', '--out', out]);
  expect(r.code, r.stderr).toBe(0);
  return join(out, 'model.hpkg');
}

/** Rows of a fixture as JSON objects (the CSV through the library's own reader), target left in as a copy of training data would have it. */
async function rowsOf(data: string): Promise<Row[]> {
  if (data.endsWith('.json')) return JSON.parse(readFileSync(fixture(data), 'utf8')) as Row[];
  const { table } = await loadData(fixture(data));
  const rows: Row[] = [];
  for (let i = 0; i < table.nRows; i++) {
    const row: Row = {};
    for (const column of table.columns) {
      const value = column.kind === 'numeric' ? column.values[i]! : cellText(column, i);
      row[column.name] = typeof value === 'number' && Number.isNaN(value) ? null : value;
    }
    rows.push(row);
  }
  return rows;
}

describe('Pipeline.predict gives what POST /v1/models/NAME/predict answers', () => {
  let store: Store;
  let server: Server;
  const packages: Record<string, string> = {};

  beforeAll(async () => {
    store = await openStore({ uri: `sqlite:${join(tempDir('hyperplane-library-predict-store-'), 'hyperplane.db')}` });
    packages['cancer'] = train('breast_cancer.csv', 'diagnosis', 'logistic', '--threshold', 'recall=0.99');
    packages['penguins'] = train('penguins.json', 'Species', 'logistic');
    packages['cars'] = train('cars.json', 'Miles_per_Gallon', 'linear');
    for (const [name, path] of Object.entries(packages)) {
      const v = await store.registry.createVersion(name, { artifact: await store.artifacts.put(readFileSync(path)) });
      await store.registry.setAlias(name, 'production', v.version);
    }
    server = await buildServer({ store, ...IN_TEST, reloadMs: 0 });
  }, 120_000);
  afterAll(async () => {
    await server.close();
    await store.close();
  });

  /** The server's answers for `rows`, less the id, model, version and time (the library has none of those). */
  async function served(name: string, rows: readonly Row[]): Promise<Prediction[]> {
    const r = await server.app.inject({ method: 'POST', url: `/v1/models/${name}/predict`, payload: { rows } });
    expect(r.statusCode, r.body).toBe(200);
    return (r.json().predictions as (Prediction & { id?: string })[]).map(({ id: _id, ...answer }) => answer);
  }

  async function expectSame(name: string, rows: readonly Row[]): Promise<Prediction[]> {
    const pipeline = new Pipeline(loadPackage(packages[name]!).pipeline);
    const library = pipeline.predict(rows);
    const server = await served(name, rows);
    expect(library).toHaveLength(rows.length);
    // Field by field: the prediction, every class's probability, the notes.
    for (let i = 0; i < rows.length; i++) expect(library[i], `row ${i}`).toStrictEqual(server[i]);
    // One row is answered as it is in a batch.
    const [one] = pipeline.predict([rows[0]!]);
    expect(one).toStrictEqual(library[0]);
    return library;
  }

  it('binary: the label as the training data spells it, by the decision threshold, and both classes by name', async () => {
    const rows = await rowsOf('breast_cancer.csv');
    const { table } = await loadData(fixture('breast_cancer.csv'));
    const diagnosis = table.columns.find((c) => c.name === 'diagnosis')!;
    expect(diagnosis.kind).not.toBe('numeric');
    const answers = await expectSame('cancer', rows);
    const pipeline = new Pipeline(loadPackage(packages['cancer']!).pipeline);
    const { labels, threshold } = pipeline.spec.target;
    // A threshold other than 0.5 that changes some answers: a row called malignant at a probability under 0.5.
    expect(threshold).toBeDefined();
    expect(threshold).toBeLessThan(0.5);
    expect(answers.some((a) => a.prediction === 'malignant' && a.probabilities!['malignant']! < 0.5)).toBe(true);
    expect(new Set(answers.map((a) => a.prediction))).toEqual(new Set(['benign', 'malignant']));
    for (const a of answers) {
      expect(Object.keys(a.probabilities!).sort()).toEqual(['benign', 'malignant']);
      // The positive class is predicted at or above the model's threshold, not at 0.5.
      expect(a.prediction).toBe(a.probabilities![labels![1]!]! >= (threshold ?? 0.5) ? labels![1] : labels![0]);
    }
  });

  it('multiclass: the most probable species, every species by name; unknown categories noted as the server notes them', async () => {
    const rows = (await rowsOf('penguins.json')).filter((_, i) => i % 7 === 0);
    rows.push({ ...rows[0]!, Island: 'Atlantis' }, { nothing: 1 });
    const answers = await expectSame('penguins', rows);
    expect(new Set(answers.map((a) => a.prediction))).toEqual(new Set(['Adelie', 'Chinstrap', 'Gentoo']));
    for (const a of answers) expect(Object.keys(a.probabilities!).sort()).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    expect(answers.at(-2)!.notes).toEqual([expect.stringContaining("unknown category 'Atlantis' for 'Island'")]);
    expect(answers.at(-1)!.notes).toEqual([expect.stringContaining('none of the fields the model reads')]);
    expect(answers[0]!.notes).toBeUndefined();
  });

  it('regression: the value, no probabilities', async () => {
    const rows = (await rowsOf('cars.json')).slice(0, 40);
    const answers = await expectSame('cars', rows);
    for (const a of answers) {
      expect(typeof a.prediction).toBe('number');
      expect(a.probabilities).toBeUndefined();
    }
    const pipeline = new Pipeline(loadPackage(packages['cars']!).pipeline);
    // scoreRows keeps giving the bare scores: here, the values themselves.
    expect(Array.from(pipeline.scoreRows(rows))).toEqual(answers.map((a) => a.prediction));
  });

  it('rows the server refuses (400), the library refuses too, naming every problem', async () => {
    const pipeline = new Pipeline(loadPackage(packages['penguins']!).pipeline);
    const rows = [{ 'Beak Length (mm)': 'long' }, { 'Body Mass (g)': [1] }];
    const r = await server.app.inject({ method: 'POST', url: '/v1/models/penguins/predict', payload: { rows } });
    expect(r.statusCode).toBe(400);
    const problems = r.json().problems;
    expect(problems).toHaveLength(2);
    let thrown: unknown;
    try {
      pipeline.predict(rows);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(HyperplaneError);
    expect((thrown as { problems: unknown }).problems).toEqual(problems);
    expect((thrown as Error).message).toMatch(/2 problems.*Beak Length \(mm\).*Body Mass \(g\)/s);
  });
});
