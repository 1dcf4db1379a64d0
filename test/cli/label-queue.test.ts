import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Prediction, type Store } from '../../src/store/index.js';
import { cli, tempDir } from '../helpers.js';

const dir = tempDir('hyperplane-label-queue-');
const uri = `sqlite:${join(dir, 'hyperplane.db')}`;
const env = { HYPERPLANE_STORE: uri };
const run = (...args: string[]) => cli(args, { env });
const file = (name: string): string => join(dir, name);
const NOW = Date.now();
const HOUR = 3_600_000;

/** P(yes) of churn's logged predictions p00…p19: their confidence, max(p, 1 − p), orders the uncertainty queue. */
const P_YES = [0.95, 0.1, 0.52, 0.5, 0.8, 0.45, 0.99, 0.61, 0.3, 0.58, 0.02, 0.7, 0.49, 0.85, 0.4, 0.05, 0.66, 0.9, 0.35, 0.15];
const id = (i: number): string => `p${String(i).padStart(2, '0')}`;

/** A classifier's logged call, as the server writes it: the row, then `{prediction, probabilities}`. */
const churn = (i: number, fields: Partial<Prediction> = {}): Prediction => ({
  id: id(i),
  model: 'churn',
  version: 1,
  timestamp: NOW - 2 * HOUR + i * 60_000,
  request: { tenure: i, plan: i % 2 === 1 ? 'pro' : 'basic, yearly' },
  response: { prediction: P_YES[i]! > 0.5 ? 'yes' : 'no', probabilities: { yes: P_YES[i]!, no: 1 - P_YES[i]! } },
  latencyMs: 1.2,
  arm: 'churn/1',
  ...fields,
});

/** Three classes: least confidence and smallest margin disagree on the third pick (q3 vs q0). */
const IRIS: Record<string, Record<string, number>> = {
  q0: { a: 0.4, b: 0.35, c: 0.25 },
  q1: { a: 0.34, b: 0.33, c: 0.33 },
  q2: { a: 0.45, b: 0.2, c: 0.35 },
  q3: { a: 0.38, b: 0.31, c: 0.31 },
  q4: { a: 0.6, b: 0.39, c: 0.01 },
  q5: { a: 0.36, b: 0.34, c: 0.3 },
};

async function seed(store: Store): Promise<void> {
  const at = NOW - HOUR;
  await store.predictions.insert([
    ...P_YES.map((_, i) => churn(i)),
    // A shadow's copy of an uncertain call, another model's, a later version's: none is churn v1's to label.
    churn(20, { id: 'shadow-1', arm: 'shadow', response: { prediction: 'yes', probabilities: { yes: 0.5, no: 0.5 } } }),
    ...Object.entries(IRIS).map(([qid, probabilities], i) => ({ id: qid, model: 'iris', version: 1, timestamp: at + i, request: { petal: i }, response: { prediction: 'a', probabilities }, latencyMs: 1 })),
    // Ten near-copies of one uncertain row and one far from them, less uncertain than the first five.
    ...Array.from({ length: 10 }, (_, i) => ({ id: `d${i}`, model: 'dup', version: 1, timestamp: at + i, request: { x: 1 + i / 1000, c: 'a' }, response: { prediction: 'yes', probabilities: { yes: 0.5 + i / 100, no: 0.5 - i / 100 } }, latencyMs: 1 })),
    { id: 'dfar', model: 'dup', version: 1, timestamp: at + 20, request: { x: 100, c: 'b' }, response: { prediction: 'yes', probabilities: { yes: 0.535, no: 0.465 } }, latencyMs: 1 },
    { id: 'z1', model: 'done', version: 1, timestamp: at, request: { x: 1 }, response: { prediction: 'yes', probabilities: { yes: 0.5, no: 0.5 } }, latencyMs: 1 },
    { id: 'r1', model: 'price', version: 1, timestamp: at, request: { rooms: 3 }, response: { prediction: 250.5 }, latencyMs: 1 },
  ]);
  // p03 (P(yes) 0.5, the least confident of all) already has its label.
  await store.feedback.insert([
    { predictionId: 'p03', outcome: 'no', reward: 1, timestamp: at },
    { predictionId: 'z1', outcome: 'no', reward: 0, timestamp: at },
  ]);
}

async function feedbackCount(model: string): Promise<number> {
  const store = await openStore({ uri });
  try {
    return (await store.feedback.list({ model, limit: 10_000 })).length;
  } finally {
    await store.close();
  }
}

/** A CSV's rows as objects by header (the exports here hold no quoted commas in the columns read). */
function readCsv(path: string): { header: string[]; rows: Record<string, string>[] } {
  const [head, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
  const header = head!.split(',');
  return { header, rows: lines.map((line) => Object.fromEntries(line.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((f, j) => [header[j]!, f.replace(/,$/, '').replace(/^"|"$/g, '')]))) };
}

describe('hyperplane label-queue and feedback FILE', () => {
  beforeAll(async () => {
    const store = await openStore({ uri });
    try {
      await seed(store);
    } finally {
      await store.close();
    }
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exports the n least confident unlabelled predictions, with ids, inputs and an empty outcome column', async () => {
    const out = file('churn.csv');
    const r = await run('label-queue', 'churn', '--n', '5', '--strategy', 'uncertainty', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(`5 of 19 unlabelled predictions of churn picked by uncertainty, written to ${out}\n`);
    const { header, rows } = readCsv(out);
    expect(header).toEqual(['id', 'confidence', 'input.tenure', 'input.plan', 'prediction', 'proba.yes', 'proba.no', 'outcome']);
    // By confidence 0.51, 0.52, 0.55, 0.58, 0.60; p03 (0.50) is labelled, the shadow copy left out.
    expect(rows.map((row) => row['id'])).toEqual(['p12', 'p02', 'p05', 'p09', 'p14']);
    expect(rows[0]).toEqual({ id: 'p12', confidence: '0.51', 'input.tenure': '12', 'input.plan': 'basic, yearly', prediction: 'no', 'proba.yes': '0.49', 'proba.no': '0.51', outcome: '' });
    // Without --out, the same CSV on stdout.
    const printed = await run('label-queue', 'churn', '--n', '5');
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toBe(readFileSync(out, 'utf8'));
    // --since and --until narrow the range: p12…p19 were logged in the last 100 minutes.
    const recent = await run('label-queue', 'churn', '--n', '2', '--since', '105m');
    expect(recent.stdout.split('\n').slice(1, 3).map((l) => l.split(',')[0])).toEqual(['p18', 'p16']);
  });

  it('ranks by the smallest margin between the two top classes with --strategy margin', async () => {
    const ids = async (strategy: string): Promise<string[]> => {
      const r = await run('label-queue', 'iris', '--n', '3', '--strategy', strategy);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(',')[0]!);
    };
    expect(await ids('uncertainty')).toEqual(['q1', 'q5', 'q3']);
    expect(await ids('margin')).toEqual(['q1', 'q5', 'q0']);
    const r = await run('label-queue', 'iris', '--n', '1', '--strategy', 'margin');
    expect(r.stdout.split('\n')[0]).toBe('id,margin,input.petal,prediction,proba.a,proba.b,proba.c,outcome');
  });

  it('spreads the picks over the inputs with --strategy diverse, not on near-copies', async () => {
    const ids = async (strategy: string): Promise<string[]> => (await run('label-queue', 'dup', '--n', '2', '--strategy', strategy)).stdout.trimEnd().split('\n').slice(1).map((l) => l.split(',')[0]!);
    expect(await ids('uncertainty')).toEqual(['d0', 'd1']);
    expect(await ids('diverse')).toEqual(['d0', 'dfar']);
  });

  it('exports all there are, and says so, when fewer than n are unlabelled', async () => {
    const r = await run('label-queue', 'iris', '--n', '100', '--out', file('iris.csv'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(`only 6 unlabelled predictions of iris in range: all 6 written to ${file('iris.csv')} (asked for 100)\n`);
    // Nothing to label: the file is written all the same, with no rows, so a script never sends on an old one.
    const done = file('done.csv');
    writeFileSync(done, 'id,outcome\nold,yes\n');
    const none = await run('label-queue', 'done', '--out', done);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stderr).toBe(`no unlabelled predictions of done in range: nothing to label; ${done} holds no rows\n`);
    expect(readFileSync(done, 'utf8')).toBe('id,confidence,outcome\n');
  });

  it('takes the filled-in file back as feedback, scored as POST /v1/feedback scores it, and leaves labelled ones out of the next queue', async () => {
    const out = file('to-label.csv');
    expect((await run('label-queue', 'churn', '--n', '5', '--out', out)).code).toBe(0);
    // The labeller fills in four outcomes and leaves one empty.
    const outcomes: Record<string, string> = { p12: 'yes', p02: 'yes', p05: '', p09: 'no', p14: 'no' };
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    writeFileSync(out, `${[lines[0], ...lines.slice(1).map((l) => `${l}${outcomes[l.split(',')[0]!]}`)].join('\n')}\n`);
    const before = await feedbackCount('churn');
    const r = await run('feedback', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`4 accepted, 1 skipped (no outcome), 0 refused: feedback from ${out} recorded\n`);
    expect(await feedbackCount('churn')).toBe(before + 4);
    const page = JSON.parse((await run('predictions', 'churn', '--with-feedback', '--json', '--limit', '100')).stdout) as { predictions: { id: string; feedback: { outcome: unknown; reward: number | null } | null }[] };
    const joined = Object.fromEntries(page.predictions.filter((p) => p.feedback !== null).map((p) => [p.id, [p.feedback!.outcome, p.feedback!.reward]]));
    // The reward: 1 where the label is what was predicted (p02 0.52 yes, p09 0.58 yes), 0 where not.
    expect(joined).toEqual({ p02: ['yes', 1], p03: ['no', 1], p09: ['no', 0], p12: ['yes', 0], p14: ['no', 1] });
    // Sent again, it adds nothing: the store keeps one of each (id, outcome).
    expect((await run('feedback', out)).code).toBe(0);
    expect(await feedbackCount('churn')).toBe(before + 4);
    // The next queue skips what is labelled now.
    const next = await run('label-queue', 'churn', '--n', '3');
    expect(next.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(',')[0])).toEqual(['p05', 'p07', 'p18']);
  });

  it('records a value model’s outcomes as numbers, and takes other column names', async () => {
    const values = file('values.csv');
    writeFileSync(values, 'prediction_id,truth\nr1,241.25\n');
    const r = await run('feedback', values, '--id-column', 'prediction_id', '--outcome-column', 'truth');
    expect(r.code, r.stderr).toBe(0);
    const store = await openStore({ uri });
    try {
      expect((await store.feedback.list({ predictionId: 'r1' })).map((f) => [f.outcome, f.reward])).toEqual([[241.25, null]]);
    } finally {
      await store.close();
    }
  });

  it('refuses a file with a bad row whole, naming each bad row by line and column, and records nothing', async () => {
    const bad = file('bad.csv');
    writeFileSync(bad, 'id,outcome\np07,yes\nnope,no\np18,maybe\np16,\n');
    const before = await feedbackCount('churn');
    const r = await run('feedback', bad);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      "bad.csv, line 3, column 'id': no prediction 'nope' in the log",
      "bad.csv, line 4, column 'outcome': unknown label 'maybe': expected one of yes, no",
      `hyperplane: error: ${bad}: 2 bad rows (listed above): the file was refused and nothing was recorded; fix them, or empty their outcome to skip them`,
    ]);
    expect(await feedbackCount('churn')).toBe(before);
    const price = file('price.csv');
    writeFileSync(price, 'id,outcome\nr1,cheap\n');
    const p = await run('feedback', price);
    expect(p.stderr).toContain("price.csv, line 2, column 'outcome': got \"cheap\": expected the true value, a number (the model predicts values)");
    const noColumn = file('no-outcome.csv');
    writeFileSync(noColumn, 'id,label\np07,yes\n');
    const m = await run('feedback', noColumn);
    expect(m.code).toBe(2);
    expect(m.stderr).toBe(`hyperplane: error: ${noColumn}: no column 'outcome' (--outcome-column); the file's columns: id, label\n`);
  });

  it('refuses bad arguments and a model it cannot rank, with exit 2 and the reason', async () => {
    const refused = async (args: string[], message: string): Promise<void> => {
      const r = await run(...args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`hyperplane: error: ${message}\n`);
    };
    await refused(['label-queue', 'churn', '--n', '0'], '--n 0: expected a whole number of 1 or more');
    await refused(['label-queue', 'churn', '--n', '2.5'], '--n 2.5: expected a whole number of 1 or more');
    await refused(['label-queue', 'churn', '--strategy', 'random'], '--strategy random: expected one of uncertainty, margin, diverse');
    await refused(['label-queue', 'price'], "model 'price' predicts values (a regression): label-queue ranks predictions by their class probabilities, which only a classifier logs");
    const unknown = await run('label-queue', 'nothing');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^hyperplane: error: no predictions logged for model 'nothing' in .*; models with logged predictions: churn, done, dup, iris, price\n$/);
  });
});
