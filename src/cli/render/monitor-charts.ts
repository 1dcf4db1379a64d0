/**
 * The monitoring report's charts as Vega-Lite specs rendered to static SVG (renderSpec): drift over
 * time per column, a column's reference and current distributions, and quality over time. The data is
 * inline; every label taken from the data goes through Vega, which escapes it in the SVG.
 */
import type { TopLevelSpec } from 'vega-lite';
import { DEFAULT_DRIFT, type DriftOptions } from '../../monitor/drift.js';
import type { MonitorReport } from '../../monitor/monitor.js';
import type { ColumnSketch } from '../../monitor/sketch.js';
import { PALETTE, REFERENCE_COLOUR } from './charts.js';
import { fmtNum } from './format.js';

/** Columns drawn in the drift-over-time chart: more lines than this do not read. */
export const DRIFT_LINES = 8;

const CONFIG = { font: 'system-ui, -apple-system, Segoe UI, sans-serif', view: { stroke: '#d5d9de' }, axis: { gridColor: '#eef0f2', labelColor: '#3b4452', titleColor: '#3b4452', titleFontWeight: 'normal', labelFontSize: 11, titleFontSize: 12 } };
const LEGEND = { title: null, orient: 'bottom', direction: 'vertical', labelLimit: 0, labelFontSize: 12 };
const WIDTH = 520;
const HEIGHT = 240;
/** Windows start on the UTC clock, as the tables say. */
const TIME = { field: 'time', type: 'temporal', title: 'window start (UTC)', scale: { type: 'utc' }, axis: { format: '%m-%d %H:%M', labelAngle: -30 } };

const title = (text: string) => ({ text, anchor: 'start', fontSize: 14 });

/** A dashed horizontal rule at each value, labelled at its right end. */
function dashedRules(rules: readonly { label: string; value: number }[]): object[] {
  const data = { values: rules.map((r) => ({ ...r })) };
  return [
    { data, mark: { type: 'rule', strokeDash: [5, 4], color: REFERENCE_COLOUR, strokeWidth: 1.5 }, encoding: { y: { field: 'value', type: 'quantitative' } } },
    { data, mark: { type: 'text', align: 'right', dy: -6, color: '#5b6574', fontSize: 11 }, encoding: { x: { value: WIDTH }, y: { field: 'value', type: 'quantitative' }, text: { field: 'label' } } },
  ];
}

/**
 * The effect thresholds a large window's columns are judged by (smaller windows are judged by a test's
 * p-value, so their points may drift below the line): one rule, or one per kind when they differ.
 */
export function effectThresholds(report: MonitorReport, drift: DriftOptions = DEFAULT_DRIFT): { label: string; value: number }[] {
  const kinds = new Set(report.columns.map((c) => c.type));
  if (drift.wasserstein === drift.jensenShannon) return [{ label: `threshold ${fmtNum(drift.wasserstein)}`, value: drift.wasserstein }];
  return [...(kinds.has('numeric') ? [{ label: `numbers: ${fmtNum(drift.wasserstein)}`, value: drift.wasserstein }] : []), ...(kinds.has('categorical') ? [{ label: `categories: ${fmtNum(drift.jensenShannon)}`, value: drift.jensenShannon }] : [])];
}

/** Each top-ranked column's effect per window as a line, the thresholds as dashed rules. */
export function driftOverTimeSpec(report: MonitorReport, drift: DriftOptions = DEFAULT_DRIFT): TopLevelSpec {
  const columns = report.columns.slice(0, DRIFT_LINES).map((c) => c.column);
  const shown = new Set(columns);
  // An infinite effect (a column constant at training that moved) has no place on the axis; the table says it. A window too small to judge has no effect to draw.
  const values = report.windows.flatMap((w) => w.columns.filter((c) => shown.has(c.column) && c.test !== 'too-few-rows' && Number.isFinite(c.effect)).map((c) => ({ time: w.start, column: c.column, effect: c.effect })));
  const color = { field: 'column', type: 'nominal', scale: { domain: columns, range: PALETTE }, legend: LEGEND };
  const line = { data: { values }, mark: { type: 'line', point: true, strokeWidth: 2 }, encoding: { x: TIME, y: { field: 'effect', type: 'quantitative', title: 'effect' }, color } };
  return { width: WIDTH, height: HEIGHT, title: title('Drift over time: effect per window'), layer: [line, ...dashedRules(effectThresholds(report, drift))], config: CONFIG } as TopLevelSpec;
}

export interface DistributionBar {
  bin: string;
  side: 'reference' | 'current';
  /** Share of the side's rows, missing included. */
  share: number;
  /** The bin's place on the axis. */
  order: number;
}

/** Edge labels distinct from each other: more digits until no two bins read the same. */
function edgeLabels(edges: readonly number[]): string[] {
  for (let digits = 3; ; digits++) {
    const shown = edges.map((e) => fmtNum(e, digits));
    if (new Set(shown).size === shown.length || digits >= 17) return shown;
  }
}

/** A numeric sketch's bins by their ranges: "≤ a", "a – b" (a < x ≤ b), "> z". */
function binLabels(edges: readonly number[]): string[] {
  if (edges.length === 0) return ['values'];
  const e = edgeLabels(edges);
  return [`≤ ${e[0]}`, ...e.slice(1).map((to, k) => `${e[k]} – ${to}`), `> ${e[e.length - 1]}`];
}

/**
 * A column's reference and current shares, bin by bin: a number's bins, or a category's reference
 * levels, "other" (reference levels beyond those kept, and labels it had among them) and each label the
 * reference never had; then the missing share where either side has any.
 */
export function distributionBars(reference: ColumnSketch, current: ColumnSketch): DistributionBar[] {
  const total = (s: ColumnSketch): number => s.counts.reduce((a, c) => a + c, 0) + s.missing;
  const bins: { bin: string; reference: number; current: number }[] = [];
  if (reference.kind === 'numeric') {
    binLabels(reference.edges).forEach((bin, k) => bins.push({ bin, reference: reference.counts[k] ?? 0, current: current.counts[k] ?? 0 }));
  } else {
    const unseen = current.kind === 'categorical' ? current.unseen : {};
    const at = reference.levels.length;
    const unseenCount = Object.values(unseen).reduce((a, c) => a + c, 0);
    reference.levels.forEach((bin, k) => bins.push({ bin, reference: reference.counts[k] ?? 0, current: current.counts[k] ?? 0 }));
    bins.push({ bin: '(other)', reference: reference.counts[at] ?? 0, current: (current.counts[at] ?? 0) - unseenCount });
    for (const [label, count] of Object.entries(unseen)) bins.push({ bin: `new: ${label}`, reference: 0, current: count });
  }
  if (reference.missing + current.missing > 0) bins.push({ bin: '(missing)', reference: reference.missing, current: current.missing });
  const nReference = Math.max(1, total(reference));
  const nCurrent = Math.max(1, total(current));
  return bins.flatMap((b, order) => [
    { bin: b.bin, side: 'reference' as const, share: b.reference / nReference, order },
    { bin: b.bin, side: 'current' as const, share: b.current / nCurrent, order },
  ]);
}

/** Reference and current shares side by side in each bin. */
export function distributionSpec(column: string, bars: readonly DistributionBar[]): TopLevelSpec {
  const bins = bars.length / 2;
  const sides = ['reference', 'current'];
  return {
    // A number's 50-odd bins in the page's width; a category's few levels each as wide as they read.
    width: bins > 20 ? WIDTH : { step: 28, for: 'position' },
    height: 180,
    title: title(column),
    data: { values: bars.map((b) => ({ ...b })) },
    mark: { type: 'bar' },
    encoding: {
      // Sorted by the bin's place, not by its label: the labels of number bins do not sort as numbers.
      x: { field: 'bin', type: 'nominal', title: null, sort: { field: 'order', op: 'min' }, axis: { labelAngle: bins > 20 ? -90 : -60, labelLimit: 140, labelFontSize: bins > 20 ? 9 : 10, labelOverlap: bins > 20 } },
      xOffset: { field: 'side', type: 'nominal', sort: sides },
      y: { field: 'share', type: 'quantitative', title: 'share of rows', axis: { format: '.0%' } },
      color: { field: 'side', type: 'nominal', scale: { domain: sides, range: [REFERENCE_COLOUR, PALETTE[0]] }, legend: { ...LEGEND, orient: 'top', direction: 'horizontal' } },
    },
    config: CONFIG,
  } as TopLevelSpec;
}

export interface QualityLine {
  metric: string;
  realized: { time: string; value: number }[];
  estimated: { time: string; value: number }[];
  /** Measured at training on held-out rows. */
  training?: number;
}

/** Quality charts drawn at most: the tables list every metric. */
export const QUALITY_CHARTS = 4;

/**
 * The metrics worth a chart: those CBPE estimates first (realized beside estimated), then those
 * measured at training, then the rest; each with its realized and estimated values per window.
 */
export function qualityLines(report: MonitorReport): QualityLine[] {
  const labelled = report.quality.filter((q) => q.labelled > 0);
  const estimated = new Map<string, { time: string; value: number }[]>([
    ['accuracy', report.estimated.map((e) => ({ time: e.start, value: e.accuracy }))],
    ['auc', report.estimated.flatMap((e) => (e.auc === null ? [] : [{ time: e.start, value: e.auc }]))],
  ]);
  const realizedNames = new Set(labelled.flatMap((q) => Object.keys(q.metrics)));
  const named = [...estimated.keys()].filter((m) => estimated.get(m)!.length > 0 || realizedNames.has(m));
  const trained = Object.keys(report.reference.metrics).filter((m) => realizedNames.has(m));
  const names = [...new Set([...named, ...trained, ...realizedNames])].slice(0, QUALITY_CHARTS);
  return names.map((metric) => {
    const training = report.reference.metrics[metric];
    return {
      metric,
      realized: labelled.flatMap((q) => (q.metrics[metric] === undefined ? [] : [{ time: q.start, value: q.metrics[metric]! }])),
      estimated: estimated.get(metric) ?? [],
      ...(training !== undefined ? { training } : {}),
    };
  });
}

/** One metric over time: realized from outcomes and estimated by CBPE as lines, training's value as a dashed rule. */
export function qualitySpec(q: QualityLine): TopLevelSpec {
  const realized = 'realized (outcomes)';
  const estimated = 'estimated (CBPE)';
  const values = [...q.realized.map((p) => ({ ...p, source: realized })), ...q.estimated.map((p) => ({ ...p, source: estimated }))];
  // The legend names only the lines drawn; each keeps its colour across charts.
  const sources = [...(q.realized.length > 0 ? [[realized, PALETTE[0]]] : []), ...(q.estimated.length > 0 ? [[estimated, PALETTE[1]]] : [])];
  const color = { field: 'source', type: 'nominal', scale: { domain: sources.map(([s]) => s), range: sources.map(([, c]) => c) }, legend: LEGEND };
  const line = { data: { values }, mark: { type: 'line', point: true, strokeWidth: 2 }, encoding: { x: TIME, y: { field: 'value', type: 'quantitative', title: q.metric, scale: { zero: false } }, color } };
  const rules = q.training === undefined ? [] : dashedRules([{ label: `at training ${fmtNum(q.training)}`, value: q.training }]);
  return { width: WIDTH, height: 200, title: title(`${q.metric} over time`), layer: [line, ...rules], config: CONFIG } as TopLevelSpec;
}
