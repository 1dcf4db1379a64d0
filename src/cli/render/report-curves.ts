/** The report's curve charts: a binary model's four, and a multiclass model's one-vs-rest ROC and PR. */
import type { Evaluation } from '../../evaluate/evaluate.js';
import { renderChart, type Series } from './charts.js';

/** An area or score as the legends show it. */
export const area = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? '—' : v.toFixed(3));

const diagonal = [
  { x: 0, y: 0 },
  { x: 1, y: 1 },
];

/** ROC, precision–recall, calibration and cumulative gain of a binary model's scores. */
export async function binaryCharts(e: Evaluation): Promise<string[]> {
  const b = e.binary!;
  const c = b.atThreshold.confusion;
  const prevalence = (c.tp + c.fn) / Math.max(1, e.rows);
  return Promise.all([
    renderChart({ id: 'roc', title: 'ROC', x: 'false positive rate', y: 'true positive rate', series: [{ name: `model (AUC ${area(e.metrics.auc)})`, points: b.curves.roc }], reference: { name: 'no skill (AUC 0.500)', points: diagonal } }),
    renderChart({
      id: 'pr',
      title: 'Precision–recall',
      x: 'recall',
      y: 'precision',
      series: [{ name: `model (AP ${area(e.metrics.pr_auc)})`, points: b.curves.pr }],
      // Guessing "positive" at random has precision equal to the share of positives, at any recall.
      reference: { name: `no skill (precision ${area(prevalence)})`, points: [{ x: 0, y: prevalence }, { x: 1, y: prevalence }] },
    }),
    renderChart({ id: 'calibration', title: 'Calibration', x: 'mean predicted probability', y: 'share positive', series: [{ name: `model (Brier ${area(e.metrics.brier)})`, points: b.curves.calibration }], reference: { name: 'perfectly calibrated', points: diagonal }, sizeByRows: true }),
    renderChart({ id: 'gain', title: 'Cumulative gain', x: 'share of rows, best scores first', y: 'share of positives found', series: [{ name: 'model', points: b.curves.gain }], reference: { name: 'random order', points: diagonal } }),
  ]);
}

/** One-vs-rest ROC and PR, one line per drawn class (the largest ones), with a note when classes are left out. */
export async function oneVsRestCharts(e: Evaluation): Promise<{ charts: string[]; note: string }> {
  const classes = e.oneVsRest ?? [];
  const drawn = classes.filter((c) => c.roc !== undefined && c.pr !== undefined).sort((a, b) => b.support - a.support);
  const roc: Series[] = drawn.map((c) => ({ name: `${c.label} (AUC ${area(c.auc)})`, points: c.roc! }));
  const pr: Series[] = drawn.map((c) => ({ name: `${c.label} (AP ${area(c.ap)})`, points: c.pr! }));
  const charts = await Promise.all([
    renderChart({ id: 'ovr-roc', title: 'ROC, each class against the rest', x: 'false positive rate', y: 'true positive rate', series: roc, reference: { name: 'no skill (AUC 0.500)', points: diagonal } }),
    renderChart({ id: 'ovr-pr', title: 'Precision–recall, each class against the rest', x: 'recall', y: 'precision', series: pr }),
  ]);
  const left = classes.length - drawn.length;
  const note =
    left > 0
      ? `Curves of the ${drawn.length} classes with the most test rows; the other ${left} are left out of the charts (the per-class table has every class's AUC and AP).`
      : 'Each class scored by its own probability against all the other classes together.';
  return { charts, note };
}
