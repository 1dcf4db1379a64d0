import type { ColumnSchema } from '../data/schema/schema.js';
import type { Column, Table } from '../data/table.js';
import { domainClassifier } from '../pipeline/shift.js';
import type { MonitorReference } from './reference.js';
import type { RowSample } from './reservoir.js';
import { mergeWindows, type WindowAggregate } from './window.js';

/**
 * Multivariate drift: a domain classifier (training's covariate-shift check, shift.ts) learns to tell the
 * reference's sampled rows from a window's; its cross-validated AUC is the statistic. It sees what
 * column-by-column tests cannot: columns that keep their marginals but change how they go together.
 */
export interface MultivariateDrift {
  /** Cross-validated AUC, reference rows against window rows: 0.5, indistinguishable. null: too few rows sampled to tell. */
  auc: number | null;
  /** The AUC above which these sample sizes call drift (aucThreshold). */
  threshold: number;
  drifted: boolean;
  /** Window rows sampled (the classifier's window side). */
  rows: number;
  referenceRows: number;
  /** The features the classifier split on most, strongest first. */
  features: string[];
}

export interface MultivariateOptions {
  /** Sampled window rows a classifier needs (the range's, or a window's): fewer, and the AUC is noise. */
  minRows?: number;
  /** Windows tested one by one at most, the latest (each is a classifier's fit); the range always is. */
  perWindow?: number;
  seed?: number;
}

export const MIN_SAMPLED_ROWS = 100;
export const PER_WINDOW = 24;

/**
 * Where the AUC calls drift. With no drift the AUC is a Mann–Whitney U over n1 × n2 pairs, its spread
 * se = √((n1 + n2 + 1) / (12·n1·n2)) (about 0.018 at 500 against 500, 0.032 at 100 against 500): above
 * 0.5 + 3·se a sample this size is past noise (a false alarm about once in 700), and above 0.55 the
 * populations differ enough to matter — big samples make tiny differences significant.
 */
export function aucThreshold(n1: number, n2: number): number {
  return Math.max(0.55, 0.5 + 3 * Math.sqrt((n1 + n2 + 1) / (12 * n1 * n2)));
}

/**
 * The range (every window merged) and the latest `perWindow` windows with enough rows sampled, against the
 * reference's sample. null when the reference kept no sample (a package made before it did); a window
 * without a sample (folded before windows kept one) or with too few rows gets null.
 */
export async function multivariateDrift(reference: MonitorReference, windows: readonly WindowAggregate[], options: MultivariateOptions = {}): Promise<{ range: MultivariateDrift; windows: (MultivariateDrift | null)[] } | null> {
  const sample = reference.sample;
  if (sample === undefined) return null;
  const minRows = options.minRows ?? MIN_SAMPLED_ROWS;
  const seed = options.seed ?? 0;
  const kinds = new Map(Object.entries(reference.columns).map(([name, sketch]) => [name, sketch.kind]));
  const referenceTable = sampleTable(sample, sample.columns, kinds);
  const test = async (windowSample: RowSample | undefined): Promise<MultivariateDrift> => {
    const n = windowSample?.rows.length ?? 0;
    const threshold = aucThreshold(sample.rows.length, Math.max(1, n));
    if (windowSample === undefined || n < minRows || sample.rows.length < minRows) return { auc: null, threshold, drifted: false, rows: n, referenceRows: sample.rows.length, features: [] };
    const schema: ColumnSchema[] = sample.columns.map((name) => ({ name, type: kinds.get(name) ?? 'numeric', reason: 'monitoring sample' }));
    const shift = await domainClassifier(referenceTable, sampleTable(windowSample, sample.columns, kinds), schema, seed);
    return { auc: shift.auc, threshold, drifted: shift.auc > threshold, rows: n, referenceRows: sample.rows.length, features: shift.features };
  };
  const range = await test(mergeWindows(windows)?.sample);
  // The latest windows with rows enough: each is a classifier's fit, and the newest matter most.
  const eligible = windows.flatMap((w, i) => (w.sample !== undefined && w.sample.rows.length >= minRows ? [i] : []));
  const tested = new Set(eligible.slice(Math.max(0, eligible.length - (options.perWindow ?? PER_WINDOW))));
  const each: (MultivariateDrift | null)[] = [];
  for (const [i, w] of windows.entries()) each.push(tested.has(i) ? await test(w.sample) : null);
  return { range, windows: each };
}

/** A sample as a table of `names` (read by name, so a window's sample need not keep the reference's order). */
function sampleTable(sample: RowSample, names: readonly string[], kinds: ReadonlyMap<string, 'numeric' | 'categorical'>): Table {
  const at = new Map(sample.columns.map((c, j) => [c, j]));
  const columns = names.map((name): Column => {
    const j = at.get(name);
    const cell = (row: readonly (number | string | null)[]): number | string | null => (j === undefined ? null : (row[j] ?? null));
    if (kinds.get(name) === 'categorical') {
      const dictionary: string[] = [];
      const index = new Map<string, number>();
      const codes = Int32Array.from(sample.rows, (row) => {
        const v = cell(row);
        if (v === null) return -1;
        const label = String(v);
        let code = index.get(label);
        if (code === undefined) index.set(label, (code = dictionary.push(label) - 1));
        return code;
      });
      return { kind: 'categorical', name, codes, dictionary };
    }
    return {
      kind: 'numeric',
      name,
      values: Float64Array.from(sample.rows, (row) => {
        const v = cell(row);
        return typeof v === 'number' ? v : NaN;
      }),
    };
  });
  return { nRows: sample.rows.length, columns };
}
