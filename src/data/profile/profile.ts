import type { ColumnSchema, SchemaType } from '../schema/schema.js';
import { isFeatureType } from '../schema/schema.js';
import type { CategoricalColumn, Column, ColumnKind, Table, TextColumn } from '../table.js';
import { countDuplicateRows } from './duplicates.js';
import { targetVector, univariatePower } from './leakage.js';
import { summarizeNumbers, type Histogram } from './numeric-stats.js';
import { inferTarget, type TargetInfo } from './target.js';

export interface TopValue {
  value: string;
  count: number;
  share: number;
}

export interface ColumnProfile {
  name: string;
  /** How the values are stored: numeric, categorical, text or datetime. */
  kind: ColumnKind;
  type: SchemaType;
  reason: string;
  role: 'feature' | 'target' | 'ignored';
  count: number;
  missing: number;
  distinct: number;
  /** Numeric and datetime columns (datetimes in epoch milliseconds). */
  mean?: number;
  std?: number;
  min?: number;
  max?: number;
  quantiles?: Record<string, number>;
  histogram?: Histogram;
  /** Categorical, binary, text and id columns: the most frequent values. */
  top?: TopValue[];
  /** Text and id columns. */
  meanLength?: number;
}

export type WarningKind = 'imbalance' | 'leakage' | 'duplicates' | 'constant' | 'missing' | 'id' | 'target-missing' | 'infinite';

export interface ProfileWarning {
  kind: WarningKind;
  column?: string;
  message: string;
}

export interface Profile {
  rows: number;
  columns: ColumnProfile[];
  target?: TargetInfo;
  duplicateRows: number;
  warnings: ProfileWarning[];
  /** Clusters of rows by k-means on the feature columns (see clusters.ts), when asked for; absent with too few rows or no usable column. */
  clusters?: RowClusters;
}

const TOP = 10;
const LEAKAGE_THRESHOLD = 0.95;
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const fmt = (n: number): string => n.toLocaleString('en-US');

/** What `profile --clusters` adds (features/profile-clusters.ts makes it: the data layer knows its shape, not k-means). */
export type ClusterProfiler = (table: Table, schema: readonly ColumnSchema[], target?: string) => RowClusters | undefined;

export interface ClusterDifference {
  column: string;
  /** A categorical column's level; absent for a numeric column. */
  level?: string;
  /** The cluster's mean (or the level's share) minus the overall one, in the column's (indicator's) standard deviations. */
  difference: number;
  /** The cluster's mean of the column, or the level's share among its rows. */
  value: number;
}

export interface RowClusters {
  /** Rows k was chosen on (a seeded sample); sizes count every row. */
  sampleRows: number;
  columns: number;
  k: number;
  silhouette: number;
  tried: { k: number; silhouette: number }[];
  clusters: { size: number; share: number; differences: ClusterDifference[] }[];
}

/** Undefined when there is too little to cluster: fewer than MIN_ROWS rows, or no usable column. */
export function profileTable(table: Table, schema: readonly ColumnSchema[], targetName?: string, options: { clusters?: ClusterProfiler } = {}): Profile {
  const columns = table.columns.map((column, j) => profileColumn(column, schema[j]!, column.name === targetName));
  const targetIndex = targetName === undefined ? -1 : table.columns.findIndex((c) => c.name === targetName);
  const target = targetIndex >= 0 ? inferTarget(table.columns[targetIndex]!, schema[targetIndex]!, table.nRows) : undefined;
  const duplicateRows = countDuplicateRows(table);
  const warnings = collectWarnings(table, schema, columns, target, duplicateRows);
  // Opt-in (profile --clusters): it costs more than the rest of a profile on wide or large tables.
  const clusters = options.clusters?.(table, schema, targetName);
  return { rows: table.nRows, columns, ...(target !== undefined ? { target } : {}), duplicateRows, warnings, ...(clusters !== undefined ? { clusters } : {}) };
}

function profileColumn(column: Column, schema: ColumnSchema, isTarget: boolean): ColumnProfile {
  const base = {
    name: column.name,
    kind: column.kind,
    type: schema.type,
    reason: schema.reason,
    role: isTarget ? ('target' as const) : isFeatureType(schema.type) ? ('feature' as const) : ('ignored' as const),
  };
  switch (column.kind) {
    case 'numeric':
    case 'datetime': {
      const s = summarizeNumbers(column.values);
      return { ...base, count: s.count, missing: s.missing, distinct: s.distinct, mean: s.mean, std: s.std, min: s.min, max: s.max, quantiles: s.quantiles, histogram: s.histogram };
    }
    case 'categorical':
      return { ...base, ...categoricalStats(column) };
    case 'text':
      return { ...base, ...textStats(column) };
  }
}

function categoricalStats(column: CategoricalColumn): Pick<ColumnProfile, 'count' | 'missing' | 'distinct' | 'top'> {
  const counts = new Float64Array(column.dictionary.length);
  let missing = 0;
  for (const c of column.codes) {
    if (c < 0) missing++;
    else counts[c]!++;
  }
  const count = column.codes.length - missing;
  const present = column.dictionary.map((value, i) => ({ value, count: counts[i]!, share: count > 0 ? counts[i]! / count : 0 })).filter((t) => t.count > 0);
  present.sort((a, b) => b.count - a.count);
  return { count, missing, distinct: present.length, top: present.slice(0, TOP) };
}

function textStats(column: TextColumn): Pick<ColumnProfile, 'count' | 'missing' | 'distinct' | 'top' | 'meanLength'> {
  const counts = new Map<string, number>();
  let missing = 0;
  let length = 0;
  for (const s of column.values) {
    if (s === null) {
      missing++;
      continue;
    }
    length += s.length;
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  const count = column.values.length - missing;
  const top = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, TOP)
    .map(([value, c]) => ({ value, count: c, share: count > 0 ? c / count : 0 }));
  return { count, missing, distinct: counts.size, top, meanLength: count > 0 ? length / count : 0 };
}

function collectWarnings(
  table: Table,
  schema: readonly ColumnSchema[],
  profiles: readonly ColumnProfile[],
  target: TargetInfo | undefined,
  duplicateRows: number,
): ProfileWarning[] {
  const warnings: ProfileWarning[] = [];
  if (target !== undefined) {
    if (target.missing > 0) {
      warnings.push({ kind: 'target-missing', column: target.name, message: `${fmt(target.missing)} rows have no value for the target '${target.name}'; they will be dropped for training` });
    }
    const classes = target.classes;
    if (classes !== undefined) {
      const smallest = classes[classes.length - 1]!;
      const largest = classes[0]!;
      if (smallest.share < Math.min(0.1, 0.5 / classes.length)) {
        const binary = classes.length === 2;
        warnings.push({
          kind: 'imbalance',
          column: target.name,
          message: binary
            ? `class imbalance: '${smallest.label}' is only ${pct(smallest.share)} of rows. A model that always predicts '${largest.label}' ` +
              `scores ${pct(largest.share)} accuracy and finds nothing; judge models by ROC AUC or PR AUC, and consider class weights or upsampling`
            : `class imbalance: '${smallest.label}' is only ${pct(smallest.share)} of rows (${fmt(smallest.count)}). Accuracy hides how rare ` +
              `classes fare; judge models by macro F1 and per-class recall, and consider class weights or upsampling`,
        });
      }
    }
    const targetColumn = table.columns.find((c) => c.name === target.name)!;
    const y = targetVector(targetColumn, target);
    table.columns.forEach((column, j) => {
      if (column.name === target.name || !isFeatureType(schema[j]!.type) || schema[j]!.type === 'text') return;
      const power = univariatePower(column, y);
      if (power >= LEAKAGE_THRESHOLD) {
        const measure = target.task === 'regression' ? `explains ${pct(power)} of its variance` : `predicts it with ${pct(power)} of the possible gain over the base rate`;
        warnings.push({
          kind: 'leakage',
          column: column.name,
          message: `possible leakage: '${column.name}' alone ${measure} of '${target.name}'. Check that it is known before the outcome; if not, drop it`,
        });
      }
    });
  }
  if (duplicateRows > 0) {
    warnings.push({ kind: 'duplicates', message: `${fmt(duplicateRows)} duplicate rows (${pct(duplicateRows / table.nRows)}); they can leak between train and test splits` });
  }
  for (const p of profiles) {
    if (p.role === 'target') continue;
    if (p.type === 'constant') warnings.push({ kind: 'constant', column: p.name, message: `'${p.name}' is constant (${p.reason}); it is not used as a feature` });
    else if (p.type === 'id') warnings.push({ kind: 'id', column: p.name, message: `'${p.name}' looks like an id (${p.reason}); it is not used as a feature` });
    const missingShare = p.missing / table.nRows;
    if (p.type !== 'constant' && missingShare > 0.5) {
      warnings.push({ kind: 'missing', column: p.name, message: `'${p.name}' is ${pct(missingShare)} missing` });
    }
  }
  return warnings;
}
