import type { ColumnSchema } from '../data/schema/schema.js';
import { cellText, selectRows, type Table } from '../data/table.js';
import { HyperplaneError } from '../errors.js';
import { groupHoldout, holdout, timeSplit } from '../evaluate/splits.js';
import { pick } from './rows.js';
import { encodeTarget, infiniteTarget, type EncodedTarget } from './target.js';
import type { EvaluationPlan } from './train.js';

/** The labelled rows split as training measures the model: training rows, test rows, and every labelled row a refit learns from. */
export interface SplitRows {
  /** The rows the evaluated model is fitted on (before any upsampling). */
  table: Table;
  y: Float64Array;
  /** Every labelled row that took part in the split, in table order (holdout and time splits). */
  labelled?: { table: Table; y: Float64Array };
  testTable: Table;
  yTest: Float64Array;
  evaluation: string;
  /** Cross-validation's fold count: its test rows are the training rows, scored out of fold. */
  cvFolds?: number;
  /** With a group column: each row of `table`'s group, as a code (folds and auto's search keep groups whole). */
  groups?: Int32Array;
  /** Each row of `table`: its index in the source table (row numbers for what is said about rows). */
  sourceRows: Int32Array;
}

/** Drops rows without a target, then splits as the plan says (seeded: the same rows every time). */
export function splitRows(source: Table, schema: readonly ColumnSchema[], target: EncodedTarget, plan: EvaluationPlan, seed: number, warnings: string[]): SplitRows {
  const spec = target.spec;
  const labels = spec.labels ?? [];
  const keep = Int32Array.from({ length: source.nRows }, (_, i) => i).filter((i) => target.y[i] === target.y[i]);
  if (target.missing > 0) warnings.push(`${target.missing.toLocaleString('en-US')} rows have no '${spec.name}' and were dropped`);
  // Every row labelled (the usual case): the source itself, not a copy as big as the data.
  let table = keep.length === source.nRows ? source : selectRows(source, keep);
  let y = pick(target.y, keep);
  let sourceRows: Int32Array = keep;
  const group = plan.kind === 'holdout' || plan.kind === 'cv' ? plan.group : undefined;
  let groups: Int32Array | undefined;
  if (group !== undefined) {
    const coded = groupCodes(table, group, spec.name);
    groups = coded.codes;
    if (coded.missing > 0) warnings.push(`${coded.missing.toLocaleString('en-US')} rows have no '${group}': each is a group of its own`);
    warnings.push(`'${group}' groups the rows for evaluation and is left out of the features: a model that learns its values would not carry over to new ones`);
  }
  // Every labelled row that took part in the split, in table order: what a refit learns from.
  let labelled: { table: Table; y: Float64Array } | undefined;
  let testTable: Table;
  let yTest: Float64Array;
  let evaluation: string;
  const stratify = spec.task !== 'regression';
  let cvFolds: number | undefined;
  if (plan.kind === 'test') {
    const inf = plan.infinite?.find((i) => i.column === spec.name);
    if (inf !== undefined) throw infiniteTarget(inf, plan.source);
    testTable = plan.table;
    const t = encodeTarget(plan.table, schema, spec.name, plan.source, spec.task);
    yTest = recodeLabels(t.y, t.spec.labels, labels, plan.source, spec.name);
    const has = Int32Array.from({ length: testTable.nRows }, (_, i) => i).filter((i) => yTest[i] === yTest[i]);
    testTable = selectRows(testTable, has);
    yTest = pick(yTest, has);
    evaluation = `separate test data (${plan.source}, ${has.length.toLocaleString('en-US')} rows)`;
  } else if (plan.kind === 'time') {
    const column = source.columns.find((c) => c.name === plan.column);
    if (column === undefined || column.kind !== 'datetime') throw new HyperplaneError('--time-split needs a date column', { column: plan.column });
    const times = pick(column.values, keep);
    const split = timeSplit(times, plan.cutoff, plan.column);
    if (split.dropped > 0) warnings.push(`${split.dropped} rows have no '${plan.column}' and were left out of both sides of the time split`);
    testTable = selectRows(table, split.test);
    yTest = pick(y, split.test);
    // The refit takes both sides (the latest rows included), less rows without a time, as the split did.
    const timed = Int32Array.from([...split.train, ...split.test]).sort();
    labelled = { table: selectRows(table, timed), y: pick(y, timed) };
    table = selectRows(table, split.train);
    y = pick(y, split.train);
    sourceRows = pickCodes(keep, split.train);
    evaluation = `time split: train before ${new Date(plan.cutoff).toISOString().slice(0, 10)} (${split.train.length.toLocaleString('en-US')} rows), test on or after (${split.test.length.toLocaleString('en-US')})`;
  } else if (plan.kind === 'cv') {
    // Cross-validation measures the procedure; the package holds a model fitted on every row.
    cvFolds = plan.folds;
    testTable = table;
    yTest = y;
    if (plan.group !== undefined) {
      const count = groupCount(groups!);
      if (count < plan.folds) throw tooFewGroups(plan.group, count, plan.folds);
      evaluation = `${plan.folds}-fold group cross-validation over ${y.length.toLocaleString('en-US')} rows (${count.toLocaleString('en-US')} groups of '${plan.group}')`;
    } else evaluation = `${plan.folds}-fold cross-validation${stratify ? ' (stratified)' : ''} over ${y.length.toLocaleString('en-US')} rows`;
  } else if (plan.kind === 'holdout' && plan.group !== undefined) {
    const split = groupHoldout(groups!, plan.share, seed);
    labelled = { table, y };
    testTable = selectRows(table, split.test);
    yTest = pick(y, split.test);
    table = selectRows(table, split.train);
    y = pick(y, split.train);
    sourceRows = pickCodes(keep, split.train);
    groups = pickCodes(groups!, split.train);
    const rows = split.test.length;
    evaluation = `group holdout: ${split.testGroups.toLocaleString('en-US')} of ${split.groups.toLocaleString('en-US')} groups of '${plan.group}' (${rows.toLocaleString('en-US')} rows, ${formatShare(rows / (rows + y.length))}) for test, seed ${seed}`;
  } else {
    const split = holdout(y, plan.share, seed, stratify);
    labelled = { table, y };
    testTable = selectRows(table, split.test);
    yTest = pick(y, split.test);
    table = selectRows(table, split.train);
    y = pick(y, split.train);
    sourceRows = pickCodes(keep, split.train);
    evaluation = `${stratify ? 'stratified ' : ''}holdout: ${Math.round(plan.share * 100)}% of rows (${split.test.length.toLocaleString('en-US')}) for test, seed ${seed}`;
  }
  return { table, y, ...(labelled !== undefined ? { labelled } : {}), testTable, yTest, evaluation, ...(cvFolds !== undefined ? { cvFolds } : {}), ...(groups !== undefined ? { groups } : {}), sourceRows };
}

/** The codes (row indices, group codes) at `rows`, in that order. */
export const pickCodes = (a: Int32Array, rows: Int32Array): Int32Array => Int32Array.from(rows, (r) => a[r]!);

const formatShare = (share: number): string => `${(Math.round(share * 1000) / 10).toLocaleString('en-US')}%`;

/** How many distinct groups the codes hold. */
export const groupCount = (codes: Int32Array): number => new Set(codes).size;

/** Fewer groups than folds: group k-fold would leave a fold empty. */
export const tooFewGroups = (group: string, count: number, folds: number): HyperplaneError =>
  new HyperplaneError(`--group '${group}' has ${count.toLocaleString('en-US')} group${count === 1 ? '' : 's'}: too few for ${folds}-fold group cross-validation (lower --cv, or group by a finer column)`);

/**
 * Each row's group as a code (0, 1, … in order of first appearance), from the --group column's values. A
 * row without a value is a group of its own: nothing says it belongs with another, and one group of every
 * such row would put unrelated rows together on one side.
 */
export function groupCodes(table: Table, name: string, target: string, source?: string): { codes: Int32Array; missing: number } {
  const column = table.columns.find((c) => c.name === name);
  if (column === undefined) {
    const names = table.columns.map((c) => c.name);
    const near = names.find((n) => n.toLowerCase() === name.toLowerCase());
    throw new HyperplaneError(`--group '${name}': no such column${near !== undefined ? ` (did you mean '${near}'?)` : ''}; columns are: ${names.join(', ')}`, source !== undefined ? { file: source } : {});
  }
  if (name === target) throw new HyperplaneError(`--group '${name}' is the target: group by the column that identifies who or what each row is about (a customer, a patient)`);
  const codes = new Int32Array(table.nRows);
  const seen = new Map<string, number>();
  let missing = 0;
  let next = 0;
  for (let i = 0; i < table.nRows; i++) {
    const value = cellText(column, i);
    if (value === null) {
      missing++;
      codes[i] = next++;
      continue;
    }
    let code = seen.get(value);
    if (code === undefined) seen.set(value, (code = next++));
    codes[i] = code;
  }
  return { codes, missing };
}

/** Test labels coded as the training labels; a class training never saw is an error. */
function recodeLabels(y: Float64Array, have: readonly string[] | undefined, want: readonly string[], source: string, column: string): Float64Array {
  if (have === undefined || want.length === 0) return y;
  const index = new Map(want.map((l, i) => [l, i]));
  const map = have.map((l) => {
    const i = index.get(l);
    if (i === undefined) throw new HyperplaneError(`class '${l}' is not in the training data (classes: ${want.join(', ')})`, { file: source, column });
    return i;
  });
  return y.map((v) => (v === v ? map[v]! : NaN));
}

/** The plan's group column, if any. */
export const groupColumn = (plan: EvaluationPlan): string | undefined => (plan.kind === 'holdout' || plan.kind === 'cv' ? plan.group : undefined);
