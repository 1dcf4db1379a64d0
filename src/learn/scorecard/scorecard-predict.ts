import { z } from 'zod';
import type { Contributions, Matrix, Model, Predictor } from '../contract.js';
import { checkPredictInput } from '../validate.js';
import * as state from '../state.js';
import { LearnError } from '../errors.js';

// Predict time for scorecards, apart from scorecard.ts's fitting: no node: module here.
export const SCORECARD_FORMAT_VERSION = 1;

/** Why a feature is not a characteristic of the card (state.leftOut, by feature). */
export const LEFT_OUT = ['in the card', 'information value below min_iv', 'its coefficient had the wrong sign (its evidence is carried by other characteristics)'] as const;

/**
 * A scorecard's state, plain arrays. Characteristic c reads feature `features[c]`; its bins are
 * [binStart[c], binStart[c + 1]): the value bins in order, then the missing bin, then (categorical) the
 * bin of codes training never saw. A numeric characteristic's value bins are cut at cuts[cutStart[c] …]
 * (bin k holds cuts[k − 1] < x ≤ cuts[k]); a categorical one maps code k to local bin
 * codeBins[codeStart[c] + k] (−1: never seen).
 */
const schema = z.object({
  features: state.i32,
  categorical: state.u8,
  binStart: state.i32,
  cutStart: state.i32,
  cuts: state.f64,
  codeStart: state.i32,
  codeBins: state.i32,
  goods: state.f64,
  bads: state.f64,
  woe: state.f64,
  points: state.f64,
  coef: state.f64,
  intercept: state.finite,
  pdo: state.finite,
  baseScore: state.finite,
  baseOdds: state.finite,
  meanPoints: state.f64,
  maxPoints: state.f64,
  iv: state.f64,
  leftOut: state.u8,
  trend: state.u8,
  rounding: state.f64,
});
export type ScorecardState = z.output<typeof schema>;

/** Points to double the odds, as a factor on the log-odds: score = offset − factor × margin. */
export function scaling(pdo: number, baseScore: number, baseOdds: number): { factor: number; offset: number } {
  const factor = pdo / Math.LN2;
  return { factor, offset: baseScore + factor * Math.log(baseOdds) };
}

/** The log-odds of the event for a score. */
export function marginOfScore(s: ScorecardState, score: number): number {
  const { factor, offset } = scaling(s.pdo, s.baseScore, s.baseOdds);
  return (offset - score) / factor;
}

/** The bin (global index) of value v for characteristic c. */
export function binOf(s: ScorecardState, c: number, v: number): number {
  const first = s.binStart[c]!;
  if (s.categorical[c] === 1) {
    const valueBins = s.binStart[c + 1]! - first - 2;
    if (v !== v) return first + valueBins;
    const at = s.codeStart[c]!;
    const local = Number.isInteger(v) && v >= 0 && v < s.codeStart[c + 1]! - at ? s.codeBins[at + v]! : -1;
    return local >= 0 ? first + local : first + valueBins + 1;
  }
  const lo = s.cutStart[c]!;
  const hi = s.cutStart[c + 1]!;
  if (v !== v) return first + hi - lo + 1;
  // The first cut at or above v: bins are closed on the right.
  let a = lo;
  let b = hi;
  while (a < b) {
    const mid = (a + b) >> 1;
    if (v <= s.cuts[mid]!) b = mid;
    else a = mid + 1;
  }
  return first + (a - lo);
}

/** Each row's score and the bin it falls in for each characteristic (n × m). */
export function scoreRows(model: Model, X: Matrix): { score: Float64Array; bins: Int32Array } {
  checkPredictInput(model, X);
  const s = model.state as unknown as ScorecardState;
  const m = s.features.length;
  const { n, d, data } = X;
  const score = new Float64Array(n);
  const bins = new Int32Array(n * m);
  for (let i = 0; i < n; i++) {
    let total = 0;
    for (let c = 0; c < m; c++) {
      const bin = binOf(s, c, data[i * d + s.features[c]!]!);
      bins[i * m + c] = bin;
      total += s.points[bin]!;
    }
    score[i] = total;
  }
  return { score, bins };
}

export const scorecardPredictor = {
  kind: 'scorecard',
  formatVersion: SCORECARD_FORMAT_VERSION,
  tasks: ['binary'],

  checkState(model: Model): void {
    const s = state.parseState(model, schema);
    const m = s.features.length;
    state.checkRange('features', s.features, 0, model.nFeatures, 'a feature index');
    for (const [field, a, length] of [
      ['categorical', s.categorical, m],
      ['coef', s.coef, m],
      ['meanPoints', s.meanPoints, m],
      ['maxPoints', s.maxPoints, m],
      ['trend', s.trend, m],
      ['binStart', s.binStart, m + 1],
      ['cutStart', s.cutStart, m + 1],
      ['codeStart', s.codeStart, m + 1],
      ['iv', s.iv, model.nFeatures],
      ['leftOut', s.leftOut, model.nFeatures],
      ['rounding', s.rounding, 3],
    ] as const) {
      state.checkLength(field, a, length);
    }
    const bins = s.binStart[m]!;
    for (const [field, a] of [
      ['goods', s.goods],
      ['bads', s.bads],
      ['woe', s.woe],
      ['points', s.points],
    ] as const) {
      state.checkLength(field, a, bins, ' (one per bin)');
      state.checkFinite(field, a);
    }
    for (const field of ['coef', 'meanPoints', 'maxPoints', 'iv', 'rounding', 'cuts'] as const) state.checkFinite(field, s[field]);
    state.checkRange('leftOut', s.leftOut, 0, LEFT_OUT.length, 'a reason code');
    if (s.binStart[0] !== 0 || s.cutStart[0] !== 0 || s.codeStart[0] !== 0) throw state.stateError('binStart', 'and cutStart and codeStart must start at 0');
    if (s.cutStart[m] !== s.cuts.length) throw state.stateError('cutStart', `ends at ${s.cutStart[m]}, expected ${s.cuts.length} (the cuts)`);
    if (s.codeStart[m] !== s.codeBins.length) throw state.stateError('codeStart', `ends at ${s.codeStart[m]}, expected ${s.codeBins.length} (the codes)`);
    for (let c = 0; c < m; c++) {
      const width = s.binStart[c + 1]! - s.binStart[c]!;
      const categorical = s.categorical[c] === 1;
      const cuts = s.cutStart[c + 1]! - s.cutStart[c]!;
      const codes = s.codeStart[c + 1]! - s.codeStart[c]!;
      if (cuts < 0 || codes < 0) throw state.stateError(`cutStart[${c + 1}]`, 'runs backwards');
      // Value bins, then missing, then (categorical) unseen.
      const expected = categorical ? width - 2 : cuts + 1;
      if (categorical ? cuts !== 0 || width < 3 : width !== cuts + 2) throw state.stateError(`binStart[${c + 1}]`, `gives characteristic ${c} ${width} bins, which its ${categorical ? 'codes' : `${cuts} cuts`} do not fit`);
      for (let k = s.cutStart[c]! + 1; k < s.cutStart[c + 1]!; k++) if (!(s.cuts[k]! > s.cuts[k - 1]!)) throw state.stateError(`cuts[${k}]`, 'is not above the cut before it');
      for (let k = s.codeStart[c]!; k < s.codeStart[c + 1]!; k++) if (!(s.codeBins[k]! >= -1 && s.codeBins[k]! < expected)) throw state.stateError(`codeBins[${k}]`, `is ${s.codeBins[k]}; expected a bin from 0 to ${expected - 1}, or −1`);
    }
    if (!(s.pdo > 0)) throw state.stateError('pdo', `is ${s.pdo}; expected a positive number`);
    if (!(s.baseOdds > 0)) throw state.stateError('baseOdds', `is ${s.baseOdds}; expected a positive number`);
  },

  predict(model: Model, X: Matrix): Float64Array {
    const s = model.state as unknown as ScorecardState;
    const { score } = scoreRows(model, X);
    const out = new Float64Array(2 * X.n);
    for (let i = 0; i < X.n; i++) {
      // The card is the model: probabilities come from its whole points, as a person reading it would get them.
      const z = marginOfScore(s, score[i]!);
      const p = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
      out[2 * i] = 1 - p;
      out[2 * i + 1] = p;
    }
    return out;
  },

  /**
   * Points on the margin scale: a characteristic adds −(its points − their training mean) / factor, the
   * base being the margin of the mean points. Exact: base + Σ contributions = the card's margin.
   */
  explain(model: Model, X: Matrix): Contributions {
    const s = model.state as unknown as ScorecardState;
    const { score, bins } = scoreRows(model, X);
    const { factor, offset } = scaling(s.pdo, s.baseScore, s.baseOdds);
    const m = s.features.length;
    let meanScore = 0;
    for (let c = 0; c < m; c++) meanScore += s.meanPoints[c]!;
    const values = new Float64Array(X.n * X.d);
    const margin = new Float64Array(X.n);
    for (let i = 0; i < X.n; i++) {
      for (let c = 0; c < m; c++) values[i * X.d + s.features[c]!] = -(s.points[bins[i * m + c]!]! - s.meanPoints[c]!) / factor;
      margin[i] = (offset - score[i]!) / factor;
    }
    return { outputs: 1, base: Float64Array.of((offset - meanScore) / factor), values, margin, link: 'logistic' };
  },
} satisfies Predictor;

/** A row's reason: characteristic c, the bin it fell in, and the points it lost against the characteristic's best. */
export interface Reason {
  characteristic: number;
  bin: number;
  pointsLost: number;
}

/**
 * Adverse-action reasons for each row: the `k` characteristics where it lost the most points against
 * that characteristic's highest points, most first (ties by characteristic), only those that lost any.
 */
export function reasonCodes(model: Model, bins: Int32Array, k: number): Reason[][] {
  if (model.kind !== 'scorecard') throw new LearnError(`a ${model.kind} model has no reason codes; a scorecard does`);
  const s = model.state as unknown as ScorecardState;
  const m = s.features.length;
  const n = m === 0 ? 0 : bins.length / m;
  const out: Reason[][] = [];
  for (let i = 0; i < n; i++) {
    const reasons: Reason[] = [];
    for (let c = 0; c < m; c++) {
      const bin = bins[i * m + c]!;
      const lost = s.maxPoints[c]! - s.points[bin]!;
      if (lost > 0) reasons.push({ characteristic: c, bin, pointsLost: lost });
    }
    reasons.sort((a, b) => b.pointsLost - a.pointsLost || a.characteristic - b.characteristic);
    out.push(reasons.slice(0, k));
  }
  return out;
}
