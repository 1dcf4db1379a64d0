import { selectRows, type Column, type Table } from '../data/table.js';
import { metricOf, METRICS, type MetricName } from '../evaluate/evaluate.js';
import { Random } from '../synth/random.js';
import { supervisedTarget, type Pipeline } from '../pipeline/pipeline.js';
import { cannotExplain, Explainer } from './explainer.js';

/** One input column's global importance. */
export interface ColumnImportanceDetail {
  column: string;
  /** Mean |contribution| to the margin over the rows (all outputs averaged for multiclass); absent when the model cannot explain. */
  meanAbsContribution?: number;
  /** How much the metric worsens when the column's values are shuffled among the rows: the mean over repeats, and their standard deviation (the noise band). */
  permutation: { drop: number; sd: number };
}

export interface GlobalImportance {
  /** Rows measured on (the test rows, at most `maxRows` of them, evenly spread). */
  rows: number;
  metric: MetricName;
  repeats: number;
  /** The explanation's scale of meanAbsContribution (log-odds, class margin, probability or value). */
  scale?: string;
  /** By mean |contribution| when there is one, else by permutation drop. */
  columns: ColumnImportanceDetail[];
}

export interface GlobalImportanceOptions {
  metric: MetricName;
  labels: readonly string[];
  threshold: number;
  seed: number;
  maxRows?: number;
  repeats?: number;
}

/**
 * Global importance per input column on held-out rows: mean |SHAP| (the explanation's contributions,
 * grouped by column as each answer's are) and permutation importance with a noise band from repeats, as
 * scikit-learn's `permutation_importance` measures it: the metric on the rows as they are, less the metric
 * with one column's values shuffled among them, so a column the model leans on shows a drop and one it
 * ignores a drop within its noise.
 */
export function globalImportance(pipeline: Pipeline, table: Table, y: Float64Array, options: GlobalImportanceOptions): GlobalImportance {
  const plan = permutationPlan(pipeline.inputColumns.length, leavesOf(pipeline), table.nRows);
  const maxRows = options.maxRows ?? plan.maxRows;
  const repeats = options.repeats ?? plan.repeats;
  const rows = table.nRows <= maxRows ? undefined : Int32Array.from({ length: maxRows }, (_, i) => Math.floor((i * table.nRows) / maxRows));
  const t = rows === undefined ? table : selectRows(table, rows);
  const yy = rows === undefined ? y : Float64Array.from(rows, (i) => y[i]!);
  const task = supervisedTarget(pipeline.spec.target, 'have permutation importance measured on labels').task;
  const score = (s: Float64Array): number => metricOf(options.metric, task, yy, s, options.labels, options.threshold);
  const higher = METRICS[options.metric].higherIsBetter;
  const baseline = score(pipeline.scoreTable(t));
  const random = new Random(options.seed);
  const columns = pipeline.inputColumns.filter((c) => t.columns.some((col) => col.name === c));
  const permutation = new Map<string, { drop: number; sd: number }>();
  for (const name of columns) {
    const drops: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const shuffled = withColumn(t, name, (column) => permuted(column, shuffle(t.nRows, random)));
      const s = score(pipeline.scoreTable(shuffled));
      drops.push(higher ? baseline - s : s - baseline);
    }
    const mean = drops.reduce((a, b) => a + b, 0) / repeats;
    const sd = Math.sqrt(drops.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, repeats - 1));
    permutation.set(name, { drop: mean, sd });
  }
  let mean: Map<string, number> | undefined;
  let scale: string | undefined;
  if (cannotExplain(pipeline) === undefined) {
    // TreeSHAP costs about leaves × depth² a tree and row: deep forests get fewer rows.
    const budget = Math.max(MIN_SHAP_ROWS, Math.floor(SHAP_WORK / Math.max(1, leavesOf(pipeline))));
    const shapTable = t.nRows <= budget ? t : selectRows(t, Int32Array.from({ length: budget }, (_, i) => Math.floor((i * t.nRows) / budget)));
    const e = new Explainer(pipeline).explainTable(shapTable);
    const C = e.columns.length;
    mean = new Map(e.columns.map((c) => [c, 0]));
    for (let i = 0; i < e.n * e.outputs; i++) for (let c = 0; c < C; c++) mean.set(e.columns[c]!, mean.get(e.columns[c]!)! + Math.abs(e.values[i * C + c]!) / (e.n * e.outputs));
    scale = e.link === 'logistic' ? 'log-odds' : e.link === 'softmax' ? 'class margin' : e.link === 'exp' ? 'log value' : task === 'regression' ? 'value' : 'probability';
  }
  const out: ColumnImportanceDetail[] = columns.map((column) => ({ column, ...(mean !== undefined ? { meanAbsContribution: mean.get(column) ?? 0 } : {}), permutation: permutation.get(column)! }));
  out.sort((a, b) => (mean !== undefined ? b.meanAbsContribution! - a.meanAbsContribution! : b.permutation.drop - a.permutation.drop));
  return { rows: t.nRows, metric: options.metric, repeats, ...(scale !== undefined ? { scale } : {}), columns: out };
}

/**
 * Rows and repeats for permutation importance, which scores the model columns × repeats times over the rows:
 * a big model on a wide table gets fewer rows (not below MIN_ROWS), then fewer repeats (not below 2). Counted
 * in leaves, not seconds, so that the same training gives the same importance on any machine.
 */
export function permutationPlan(columns: number, leaves: number, rows: number): { maxRows: number; repeats: number } {
  const affordable = Math.floor(PERMUTATION_WORK / (Math.max(1, columns) * Math.max(1, leaves)));
  const maxRows = Math.min(2000, Math.max(MIN_ROWS, Math.floor(affordable / 5)));
  return { maxRows, repeats: Math.min(5, Math.max(2, Math.floor(affordable / Math.max(1, Math.min(rows, maxRows))))) };
}

/** Leaves × rows × columns × repeats that permutation importance scores at most: a 100-tree, 31-leaf gbdt on 28 columns keeps 2,000 rows and 5 repeats; two 300-tree deep forests on 64 columns, 200 rows and 2. */
const PERMUTATION_WORK = 2e9;
/** Fewest rows permutation importance is measured on (all of them when there are fewer). */
const MIN_ROWS = 200;

/**
 * Fewest rows mean |SHAP| is taken over. Deep forests cost most per row (the path walk is leaves × depth² a
 * tree): three 300-tree forests grown on 15,000 rows spend ~0.2 s a row, so 50 rows ran a 60-s training 10 s
 * past its budget.
 */
const MIN_SHAP_ROWS = 20;

/** Leaves × rows explained at most for mean |SHAP|: a 100-tree, 31-leaf model explains ~650 rows (~0.4 s), a training's small share. */
const SHAP_WORK = 2e6;

/** Leaves over every tree of every member (1 for a model without trees). */
function leavesOf(pipeline: Pipeline): number {
  let leaves = 0;
  for (const m of pipeline.spec.members) {
    const values = 'model' in m ? m.model.state['leafValue'] : undefined;
    leaves += values instanceof Float64Array ? values.length : 1;
  }
  return leaves;
}

function shuffle(n: number, random: Random): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const tmp = order[i]!;
    order[i] = order[j]!;
    order[j] = tmp;
  }
  return order;
}

function withColumn(table: Table, name: string, change: (column: Column) => Column): Table {
  return { nRows: table.nRows, columns: table.columns.map((c) => (c.name === name ? change(c) : c)) };
}

/** The column's values in the order given: row i gets row order[i]'s value. */
function permuted(column: Column, order: Int32Array): Column {
  switch (column.kind) {
    case 'numeric':
      return { ...column, values: Float64Array.from(order, (i) => column.values[i]!) };
    case 'datetime':
      return { ...column, values: Float64Array.from(order, (i) => column.values[i]!) };
    case 'categorical':
      return { ...column, codes: Int32Array.from(order, (i) => column.codes[i]!) };
    case 'text':
      return { ...column, values: Array.from(order, (i) => column.values[i]!) };
  }
}
