import { z } from 'zod';
import type { FitOptions, Learner, Matrix, Model, Task } from '../contract.js';
import { LearnError, throwIfAborted } from '../errors.js';
import { checkFit } from '../validate.js';
import { logisticLearner, logisticParams } from '../linear/logistic.js';
import { binCategorical, binNumeric, binWoe, informationValue, type Binning, type BinningOptions } from './binning.js';
import { SCORECARD_FORMAT_VERSION, scorecardPredictor, scaling, scoreRows, type ScorecardState } from './scorecard-predict.js';

/** Odds as a number (events per non-event) or "events:non-events", as scorecards quote them (1:19). */
const odds = z
  .union([z.number(), z.string().regex(/^\s*\d+(\.\d+)?\s*:\s*\d+(\.\d+)?\s*$/, { message: 'expected odds as a number or as events:non-events, e.g. 1:19' })])
  .refine((v) => parseOdds(v) > 0 && Number.isFinite(parseOdds(v)), { message: 'expected odds above 0, as events:non-events (e.g. 1:19) or a number' });

export const scorecardParams = z
  .object({
    max_bins: z.number().int().min(2).max(20).default(6).describe('scorecard: most bins (attributes) of a characteristic, its missing bin apart'),
    fine_bins: z.number().int().min(2).max(100).default(20).describe('scorecard: fine bins of equal weight a number is cut into before they are grouped'),
    min_bin_share: z.number().gt(0).max(0.5).default(0.05).describe('scorecard: least share of the training rows in one bin'),
    monotone: z.enum(['auto', 'ascending', 'descending', 'none']).default('auto').describe("scorecard: how a number's weight of evidence runs across its bins; auto: monotone, unless a peak or valley carries a quarter more information"),
    min_iv: z.number().min(0).default(0.02).describe('scorecard: characteristics of less information value are left out of the card'),
    C: z.number().positive().default(1).describe('inverse regularisation strength, as in scikit-learn: C × Σ loss + penalty'),
    pdo: z.number().positive().default(50).describe('scorecard: points to double the odds'),
    base_score: z.number().default(600).describe('scorecard: the score at the base odds'),
    base_odds: odds.default('1:19').describe('scorecard: odds of the event (bad:good) at the base score, as 1:19 or a number'),
    categorical_features: z.array(z.number().int().min(0)).default([]).describe('feature indices holding category codes (set by the pipeline)'),
  })
  .strict();
export type ScorecardParams = z.infer<typeof scorecardParams>;

const NAME = 'scorecard';

/** Odds of the event from the parameter. */
export function parseOdds(value: number | string): number {
  if (typeof value === 'number') return value;
  const [events, others] = value.split(':').map(Number) as [number, number];
  return events / others;
}

/**
 * A credit scorecard for binary targets: each feature binned by weight of evidence (binning.ts), those
 * carrying enough information kept, logistic regression on their WoE, and integer points per attribute
 * scaled by points-to-double-the-odds, so a row's score is the sum of its attributes' points and maps back
 * to a probability. Class 1 is the event (the "bad": a default, a decline).
 */
export const scorecardLearner: Learner<ScorecardParams> = {
  name: NAME,
  description: 'credit scorecard: weight-of-evidence bins, logistic regression on them, integer points per attribute (PDO scaling) and reason codes',
  params: scorecardParams,
  formatVersion: SCORECARD_FORMAT_VERSION,
  capabilities: { tasks: scorecardPredictor.tasks, sampleWeights: true, missingValues: 'native', explanations: 'linear', interpretability: 'additive', singleClass: 'error' },
  // The model a loan officer can read, so a simpler choice can be weighed.
  auto: { rank: 4, candidates: () => [{}] },

  async fit(X: Matrix, y: Float64Array, task: Task, params: ScorecardParams, options: FitOptions = {}): Promise<Model> {
    const started = performance.now();
    const { weights } = checkFit(NAME, this.capabilities, X, y, task, options);
    const baseOdds = parseOdds(params.base_odds);
    if (!(baseOdds > 0 && Number.isFinite(baseOdds))) throw new LearnError(`${NAME}: parameter 'base_odds': ${params.base_odds} are not odds above 0 (give them as events:non-events, e.g. 1:19)`);
    const { n, d, data } = X;
    for (const j of params.categorical_features) if (j >= d) throw new LearnError(`${NAME}: categorical_features names feature ${j}, but X has ${d}`);
    const categorical = new Set(params.categorical_features);
    const binning: BinningOptions = { maxBins: params.max_bins, fineBins: params.fine_bins, minShare: params.min_bin_share, monotone: params.monotone };

    let goods = 0;
    let bads = 0;
    for (let i = 0; i < n; i++) {
      const w = weights === undefined ? 1 : weights[i]!;
      if (y[i] === 1) bads += w;
      else goods += w;
    }
    const binnings: Binning[] = [];
    const iv = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      throwIfAborted(options.signal);
      const b = categorical.has(j) ? binCategorical(data, n, d, j, y, weights, binning) : binNumeric(data, n, d, j, y, weights, binning);
      binnings.push(b);
      iv[j] = informationValue([...b.bins, b.missing], goods, bads);
    }
    const leftOut = new Uint8Array(d);
    const warnings: string[] = [];
    let chosen = Array.from({ length: d }, (_, j) => j).filter((j) => iv[j]! >= params.min_iv);
    for (let j = 0; j < d; j++) if (iv[j]! < params.min_iv) leftOut[j] = 1;
    if (chosen.length === 0) {
      // A card needs a characteristic: the most informative, though below the bar, and say so.
      const best = iv.reduce((b, v, j) => (v > iv[b]! ? j : b), 0);
      chosen = [best];
      leftOut[best] = 0;
      warnings.push(`no feature reaches min_iv ${params.min_iv}; the card keeps the most informative (information value ${iv[best]!.toFixed(4)})`);
    }

    // Logistic regression on the WoE of the chosen characteristics; one whose coefficient says more
    // evidence of goods means more bads is left out (collinear with others), and the rest refitted.
    const woeOf = (j: number): Float64Array => {
      const b = binnings[j]!;
      const w = new Float64Array(b.bins.length + 2);
      b.bins.forEach((bin, k) => (w[k] = binWoe(bin, goods, bads)));
      w[b.bins.length] = binWoe(b.missing, goods, bads);
      return w;
    };
    const woes = new Map<number, Float64Array>();
    for (const j of chosen) woes.set(j, woeOf(j));
    let fitted: { coef: Float64Array; intercept: number; iterations: number; converged: boolean; loss: number };
    for (;;) {
      throwIfAborted(options.signal);
      const m = chosen.length;
      const Xw = new Float64Array(n * m);
      const probe: ScorecardState = assemble(chosen, binnings, categorical, woes, new Float64Array(m), 0, params, baseOdds, iv, leftOut, new Float64Array(0));
      const bins = scoreRows({ kind: NAME, formatVersion: SCORECARD_FORMAT_VERSION, task, nFeatures: d, nClasses: 2, params, state: probe as never, training: emptyLog() }, X).bins;
      for (let i = 0; i < n * m; i++) Xw[i] = probe.woe[bins[i]!]!;
      const model = await logisticLearner.fit({ data: Xw, n, d: m }, y, 'binary', logisticParams.parse({ penalty: 'l2', C: params.C, tol: 1e-8 }), { ...(weights !== undefined ? { weights } : {}), ...(options.signal !== undefined ? { signal: options.signal } : {}) });
      const coef = model.state['coef'] as Float64Array;
      fitted = { coef, intercept: (model.state['intercept'] as Float64Array)[0]!, iterations: model.training.iterations, converged: model.training.converged, loss: model.training.finalLoss };
      // WoE rises with the share of goods, so each coefficient on the log-odds of the event should be ≤ 0.
      let worst = -1;
      for (let c = 0; c < m; c++) if (coef[c]! > 1e-9 && (worst < 0 || coef[c]! > coef[worst]!)) worst = c;
      if (worst < 0 || m === 1) break;
      leftOut[chosen[worst]!] = 2;
      chosen = chosen.filter((_, c) => c !== worst);
    }

    const s = assemble(chosen, binnings, categorical, woes, fitted.coef, fitted.intercept, params, baseOdds, iv, leftOut, new Float64Array(3));
    const model: Model = { kind: NAME, formatVersion: SCORECARD_FORMAT_VERSION, task, nFeatures: d, nClasses: 2, params: { ...params }, state: s as never, training: emptyLog() };
    summarize(model, X, weights);
    model.training = { iterations: fitted.iterations, converged: fitted.converged, durationMs: performance.now() - started, finalLoss: fitted.loss, warnings };
    return model;
  },

  predict: scorecardPredictor.predict,
  checkState: scorecardPredictor.checkState,
  explain: scorecardPredictor.explain,
};

function emptyLog(): Model['training'] {
  return { iterations: 0, converged: true, durationMs: 0, finalLoss: 0, warnings: [] };
}

const TREND = { ascending: 0, descending: 1, none: 2, levels: 3 } as const;

/** The state for characteristics `chosen` with the fitted coefficients: bins laid out, points scaled and rounded. */
function assemble(chosen: readonly number[], binnings: readonly Binning[], categorical: ReadonlySet<number>, woes: ReadonlyMap<number, Float64Array>, coef: Float64Array, intercept: number, params: ScorecardParams, baseOdds: number, iv: Float64Array<ArrayBuffer>, leftOut: Uint8Array<ArrayBuffer>, rounding: Float64Array<ArrayBuffer>): ScorecardState {
  const m = chosen.length;
  const { factor, offset } = scaling(params.pdo, params.base_score, baseOdds);
  const binStart = new Int32Array(m + 1);
  const cutStart = new Int32Array(m + 1);
  const codeStart = new Int32Array(m + 1);
  chosen.forEach((j, c) => {
    const b = binnings[j]!;
    const isCategorical = categorical.has(j);
    binStart[c + 1] = binStart[c]! + b.bins.length + (isCategorical ? 2 : 1);
    cutStart[c + 1] = cutStart[c]! + b.cuts.length;
    codeStart[c + 1] = codeStart[c]! + b.codeBins.length;
  });
  const total = binStart[m]!;
  const s: ScorecardState = {
    features: Int32Array.from(chosen),
    categorical: Uint8Array.from(chosen, (j) => (categorical.has(j) ? 1 : 0)),
    binStart,
    cutStart,
    cuts: new Float64Array(cutStart[m]!),
    codeStart,
    codeBins: new Int32Array(codeStart[m]!),
    goods: new Float64Array(total),
    bads: new Float64Array(total),
    woe: new Float64Array(total),
    points: new Float64Array(total),
    coef: Float64Array.from(coef),
    intercept,
    pdo: params.pdo,
    baseScore: params.base_score,
    baseOdds,
    meanPoints: new Float64Array(m),
    maxPoints: new Float64Array(m),
    iv,
    leftOut,
    trend: Uint8Array.from(chosen, (j) => TREND[binnings[j]!.trend]),
    rounding,
  };
  // The base points, offset − factor × intercept, shared evenly: a row's score is the sum of its attributes' points.
  const share = m === 0 ? 0 : (offset - factor * intercept) / m;
  chosen.forEach((j, c) => {
    const b = binnings[j]!;
    s.cuts.set(b.cuts, cutStart[c]!);
    s.codeBins.set(b.codeBins, codeStart[c]!);
    const w = woes.get(j)!;
    const counts = [...b.bins, b.missing];
    for (let k = 0; k < binStart[c + 1]! - binStart[c]!; k++) {
      const at = binStart[c]! + k;
      s.goods[at] = counts[k]?.goods ?? 0;
      s.bads[at] = counts[k]?.bads ?? 0;
      s.woe[at] = w[k] ?? 0;
      s.points[at] = Math.round(share - factor * s.coef[c]! * s.woe[at]!);
    }
  });
  return s;
}

/** The mean and best points of each characteristic over the training rows, and what rounding to whole points cost. */
function summarize(model: Model, X: Matrix, weights: Float64Array | undefined): void {
  const s = model.state as unknown as ScorecardState;
  const m = s.features.length;
  const { bins, score } = scoreRows(model, X);
  const { factor, offset } = scaling(s.pdo, s.baseScore, s.baseOdds);
  s.maxPoints.fill(-Infinity);
  for (let c = 0; c < m; c++) for (let b = s.binStart[c]!; b < s.binStart[c + 1]!; b++) if (s.goods[b]! + s.bads[b]! > 0) s.maxPoints[c] = Math.max(s.maxPoints[c]!, s.points[b]!);
  let total = 0;
  let maxP = 0;
  let sumP = 0;
  let maxScore = 0;
  const exactShare = (offset - factor * s.intercept) / Math.max(1, m);
  for (let i = 0; i < X.n; i++) {
    const w = weights === undefined ? 1 : weights[i]!;
    total += w;
    let exactMargin = s.intercept;
    let exactScore = 0;
    for (let c = 0; c < m; c++) {
      const b = bins[i * m + c]!;
      s.meanPoints[c] += w * s.points[b]!;
      exactMargin += s.coef[c]! * s.woe[b]!;
      exactScore += exactShare - factor * s.coef[c]! * s.woe[b]!;
    }
    const cardMargin = (offset - score[i]!) / factor;
    const dp = Math.abs(1 / (1 + Math.exp(-cardMargin)) - 1 / (1 + Math.exp(-exactMargin)));
    maxP = Math.max(maxP, dp);
    sumP += w * dp;
    maxScore = Math.max(maxScore, Math.abs(score[i]! - exactScore));
  }
  for (let c = 0; c < m; c++) s.meanPoints[c] = total > 0 ? s.meanPoints[c]! / total : 0;
  s.rounding.set([maxP, total > 0 ? sumP / total : 0, maxScore]);
}
