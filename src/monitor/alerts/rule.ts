import { HyperplaneError } from '../../errors.js';
import { METRICS } from '../../evaluate/evaluate.js';
import type { ColumnDrift } from '../drift.js';
import type { MonitorReport, WindowDrift } from '../monitor.js';

/**
 * An alert rule's condition: `METRIC OP NUMBER [for N windows]`, e.g. `auc < 0.8 for 2 windows`. It holds
 * when the metric passes the threshold in each of the report's last N windows (the newest may still be
 * filling). A window without a value (no labelled rows for `auc`) does not pass, so such a rule cannot fire.
 */
export type RuleOp = '>' | '>=' | '<' | '<=';
export const COLUMN_METRICS = ['drift', 'psi', 'missing', 'new_categories'] as const;
export type ColumnMetric = (typeof COLUMN_METRICS)[number];
const WINDOW_METRICS = ['drift_share', 'prediction_drift', 'rows', 'labelled_share', 'estimated_accuracy', 'estimated_auc'] as const;
type WindowMetric = (typeof WINDOW_METRICS)[number];

export type RuleMetric = { kind: 'window'; name: WindowMetric } | { kind: 'column'; name: ColumnMetric; column: string } | { kind: 'quality'; name: string };

export interface Condition {
  text: string;
  metric: RuleMetric;
  op: RuleOp;
  threshold: number;
  windows: number;
}

const GRAMMAR = "expected METRIC OP NUMBER [for N windows], e.g. 'auc < 0.8 for 2 windows'";
const SHAPE = /^\s*([A-Za-z_]+)\s*(?:\(\s*([^()]*?)\s*\))?\s*(>=|<=|>|<)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)(?:\s+for\s+(\d+)\s+windows?)?\s*$/i;

/** Every metric a rule may name, for error messages. */
/** Quality metrics live monitoring measures beyond the evaluation's own. */
const LIVE_QUALITY_METRICS = ['calibration_error'];
export const KNOWN_METRICS = `${WINDOW_METRICS.join(', ')}, ${COLUMN_METRICS.map((m) => `${m}(COLUMN)`).join(', ')}, or a quality metric (${[...Object.keys(METRICS), ...LIVE_QUALITY_METRICS].join(', ')})`;

/** Parses a rule's `when`; errors name `where` (the config field, or the rule) and the text. */
export function parseCondition(text: string, where = 'rule'): Condition {
  const fail = (why: string): never => {
    throw new HyperplaneError(`${where} '${text}': ${why}`);
  };
  const m = SHAPE.exec(text);
  if (m === null) return fail(GRAMMAR);
  const [, rawName, column, op, number, n] = m;
  const name = rawName!.toLowerCase();
  const threshold = Number(number);
  const windows = n === undefined ? 1 : Number(n);
  if (!(windows >= 1 && windows <= 1000)) fail(`'for ${n} windows' needs 1 to 1000 windows`);
  let metric: RuleMetric;
  if ((COLUMN_METRICS as readonly string[]).includes(name)) {
    if (column === undefined || column === '') return fail(`${name} needs a column: ${name}(COLUMN)`);
    metric = { kind: 'column', name: name as ColumnMetric, column };
  } else {
    if (column !== undefined) return fail(`${name} takes no column; ${COLUMN_METRICS.map((c) => `${c}(COLUMN)`).join(', ')} do`);
    if ((WINDOW_METRICS as readonly string[]).includes(name)) metric = { kind: 'window', name: name as WindowMetric };
    else if (name in METRICS || LIVE_QUALITY_METRICS.includes(name)) metric = { kind: 'quality', name };
    else return fail(`unknown metric '${name}'; metrics are: ${KNOWN_METRICS}`);
  }
  return { text: text.trim(), metric, op: op as RuleOp, threshold, windows };
}

/** The metric as written back: `drift(income)`, `auc`. */
export const metricText = (m: RuleMetric): string => (m.kind === 'column' ? `${m.name}(${m.column})` : m.name);

/** A window of the report, with each column's drift in that window where the report carries it. */
export type RuleWindow = WindowDrift & { columns?: ColumnDrift[] };

/** What a rule reads: the report's windows (with per-window columns), and its quality and estimates by window. */
export type RuleReport = Pick<MonitorReport, 'quality' | 'estimated'> & { windows: RuleWindow[] };

export interface ConditionResult {
  holds: boolean;
  /** The last N windows (fewer where the report has fewer), oldest first, with the metric's value in each. */
  windows: { version: number; start: string; end: string; value: number | null }[];
}

/** A column rule naming a column the model does not have is a config error naming the rule. */
export function checkColumns(condition: Condition, rule: string, columns: readonly string[]): void {
  if (condition.metric.kind === 'column' && !columns.includes(condition.metric.column)) {
    throw new HyperplaneError(`rule '${rule}' ('${condition.text}'): no column '${condition.metric.column}' in the model's reference (columns: ${columns.join(', ')})`);
  }
}

export function evaluateCondition(condition: Condition, report: RuleReport): ConditionResult {
  const last = report.windows.slice(-condition.windows);
  const windows = last.map((w) => ({ version: w.version, start: w.start, end: w.end, value: windowValue(condition.metric, w, report) }));
  const holds = windows.length === condition.windows && windows.every((w) => w.value !== null && passes(w.value, condition.op, condition.threshold));
  return { holds, windows };
}

function passes(value: number, op: RuleOp, threshold: number): boolean {
  if (Number.isNaN(value)) return false;
  return op === '>' ? value > threshold : op === '>=' ? value >= threshold : op === '<' ? value < threshold : value <= threshold;
}

function windowValue(metric: RuleMetric, w: RuleWindow, report: RuleReport): number | null {
  const same = (x: { version: number; start: string }): boolean => x.version === w.version && x.start === w.start;
  const quality = report.quality.find(same);
  const estimate = report.estimated.find(same);
  if (metric.kind === 'quality') return quality !== undefined && quality.labelled > 0 ? (quality.metrics[metric.name] ?? null) : null;
  if (metric.kind === 'column') {
    const c = w.columns?.find((x) => x.column === metric.column);
    if (c === undefined) return null;
    if (metric.name === 'drift') return c.effect;
    if (metric.name === 'psi') return c.psi;
    if (metric.name === 'missing') return c.missing.window;
    return (c.newCategories ?? []).reduce((s, n) => s + n.share, 0);
  }
  switch (metric.name) {
    case 'drift_share':
      return w.driftShare;
    case 'prediction_drift':
      return w.prediction.effect;
    case 'rows':
      return w.rows;
    case 'labelled_share':
      // A window with traffic but no quality entry had no outcome sent back.
      return quality?.labelledShare ?? 0;
    case 'estimated_accuracy':
      return estimate?.accuracy ?? null;
    case 'estimated_auc':
      return estimate?.auc ?? null;
  }
}
