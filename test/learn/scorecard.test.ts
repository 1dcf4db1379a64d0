import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Matrix, Model } from '../../src/learn/contract.js';
import { LearnError } from '../../src/learn/errors.js';
import { fit, getLearner, predict } from '../../src/learn/registry.js';
import { binWoe, countByCodes, countByCuts, informationValue } from '../../src/learn/scorecard/binning.js';
import { binOf, reasonCodes, scaling, scoreRows, type ScorecardState } from '../../src/learn/scorecard/scorecard-predict.js';
import { ROOT } from '../helpers.js';

const FIXTURES = join(ROOT, 'test', 'fixtures');

interface WoeCase {
  name: string;
  file: string;
  column: string;
  kind: 'numeric' | 'categorical';
  cuts?: number[];
  groups?: string[][];
  total_goods: number;
  total_bads: number;
  bins: { label: string; count: number; goods: number; bads: number; woe: number }[];
  iv: number;
}
const reference = JSON.parse(readFileSync(join(FIXTURES, 'scorecard', 'woe.json'), 'utf8')) as { cases: WoeCase[]; auc: { without_leaky: { logistic_one_hot_test_auc: number } } };

/** The CSV's rows as text cells by column. */
function readCsv(file: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(join(FIXTURES, file), 'utf8').trimEnd().split('\n');
  const names = head!.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, j) => [names[j]!, v])));
}

const FEATURES = ['reports', 'age', 'income', 'owner', 'selfemp', 'dependents', 'months', 'majorcards', 'active'];
const LEVELS: Record<string, string[]> = { owner: ['no', 'yes'], selfemp: ['no', 'yes'] };
const CATEGORICAL = [FEATURES.indexOf('owner'), FEATURES.indexOf('selfemp')];

/** The credit data as the learner sees it: numbers as they are, yes/no as codes, blanks missing; declined = yes is the event. */
function credit(file: string): { X: Matrix; y: Float64Array } {
  const rows = readCsv(file);
  const cell = (r: Record<string, string>, f: string): number => (r[f] === '' ? NaN : LEVELS[f] !== undefined ? LEVELS[f]!.indexOf(r[f]!) : Number(r[f]));
  return { X: { data: Float64Array.from(rows.flatMap((r) => FEATURES.map((f) => cell(r, f)))), n: rows.length, d: FEATURES.length }, y: Float64Array.from(rows, (r) => (r['declined'] === 'yes' ? 1 : 0)) };
}

/** Area under the ROC curve, ties shared (Mann–Whitney). */
function auc(score: ArrayLike<number>, y: ArrayLike<number>): number {
  const order = Array.from({ length: y.length }, (_, i) => i).sort((a, b) => score[a]! - score[b]!);
  let positives = 0;
  let rankSum = 0;
  for (let k = 0; k < order.length; ) {
    let e = k;
    while (e < order.length && score[order[e]!] === score[order[k]!]) e++;
    for (let q = k; q < e; q++) if (y[order[q]!] === 1) rankSum += (k + 1 + e) / 2;
    k = e;
  }
  for (let i = 0; i < y.length; i++) positives += y[i]!;
  const negatives = y.length - positives;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

const state = (model: Model): ScorecardState => model.state as unknown as ScorecardState;

describe('weight of evidence, against pandas (test/fixtures/scorecard/make.py)', () => {
  for (const c of reference.cases) {
    it(`${c.name}: counts, WoE and information value of each bin`, () => {
      const rows = readCsv(c.file);
      const y = rows.map((r) => (r['declined'] === 'yes' ? 1 : 0));
      const counted =
        c.kind === 'numeric'
          ? countByCuts(rows.map((r) => (r[c.column] === '' ? NaN : Number(r[c.column]))), y, c.cuts!)
          : countByCodes(
              rows.map((r) => (r[c.column] === '' ? NaN : c.groups!.findIndex((g) => g.includes(r[c.column]!)))),
              y,
              c.groups!.map((_, g) => g),
              c.groups!.length,
            );
      const bins = counted.missing.goods + counted.missing.bads > 0 ? [...counted.bins, counted.missing] : counted.bins;
      expect(bins.length).toBe(c.bins.length);
      bins.forEach((b, k) => {
        expect(b.goods).toBe(c.bins[k]!.goods);
        expect(b.bads).toBe(c.bins[k]!.bads);
        expect(binWoe(b, c.total_goods, c.total_bads)).toBeCloseTo(c.bins[k]!.woe, 12);
      });
      expect(informationValue(bins, c.total_goods, c.total_bads)).toBeCloseTo(c.iv, 12);
    });
  }
});

describe('scorecard on the credit card data', async () => {
  const train = credit('scorecard/credit_train.csv');
  const model = await fit('scorecard', train.X, train.y, 'binary', { categorical_features: CATEGORICAL });
  const s = state(model);
  const m = s.features.length;
  const { factor, offset } = scaling(s.pdo, s.baseScore, s.baseOdds);

  it('bins each characteristic as the training rows fall: counts, WoE = ln(goods share / bads share), IV', () => {
    const goods = train.y.reduce((t, v) => t + (v === 0 ? 1 : 0), 0);
    const bads = train.y.length - goods;
    expect(m).toBeGreaterThanOrEqual(4);
    for (let c = 0; c < m; c++) {
      const counts = new Map<number, { goods: number; bads: number }>();
      for (let i = 0; i < train.X.n; i++) {
        const b = binOf(s, c, train.X.data[i * train.X.d + s.features[c]!]!);
        const t = counts.get(b) ?? { goods: 0, bads: 0 };
        if (train.y[i] === 1) t.bads++;
        else t.goods++;
        counts.set(b, t);
      }
      let iv = 0;
      for (let b = s.binStart[c]!; b < s.binStart[c + 1]!; b++) {
        const t = counts.get(b) ?? { goods: 0, bads: 0 };
        expect([s.goods[b], s.bads[b]]).toEqual([t.goods, t.bads]);
        if (t.goods > 0 && t.bads > 0) expect(s.woe[b]).toBeCloseTo(Math.log(t.goods / goods / (t.bads / bads)), 12);
        if (t.goods + t.bads === 0) expect(s.woe[b]).toBe(0);
        iv += (t.goods / goods - t.bads / bads) * s.woe[b]!;
        // At least min_bin_share (5%) of the rows in each bin that has any.
        if (b < s.binStart[c + 1]! - 1 && s.categorical[c] === 0) expect(t.goods + t.bads).toBeGreaterThanOrEqual(0.05 * train.X.n);
      }
      expect(s.iv[s.features[c]!]).toBeCloseTo(iv, 12);
      expect(s.iv[s.features[c]!]).toBeGreaterThanOrEqual(0.02);
    }
    // Left out for too little information: each feature whose IV is under min_iv.
    s.leftOut.forEach((why, j) => expect(why === 1).toBe(s.iv[j]! < 0.02));
  });

  it('monotone bins: with monotone ascending, WoE rises across each number\'s bins', async () => {
    const up = state(await fit('scorecard', train.X, train.y, 'binary', { categorical_features: CATEGORICAL, monotone: 'ascending', min_iv: 0 }));
    for (let c = 0; c < up.features.length; c++) {
      if (up.categorical[c] === 1) continue;
      const values = Array.from(up.woe.subarray(up.binStart[c]!, up.binStart[c + 1]! - 1));
      for (let k = 1; k < values.length; k++) expect(values[k]!).toBeGreaterThan(values[k - 1]!);
    }
  });

  it('Σ points maps back to the logistic margin through the PDO formula: exactly before rounding, within the reported error after', () => {
    // The base: 600 points at odds of 1:19.
    expect(offset - factor * Math.log(1 / 19)).toBeCloseTo(600, 9);
    expect(factor).toBeCloseTo(50 / Math.LN2, 12);
    const { score, bins } = scoreRows(model, train.X);
    const p = predict(model, train.X);
    let largest = 0;
    for (let i = 0; i < train.X.n; i++) {
      let margin = s.intercept;
      let exactPoints = 0;
      for (let c = 0; c < m; c++) {
        const b = bins[i * m + c]!;
        margin += s.coef[c]! * s.woe[b]!;
        exactPoints += (offset - factor * s.intercept) / m - factor * s.coef[c]! * s.woe[b]!;
        expect(Number.isInteger(s.points[b])).toBe(true);
        expect(Math.abs(s.points[b]! - ((offset - factor * s.intercept) / m - factor * s.coef[c]! * s.woe[b]!))).toBeLessThanOrEqual(0.5);
      }
      expect((offset - exactPoints) / factor).toBeCloseTo(margin, 9);
      // The card's probability: its whole points through the same formula.
      const card = 1 / (1 + Math.exp(-(offset - score[i]!) / factor));
      expect(p[2 * i + 1]).toBeCloseTo(card, 12);
      largest = Math.max(largest, Math.abs(card - 1 / (1 + Math.exp(-margin))));
      expect(Math.abs(score[i]! - exactPoints)).toBeLessThanOrEqual(s.rounding[2]! + 1e-9);
    }
    expect(s.rounding[0]).toBeCloseTo(largest, 12);
    expect(s.rounding[0]).toBeLessThan(0.02);
  });

  it('contributions are the points on the margin scale and add up exactly', () => {
    const c = getLearner('scorecard').explain!(model, train.X);
    const { score } = scoreRows(model, train.X);
    for (let i = 0; i < train.X.n; i++) {
      let sum = c.base[0]!;
      for (let j = 0; j < train.X.d; j++) sum += c.values[i * train.X.d + j]!;
      expect(sum).toBeCloseTo((offset - score[i]!) / factor, 10);
      expect(c.margin[i]).toBeCloseTo((offset - score[i]!) / factor, 12);
    }
    // A feature left out of the card contributes nothing.
    const out = s.leftOut.findIndex((w) => w !== 0);
    expect(out).toBeGreaterThanOrEqual(0);
    for (let i = 0; i < train.X.n; i++) expect(c.values[i * train.X.d + out]).toBe(0);
  });

  it('ranks the test rows within 0.01 AUC of scikit-learn\'s logistic regression on one-hot features', () => {
    const test = credit('scorecard/credit_test.csv');
    const p = predict(model, test.X);
    const ours = auc(Array.from({ length: test.X.n }, (_, i) => p[2 * i + 1]!), test.y);
    const peer = reference.auc.without_leaky.logistic_one_hot_test_auc;
    console.log(`scorecard test AUC ${ours.toFixed(4)}; scikit-learn logistic regression on one-hot features ${peer.toFixed(4)}`);
    expect(ours).toBeGreaterThanOrEqual(peer - 0.01);
  });

  it('reason codes: for a constructed row, the characteristics that lost the most points against their best, in order', () => {
    // Row: for each characteristic, the value of a training row in its worst, middle or best bin.
    const row = new Float64Array(train.X.d).fill(NaN);
    const expected: { characteristic: number; lost: number }[] = [];
    for (let c = 0; c < m; c++) {
      const bins: number[] = [];
      for (let b = s.binStart[c]!; b < s.binStart[c + 1]!; b++) if (s.goods[b]! + s.bads[b]! > 0) bins.push(b);
      bins.sort((a, b) => s.points[a]! - s.points[b]!);
      const pick = bins[[0, bins.length - 1, Math.floor(bins.length / 2)][c % 3]!]!;
      const source = Array.from({ length: train.X.n }, (_, i) => i).find((i) => binOf(s, c, train.X.data[i * train.X.d + s.features[c]!]!) === pick)!;
      row[s.features[c]!] = train.X.data[source * train.X.d + s.features[c]!]!;
      const best = Math.max(...bins.map((b) => s.points[b]!));
      if (best - s.points[pick]! > 0) expected.push({ characteristic: c, lost: best - s.points[pick]! });
    }
    expected.sort((a, b) => b.lost - a.lost || a.characteristic - b.characteristic);
    const { bins } = scoreRows(model, { data: row, n: 1, d: train.X.d });
    const reasons = reasonCodes(model, bins, 4)[0]!;
    expect(expected.length).toBeGreaterThanOrEqual(2);
    expect(reasons.map((r) => [r.characteristic, r.pointsLost])).toEqual(expected.slice(0, 4).map((e) => [e.characteristic, e.lost]));
  });

  it('missing values get a bin of their own, its WoE as pandas gives it', async () => {
    const withMissing = credit('scorecard/credit_card_missing.csv');
    const ms = state(await fit('scorecard', withMissing.X, withMissing.y, 'binary', { categorical_features: CATEGORICAL, min_iv: 0 }));
    const income = Array.from(ms.features).indexOf(FEATURES.indexOf('income'));
    const missingBin = binOf(ms, income, NaN);
    const ref = reference.cases.find((k) => k.name === 'income_numeric_missing')!.bins.find((b) => b.label === 'missing')!;
    expect([ms.goods[missingBin], ms.bads[missingBin]]).toEqual([ref.goods, ref.bads]);
    expect(ms.woe[missingBin]).toBeCloseTo(ref.woe, 12);
  });
});

describe('scorecard bad input', () => {
  const X: Matrix = { data: Float64Array.from({ length: 40 }, (_, i) => i % 7), n: 20, d: 2 };
  it('is for binary targets only', async () => {
    await expect(fit('scorecard', X, Float64Array.from({ length: 20 }, (_, i) => i % 3), 'multiclass')).rejects.toThrow(/^scorecard is for binary targets; this target is multiclass$/);
    await expect(fit('scorecard', X, Float64Array.from({ length: 20 }, (_, i) => i), 'regression')).rejects.toThrow(LearnError);
  });
  it('refuses PDO and odds of 0 or less, naming the parameter', async () => {
    const y = Float64Array.from({ length: 20 }, (_, i) => i % 2);
    await expect(fit('scorecard', X, y, 'binary', { pdo: 0 })).rejects.toThrow(/parameter 'pdo'/);
    await expect(fit('scorecard', X, y, 'binary', { base_odds: 0 })).rejects.toThrow(/base_odds/);
    await expect(fit('scorecard', X, y, 'binary', { base_odds: '0:19' })).rejects.toThrow(/base_odds/);
    await expect(fit('scorecard', X, y, 'binary', { base_odds: 'one in twenty' })).rejects.toThrow(/base_odds.*1:19/);
  });
});
