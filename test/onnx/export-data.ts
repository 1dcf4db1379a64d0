// Small synthetic tables for the ONNX export tests: numbers with missing values, a category and a binary
// column, and for scoring rows the model never saw (unseen categories, other spellings, missing markers).
import type { ColumnSchema } from '../../src/data/schema/schema.js';
import type { Column, Table } from '../../src/data/table.js';
import type { ModelPackage } from '../../src/pipeline/package.js';
import type { Member, SupervisedTarget as TargetSpec } from '../../src/pipeline/pipeline.js';
import { fitMember } from '../../src/pipeline/out-of-fold.js';
import type { TrainOptions } from '../../src/pipeline/train.js';

/** A seeded generator (mulberry32): the same tables every run. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const COLORS = ['red', 'green', 'blue', 'amber', 'teal', 'plum', 'gray', 'rose'];

export interface Rows {
  x1: number[];
  x2: number[];
  color: (string | null)[];
  flag: (string | null)[];
}

/** Rows of the four inputs: x1 ~ 12% missing, x2 far from 0 (prices), color of 8 levels, flag yes/no. */
export function inputRows(n: number, seed: number): Rows {
  const r = random(seed);
  const rows: Rows = { x1: [], x2: [], color: [], flag: [] };
  for (let i = 0; i < n; i++) {
    rows.x1.push(r() < 0.12 ? NaN : r() * 4 - 2);
    rows.x2.push(r() < 0.05 ? NaN : 1000 + r() * 500);
    rows.color.push(r() < 0.08 ? null : COLORS[Math.floor(r() * COLORS.length)]!);
    rows.flag.push(r() < 0.05 ? null : r() < 0.4 ? 'yes' : 'no');
  }
  return rows;
}

/** A hidden score per row: what the targets are made from. */
export function signal(rows: Rows, i: number): number {
  const x1 = rows.x1[i]!;
  const color = rows.color[i];
  const byColor = color === null ? 0.3 : [1.2, -0.8, 0.1, 1.5, -1.4, 0.6, -0.2, 0][COLORS.indexOf(color!)]!;
  return (Number.isNaN(x1) ? 0.5 : x1) + byColor + (rows.flag[i] === 'yes' ? 0.7 : 0) + ((rows.x2[i]! || 1250) - 1250) / 200;
}

export const SCHEMA: ColumnSchema[] = [
  { name: 'x1', type: 'numeric', reason: 'test' },
  { name: 'x2', type: 'numeric', reason: 'test' },
  { name: 'color', type: 'categorical', reason: 'test' },
  { name: 'flag', type: 'binary', reason: 'test' },
  { name: 'y', type: 'numeric', reason: 'test' },
];

function categorical(name: string, values: readonly (string | null)[]): Column {
  const dictionary = [...new Set(values.filter((v): v is string => v !== null))];
  return { kind: 'categorical', name, codes: Int32Array.from(values, (v) => (v === null ? -1 : dictionary.indexOf(v))), dictionary };
}

export function table(rows: Rows, y: Float64Array, target: TargetSpec): Table {
  const targetColumn: Column = target.labels === undefined ? { kind: 'numeric', name: 'y', values: y } : categorical('y', Array.from(y, (c) => target.labels![c]!));
  return {
    nRows: rows.x1.length,
    columns: [
      { kind: 'numeric', name: 'x1', values: Float64Array.from(rows.x1) },
      { kind: 'numeric', name: 'x2', values: Float64Array.from(rows.x2) },
      categorical('color', rows.color),
      categorical('flag', rows.flag),
      targetColumn,
    ],
  };
}

/** Targets from the signal: regression values, binary codes, or three classes by thirds. */
export function targets(rows: Rows, task: TargetSpec['task'], seed: number): Float64Array {
  const r = random(seed);
  return Float64Array.from(rows.x1, (_, i) => {
    const s = signal(rows, i) + (r() - 0.5);
    if (task === 'regression') return 3000 + 800 * s;
    if (task === 'binary') return s > 0.6 ? 1 : 0;
    return s < 0 ? 0 : s < 1.2 ? 1 : 2;
  });
}

export function targetSpec(task: TargetSpec['task']): TargetSpec {
  if (task === 'regression') return { name: 'y', task };
  if (task === 'binary') return { name: 'y', task, labels: ['no', 'yes'], threshold: 0.4 };
  return { name: 'y', task, labels: ['low', 'mid', 'high'] };
}

/** Members fitted on the same training rows, as train fits them; weights as given. */
export async function fitPackage(task: TargetSpec['task'], learners: readonly { learner: string; params?: Record<string, unknown>; weight?: number }[], options: { rows?: number; recipe?: TrainOptions['recipe'] } = {}): Promise<ModelPackage> {
  const rows = inputRows(options.rows ?? 2000, 7);
  const target = targetSpec(task);
  const y = targets(rows, task, 11);
  const data = table(rows, y, target);
  const schema = SCHEMA.map((c) => (c.name === 'y' && task !== 'regression' ? { ...c, type: 'categorical' as const } : c));
  const members: Member[] = [];
  for (const l of learners) {
    const train: TrainOptions = { target: 'y', learner: l.learner, evaluation: { kind: 'holdout', share: 0.2 }, seed: 1, timeBudgetSeconds: 30, ...(options.recipe !== undefined ? { recipe: options.recipe } : {}) };
    const member = await fitMember(data, y, schema, target, { learner: l.learner, params: l.params ?? {} }, train);
    members.push({ ...member, weight: l.weight ?? 1 });
  }
  const info = { createdAt: '2026-01-01T00:00:00Z', learner: learners.map((l) => l.learner).join('+'), params: {}, seed: 1, fingerprint: '', source: 'test', trainRows: rows.x1.length, metrics: {}, evaluation: 'none' };
  return { pipeline: { target, schema, members }, info };
}

/**
 * Rows to score: fresh rows, with spellings the training data never had mixed in (unseen colors,
 * missing markers in any case, binary levels in other cases and boolean spellings).
 */
export function scoringRows(n: number, seed: number): Rows {
  const rows = inputRows(n, seed);
  const r = random(seed + 1);
  const odd = ['purple', '', 'NA', 'n/a', 'Red', 'null', 'None', '?', 'RED', 'green '];
  const flags = ['YES', 'No', 'y', 'maybe', '', 'NA', 'Yes', 'NO'];
  for (let i = 0; i < n; i++) {
    if (r() < 0.1) rows.color[i] = odd[Math.floor(r() * odd.length)]!;
    if (r() < 0.1) rows.flag[i] = flags[Math.floor(r() * flags.length)]!;
  }
  return rows;
}
