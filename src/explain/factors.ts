import type { Explained } from './explainer.js';

/** One column's part in one prediction. */
export interface Factor {
  column: string;
  /** The row's value of the column, as given. */
  value: unknown;
  /** Its contribution to the margin (the explanation's scale). */
  contribution: number;
  /** The contribution over the sum of the row's absolute contributions: −1 to 1, the shares' magnitudes adding up to 1. */
  share: number;
  /** Classification: the predicted probability of the explained class less what it would be without this column's contribution. */
  probabilityChange?: number;
}

/** One row's explanation, as answers and the CLI show it. */
export interface RowExplanation {
  /** The class explained (classification): the positive class for binary, the predicted one for multiclass. */
  class?: string;
  /** What base and contributions are in: log-odds (binary), class margin (multiclass, before the softmax), probability (forests), value (regression), log of the value (a Poisson model: its prediction is e^margin). */
  scale: 'log-odds' | 'class margin' | 'probability' | 'value' | 'log value';
  base: number;
  /** base + Σ every column's contribution (not only those shown). */
  margin: number;
  /** The largest by |contribution| first; `top` of them, or all. */
  contributions: Factor[];
  /** Ensembles: the blend's margin less base + Σ contributions (see Explained); absent for a single model. */
  additivityError?: number;
}

/**
 * Row `i` of `explained` for people: the top columns by |contribution|, with signed shares and the
 * change in probability each makes. `scores` are the pipeline's for the row (n × k), `labels` its classes.
 */
export function rowExplanation(explained: Explained, i: number, scores: Float64Array, labels: readonly string[] | undefined, valueOf: (column: string) => unknown, top: number | 'all'): RowExplanation {
  const { outputs, link, columns } = explained;
  const C = columns.length;
  const k = labels?.length ?? 1;
  const o = outputs === 1 ? 0 : argmax(scores, i * k, k);
  const at = (i * outputs + o) * C;
  let margin = explained.base[o]!;
  let absolute = 0;
  for (let c = 0; c < C; c++) {
    margin += explained.values[at + c]!;
    absolute += Math.abs(explained.values[at + c]!);
  }
  const order = Array.from({ length: C }, (_, c) => c).sort((a, b) => Math.abs(explained.values[at + b]!) - Math.abs(explained.values[at + a]!));
  const shown = top === 'all' ? order : order.slice(0, top);
  const classification = labels !== undefined;
  const contributions = shown.map((c): Factor => {
    const contribution = explained.values[at + c]!;
    return {
      column: columns[c]!,
      value: valueOf(columns[c]!),
      contribution,
      share: absolute > 0 ? contribution / absolute : 0,
      ...(classification ? { probabilityChange: probabilityWithout(explained, i, o, c, -1) - probabilityWithout(explained, i, o, c, 0) } : {}),
    };
  });
  const scale = link === 'logistic' ? 'log-odds' : link === 'softmax' ? 'class margin' : link === 'exp' ? 'log value' : classification ? 'probability' : 'value';
  return {
    ...(classification ? { class: labels[outputs === 1 && k === 2 ? 1 : o]! } : {}),
    scale,
    base: explained.base[o]!,
    margin,
    contributions,
    ...(explained.ensemble ? { additivityError: explained.additivityError[i]! } : {}),
  };
}

/** The explained class's probability from the row's margins, with column `c`'s contribution taken out when `without` is 0 (kept when −1). */
function probabilityWithout(e: Explained, i: number, o: number, c: number, without: 0 | -1): number {
  const C = e.columns.length;
  const margins = new Float64Array(e.outputs);
  for (let q = 0; q < e.outputs; q++) {
    let m = e.base[q]!;
    for (let col = 0; col < C; col++) if (without === -1 || col !== c) m += e.values[(i * e.outputs + q) * C + col]!;
    margins[q] = m;
  }
  if (e.link === 'logistic') return 1 / (1 + Math.exp(-margins[0]!));
  if (e.link === 'identity') return margins[o]!;
  let max = -Infinity;
  for (const m of margins) max = Math.max(max, m);
  let total = 0;
  for (const m of margins) total += Math.exp(m - max);
  return Math.exp(margins[o]! - max) / total;
}

function argmax(x: Float64Array, at: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (x[at + c]! > x[at + best]!) best = c;
  return best;
}
