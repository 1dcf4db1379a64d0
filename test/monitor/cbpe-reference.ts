import { calibrated, type Calibration } from '../../src/monitor/calibration.js';
import type { WindowEstimate } from '../../src/monitor/quality.js';
import type { Prediction } from '../../src/store/serving.js';

/**
 * CBPE computed row by row, the way it is defined, as the reference the monitor's step counts are
 * checked against (estimateFromSteps gives the same from counts alone): each answer is right with the
 * calibrated chance of its class; the expected AUC counts each row a positive of weight c and a negative
 * of weight 1 − c.
 */
export function estimatedQuality(predictions: Iterable<Prediction>, calibration: Calibration, labels: readonly string[], windowMs: number): WindowEstimate[] {
  const windows = new Map<string, { version: number; start: number; rows: Prediction[] }>();
  for (const p of predictions) {
    const start = Math.floor(p.timestamp / windowMs) * windowMs;
    const key = `${p.version}/${start}`;
    if (!windows.has(key)) windows.set(key, { version: p.version, start, rows: [] });
    windows.get(key)!.rows.push(p);
  }
  return [...windows.values()].flatMap((g) => {
    const scores: number[] = [];
    const positive: number[] = [];
    let right = 0;
    for (const p of g.rows) {
      const r = p.response as { prediction?: unknown; probabilities?: Record<string, number> };
      const score = r.probabilities?.[labels[1]!];
      if (typeof score !== 'number' || !Number.isFinite(score)) continue;
      const c = calibrated(calibration, score);
      right += String(r.prediction) === labels[1] ? c : 1 - c;
      scores.push(score);
      positive.push(c);
    }
    if (scores.length === 0) return [];
    return [{ version: g.version, start: new Date(g.start).toISOString(), end: new Date(g.start + windowMs).toISOString(), rows: scores.length, accuracy: right / scores.length, auc: expectedAuc(scores, positive) }];
  });
}

/**
 * AUC with each row a positive of weight c and a negative of weight 1 − c: the chance a positive scores
 * above a negative (ties half), over all pairs of distinct rows.
 */
export function expectedAuc(scores: readonly number[], positive: readonly number[]): number | null {
  const order = scores.map((_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let negativesBelow = 0;
  let above = 0;
  let allPositive = 0;
  let allNegative = 0;
  let self = 0;
  for (let k = 0; k < order.length; ) {
    let e = k;
    let groupPositive = 0;
    let groupNegative = 0;
    let groupSelf = 0;
    while (e < order.length && scores[order[e]!] === scores[order[k]!]) {
      const c = positive[order[e]!]!;
      groupPositive += c;
      groupNegative += 1 - c;
      groupSelf += c * (1 - c);
      e++;
    }
    above += groupPositive * negativesBelow + 0.5 * (groupPositive * groupNegative - groupSelf);
    negativesBelow += groupNegative;
    allPositive += groupPositive;
    allNegative += groupNegative;
    self += groupSelf;
    k = e;
  }
  const pairs = allPositive * allNegative - self;
  return pairs > 0 ? above / pairs : null;
}
