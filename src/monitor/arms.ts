import type { QualityTask } from './quality.js';
import type { Prediction, PredictionWithFeedback } from '../store/serving.js';
import { armQuality, type ArmQuality } from './quality.js';

/**
 * Predictions of a version per window start and deployment arm. Realized quality is measured on the
 * labelled predictions only, so an arm's labelled share is counted against these.
 */
export interface ArmCount {
  version: number;
  start: number;
  arm: string;
  rows: number;
}

/** Counts per window of `windowMs` and arm of predictions at hand (the store counts its own in SQL: countByWindow with byArm). */
export function countArms(predictions: Iterable<Prediction>, windowMs: number): ArmCount[] {
  const counts = new Map<string, ArmCount>();
  for (const p of predictions) {
    if (p.arm === null || p.arm === undefined) continue;
    const start = Math.floor(p.timestamp / windowMs) * windowMs;
    const key = `${p.version}/${start}/${p.arm}`;
    const c = counts.get(key);
    if (c === undefined) counts.set(key, { version: p.version, start, arm: p.arm, rows: 1 });
    else c.rows++;
  }
  return [...counts.values()];
}

/** Window key (`version/ISO start`, as WindowQuality names its window) → arm → predictions, the counts regrouped to windows of `windowMs`. */
export function armsByWindow(counts: readonly ArmCount[], windowMs: number): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const c of counts) {
    const key = `${c.version}/${new Date(Math.floor(c.start / windowMs) * windowMs).toISOString()}`;
    let arms = out.get(key);
    if (arms === undefined) out.set(key, (arms = new Map()));
    arms.set(c.arm, (arms.get(c.arm) ?? 0) + c.rows);
  }
  return out;
}

/** Measured arms with their predictions counted against the log (an arm with nothing labelled shows 0%); undefined where no prediction had an arm. */
export function armsCounted(measured: readonly ArmQuality[] | undefined, counts: ReadonlyMap<string, number> | undefined): ArmQuality[] | undefined {
  const byArm = new Map((measured ?? []).map((a) => [a.arm, a]));
  for (const [arm, rows] of counts ?? []) {
    const a = byArm.get(arm) ?? { arm, predictions: 0, labelled: 0, labelledShare: 0, metrics: {} };
    const predictions = Math.max(a.labelled, rows);
    byArm.set(arm, { ...a, predictions, labelledShare: predictions === 0 ? 0 : a.labelled / predictions });
  }
  if (byArm.size === 0) return undefined;
  return [...byArm.values()].sort((a, b) => (a.arm < b.arm ? -1 : a.arm > b.arm ? 1 : 0));
}

/** Per-arm quality over the whole range: the labelled predictions measured, counted against every window's arm counts. */
export function rangeArms(labelled: readonly PredictionWithFeedback[], counts: readonly ArmCount[] | undefined, task: QualityTask, labels: readonly string[], threshold: number): ArmQuality[] | undefined {
  const total = new Map<string, number>();
  for (const c of counts ?? []) total.set(c.arm, (total.get(c.arm) ?? 0) + c.rows);
  return armsCounted(armQuality(labelled, task, labels, threshold), counts === undefined ? undefined : total);
}
