import type { Column } from '../table.js';
import type { TargetInfo } from './target.js';

const MAX_BINS = 20;
const SAMPLE = 200_000;

/** The target as class codes (classification) or values (regression), aligned with the table's rows. */
export type TargetVector = { kind: 'classes'; codes: Int32Array; k: number } | { kind: 'values'; values: Float64Array };

export function targetVector(column: Column, info: TargetInfo): TargetVector {
  if (info.task === 'regression' && column.kind === 'numeric') return { kind: 'values', values: column.values };
  const labels = (info.classes ?? []).map((c) => c.label);
  const index = new Map(labels.map((l, i) => [l, i]));
  const codes = new Int32Array(column.kind === 'categorical' ? column.codes.length : column.kind === 'text' ? column.values.length : column.values.length);
  for (let i = 0; i < codes.length; i++) {
    const label = column.kind === 'categorical' ? (column.codes[i]! < 0 ? null : column.dictionary[column.codes[i]!]!) : column.kind === 'text' ? column.values[i] ?? null : Number.isNaN(column.values[i]) ? null : String(column.values[i]);
    codes[i] = label === null ? -1 : (index.get(label) ?? -1);
  }
  return { kind: 'classes', codes, k: labels.length };
}

/**
 * How well one feature alone predicts the target, from 0 (no better than the base rate) to 1 (perfectly):
 * the feature is cut into at most 20 bins (quantiles, or its most frequent levels) plus a missing bin, and
 * each bin predicts its majority class (accuracy gain over the majority class) or its mean (η², the share
 * of variance explained). Coarse bins keep high-cardinality columns from scoring by memorising rows.
 */
export function univariatePower(feature: Column, target: TargetVector): number {
  const n = feature.kind === 'categorical' ? feature.codes.length : feature.kind === 'text' ? feature.values.length : feature.values.length;
  const step = Math.max(1, Math.floor(n / SAMPLE));
  const bins = binFeature(feature, step);
  if (bins === undefined) return 0;
  const nBins = MAX_BINS + 1;
  if (target.kind === 'classes') {
    const table = new Float64Array(nBins * target.k);
    const totals = new Float64Array(target.k);
    let m = 0;
    for (let i = 0, r = 0; i < n; i += step, r++) {
      const y = target.codes[i]!;
      if (y < 0) continue;
      table[bins[r]! * target.k + y]!++;
      totals[y]!++;
      m++;
    }
    if (m === 0) return 0;
    let correct = 0;
    for (let b = 0; b < nBins; b++) {
      let best = 0;
      for (let c = 0; c < target.k; c++) best = Math.max(best, table[b * target.k + c]!);
      correct += best;
    }
    const base = Math.max(...totals);
    return base >= m ? 0 : (correct - base) / (m - base);
  }
  const sums = new Float64Array(nBins);
  const counts = new Float64Array(nBins);
  let total = 0;
  let totalSq = 0;
  let m = 0;
  for (let i = 0, r = 0; i < n; i += step, r++) {
    const y = target.values[i]!;
    if (y !== y) continue;
    sums[bins[r]!]! += y;
    counts[bins[r]!]!++;
    total += y;
    totalSq += y * y;
    m++;
  }
  const ssTotal = totalSq - (total * total) / m;
  if (m === 0 || ssTotal <= 0) return 0;
  let ssBetween = 0;
  for (let b = 0; b < nBins; b++) if (counts[b]! > 0) ssBetween += (sums[b]! * sums[b]!) / counts[b]!;
  ssBetween -= (total * total) / m;
  return Math.max(0, Math.min(1, ssBetween / ssTotal));
}

/** Bin index per sampled row; bin MAX_BINS holds missing values. */
function binFeature(feature: Column, step: number): Uint8Array | undefined {
  const n = feature.kind === 'categorical' ? feature.codes.length : feature.kind === 'text' ? feature.values.length : feature.values.length;
  const out = new Uint8Array(Math.ceil(n / step));
  if (feature.kind === 'categorical') {
    const freq = new Float64Array(feature.dictionary.length);
    for (let i = 0; i < n; i += step) if (feature.codes[i]! >= 0) freq[feature.codes[i]!]!++;
    const order = [...freq.keys()].sort((a, b) => freq[b]! - freq[a]!);
    const binOf = new Int32Array(feature.dictionary.length).fill(MAX_BINS - 1);
    order.slice(0, MAX_BINS - 1).forEach((code, rank) => (binOf[code] = rank));
    for (let i = 0, r = 0; i < n; i += step, r++) out[r] = feature.codes[i]! < 0 ? MAX_BINS : binOf[feature.codes[i]!]!;
    return out;
  }
  if (feature.kind === 'text') return undefined;
  const sample: number[] = [];
  for (let i = 0; i < n; i += step) if (feature.values[i] === feature.values[i]) sample.push(feature.values[i]!);
  if (sample.length === 0) return undefined;
  const sorted = Float64Array.from(sample).sort();
  const edges: number[] = [];
  for (let b = 1; b < MAX_BINS; b++) {
    const e = sorted[Math.floor((sorted.length * b) / MAX_BINS)]!;
    if (edges.length === 0 || e > edges[edges.length - 1]!) edges.push(e);
  }
  for (let i = 0, r = 0; i < n; i += step, r++) {
    const x = feature.values[i]!;
    if (x !== x) {
      out[r] = MAX_BINS;
      continue;
    }
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (x >= edges[mid]!) lo = mid + 1;
      else hi = mid;
    }
    out[r] = lo;
  }
  return out;
}
