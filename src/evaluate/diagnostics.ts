import { METRICS, type Evaluation, type MetricName } from './evaluate.js';
import type { Slice } from './slices.js';

export interface Diagnostic {
  kind: 'overfitting' | 'underfitting' | 'degenerate' | 'imbalance' | 'low-recall' | 'convergence' | 'shift' | 'slices';
  message: string;
}

export interface DiagnosisInput {
  metric: MetricName;
  train: Evaluation;
  test: Evaluation;
  /** The baseline's score on the same test rows. */
  baseline: number | undefined;
  /** Class shares in the training rows (classification). */
  classShares?: { label: string; share: number }[];
  /** Per model in the pipeline: did its optimizer converge? */
  converged: { learner: string; converged: boolean }[];
  /** Classification: how many test rows each class was predicted for. */
  predictedCounts?: { label: string; count: number }[];
  /** How well a classifier tells test rows from training rows, and by which features. */
  shift?: { auc: number; features: string[] };
  /** The categorical levels with the worst test metric. */
  slices?: Slice[];
}

/** Above this AUC, test rows are told from training rows too easily: the populations differ. */
const SHIFT_AUC = 0.7;

/** A gap this large between train and test (in the metric's units, or relative for error metrics) is overfitting. */
const GAP = 0.05;

/**
 * A class the model almost never gets right: recall under LOW_RECALL on at least LOW_RECALL_ROWS test
 * rows of it. Accuracy and even macro F1 can look fine while one class is all but ignored (fog on
 * Seattle's weather: 1 day in 53). The bar is absolute rather than relative to the other classes, as
 * one class found 1 time in 10 is a problem whatever the others do; the row minimum keeps a handful of
 * rare-class rows (where 0 of 3 is chance) from raising it.
 */
const LOW_RECALL = 0.1;
const LOW_RECALL_ROWS = 10;

/** What went wrong, or may have, written in words with what to try. */
export function diagnose(input: DiagnosisInput): Diagnostic[] {
  const out: Diagnostic[] = [];
  const { metric } = input;
  const train = input.train.metrics[metric];
  const test = input.test.metrics[metric];
  const higher = METRICS[metric].higherIsBetter;
  const fmt = (v: number): string => v.toFixed(4);
  if (train !== undefined && test !== undefined && Number.isFinite(train) && Number.isFinite(test)) {
    const gap = higher ? train - test : (test - train) / Math.max(Math.abs(test), 1e-12);
    if (gap > GAP) {
      out.push({ kind: 'overfitting', message: `${metric} is ${fmt(train)} on the training rows but ${fmt(test)} on the test rows: the model learned noise of the training data. Try stronger regularisation (fewer leaves, more rows per leaf, a smaller C), fewer features, or more data.` });
    }
  }
  if (input.baseline !== undefined && test !== undefined && Number.isFinite(test)) {
    const margin = higher ? test - input.baseline : input.baseline - test;
    if (margin <= 0) {
      out.push({ kind: 'underfitting', message: `${metric} ${fmt(test)} is no better than the baseline's ${fmt(input.baseline)} (always the most frequent class, or the mean): the features as given carry no signal the model found. Check for a wrong target, leakage removed too eagerly, or try a more flexible learner.` });
    }
  }
  const predicted = input.predictedCounts?.filter((c) => c.count > 0) ?? [];
  if (input.predictedCounts !== undefined && predicted.length === 1) {
    out.push({ kind: 'degenerate', message: `every test row is predicted '${predicted[0]!.label}': the model never predicts the other class${input.predictedCounts.length > 2 ? 'es' : ''}. With imbalanced classes, use --class-weight balanced or choose a threshold (the report shows the one with the best F1).` });
  }
  if (!(input.predictedCounts !== undefined && predicted.length === 1)) out.push(...lowRecall(input.test, input.classShares));
  const minority = input.classShares?.reduce((a, b) => (b.share < a.share ? b : a));
  if (minority !== undefined && minority.share < 0.1) {
    out.push({ kind: 'imbalance', message: `class '${minority.label}' is only ${(minority.share * 100).toFixed(1)}% of the training rows: accuracy rewards ignoring it. Judge by AUC, PR AUC or F1, and try --class-weight balanced or --upsample.` });
  }
  if (input.shift !== undefined && input.shift.auc > SHIFT_AUC) {
    out.push({ kind: 'shift', message: `the test rows differ from the training rows: a classifier tells them apart with AUC ${input.shift.auc.toFixed(3)}${input.shift.features.length > 0 ? `, mostly by ${input.shift.features.join(', ')}` : ''}. Test metrics then say how the model does on that other population; if production looks like the test rows, train on data like them (with a time split, some drift in dates is expected).` });
  }
  if (input.slices !== undefined && input.slices.length > 0) {
    const list = input.slices.map((s) => `${s.column}=${s.level} (${metric} ${fmt(s.score)}, ${s.rows} rows)`).join('; ');
    out.push({ kind: 'slices', message: `the worst slices, against ${metric} ${test === undefined ? '—' : fmt(test)} overall: ${list}.` });
  }
  for (const m of input.converged) {
    if (!m.converged) out.push({ kind: 'convergence', message: `${m.learner} stopped at its iteration limit before converging: raise max_iter, or scale the features.` });
  }
  return out;
}

/** Classes with recall under LOW_RECALL on the test rows (the degenerate case, one class for every row, is said already). */
function lowRecall(test: Evaluation, classShares: { label: string }[] | undefined): Diagnostic[] {
  const classes: { label: string; recall: number; support: number; confusedWith?: string }[] = [];
  if (test.multiclass !== undefined) {
    const m = test.multiclass;
    m.perClass.forEach((c, a) => {
      const row = m.confusion[a]!;
      // The class its rows are most often predicted as, instead.
      let other = -1;
      for (let p = 0; p < row.length; p++) if (p !== a && row[p]! > 0 && (other < 0 || row[p]! > row[other]!)) other = p;
      classes.push({ label: c.label, recall: c.recall, support: c.support, ...(other >= 0 ? { confusedWith: m.perClass[other]!.label } : {}) });
    });
  } else if (test.binary !== undefined) {
    const c = test.binary.atThreshold.confusion;
    const labels = classShares?.map((s) => s.label) ?? ['0', '1'];
    classes.push({ label: labels[1] ?? '1', recall: c.tp / Math.max(1, c.tp + c.fn), support: c.tp + c.fn, confusedWith: labels[0] ?? '0' });
  }
  return classes
    .filter((c) => c.support >= LOW_RECALL_ROWS && c.recall < LOW_RECALL)
    .map((c) => ({
      kind: 'low-recall' as const,
      message: `class '${c.label}' is almost never recognised: recall ${c.recall.toFixed(3)}, ${Math.round(c.recall * c.support)} of its ${c.support} test rows${c.confusedWith !== undefined ? ` (most are predicted '${c.confusedWith}')` : ''}. Try --class-weight balanced or --upsample, features that tell it apart, or${test.binary !== undefined ? ' a lower threshold' : ' merging it with a class it resembles'}.`,
    }));
}
