/**
 * Line charts on the unit square (ROC, PR, calibration, gain) as static SVG: a Vega-Lite spec,
 * compiled to Vega and rendered headless (no DOM, no network: the data is inline).
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface ChartPoint {
  x: number;
  y: number;
  /** Rows behind the point (calibration bins); drawn as the point's size when `sizeByRows`. */
  n?: number;
}

export interface Series {
  /** As the legend shows it, e.g. "model (AUC 0.912)". */
  name: string;
  points: readonly ChartPoint[];
}

export interface ChartOptions {
  /** Unique in the page: the SVG's id, and the prefix of the ids inside it. */
  id: string;
  title: string;
  x: string;
  y: string;
  series: readonly Series[];
  /** A dashed grey reference line, named in the legend: "no skill", "perfectly calibrated". */
  reference?: Series;
  /** Draw each point, sized by its rows (calibration). */
  sizeByRows?: boolean;
}

/** Distinct colours for up to 10 series, readable on white. */
export const PALETTE = ['#2f6fdb', '#e4572e', '#17a398', '#f2a541', '#8e6bbf', '#4c9f38', '#d6457b', '#6b7a8f', '#a6761d', '#00a0c6'];
export const REFERENCE_COLOUR = '#8a929c';
const TICKS = Array.from({ length: 11 }, (_, i) => i / 10);

/** The Vega-Lite spec of a chart (exported for tests). */
export function chartSpec(o: ChartOptions): TopLevelSpec {
  const rows = (s: Series, dash: 'solid' | 'dashed') => s.points.map((p, i) => ({ series: s.name, x: p.x, y: p.y, n: p.n ?? null, i, dash }));
  const values = [...o.series.flatMap((s) => rows(s, 'solid')), ...(o.reference !== undefined ? rows(o.reference, 'dashed') : [])];
  const names = [...o.series.map((s) => s.name), ...(o.reference !== undefined ? [o.reference.name] : [])];
  const colours = [...o.series.map((_, i) => PALETTE[i % PALETTE.length]!), ...(o.reference !== undefined ? [REFERENCE_COLOUR] : [])];
  const axis = (title: string) => ({ title, values: TICKS, format: '.1f', labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' as const, labelOverlap: false, labelFlush: false });
  const x = { field: 'x', type: 'quantitative' as const, scale: { domain: [0, 1], nice: false }, axis: axis(o.x) };
  const y = { field: 'y', type: 'quantitative' as const, scale: { domain: [0, 1], nice: false }, axis: axis(o.y) };
  const legend = { title: null, orient: 'bottom' as const, direction: 'vertical' as const, labelLimit: 0, labelFontSize: 12, symbolType: 'stroke', symbolStrokeWidth: 3 };
  const color = { field: 'series', type: 'nominal' as const, scale: { domain: names, range: colours }, legend };
  const line = {
    mark: { type: 'line' as const, strokeWidth: 2 },
    encoding: {
      x,
      y,
      color,
      // Keep each curve in its given order: a ROC curve has several points at one x.
      order: { field: 'i', type: 'quantitative' as const },
      strokeDash: { field: 'dash', type: 'nominal' as const, scale: { domain: ['solid', 'dashed'], range: [[1, 0], [5, 4]] }, legend: null },
    },
  };
  const points = {
    transform: [{ filter: "datum.dash === 'solid'" }],
    mark: { type: 'circle' as const, opacity: 0.85 },
    encoding: {
      x,
      y,
      color,
      size: { field: 'n', type: 'quantitative' as const, title: 'rows in bin', scale: { range: [20, 300] }, legend: { orient: 'bottom' as const, direction: 'vertical' as const, tickCount: 4, symbolFillColor: '#8a929c', symbolStrokeColor: '#8a929c', titleFontSize: 11, titleFontWeight: 'normal' as const, labelFontSize: 11 } },
    },
  };
  return {
    width: 340,
    height: 280,
    title: { text: o.title, anchor: 'start', fontSize: 14 },
    data: { values },
    layer: o.sizeByRows === true ? [line, points] : [line],
    config: { font: 'system-ui, -apple-system, Segoe UI, sans-serif', view: { stroke: '#d5d9de' }, axis: { gridColor: '#eef0f2', labelColor: '#3b4452', titleColor: '#3b4452' } },
  } as TopLevelSpec;
}

/** The chart as an SVG element, ready to inline in HTML. */
export function renderChart(o: ChartOptions): Promise<string> {
  return renderSpec(chartSpec(o), o.id);
}

/** Any Vega-Lite spec as an inlineable SVG element with the id given (other reports' charts). */
export async function renderSpec(spec: TopLevelSpec, id: string): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  let svg: string;
  try {
    svg = await view.toSVG();
  } finally {
    view.finalize();
  }
  return inlineable(svg, id);
}

/**
 * The SVG gets the chart's id. Vega numbers the ids it defines (clip paths, gradients) from 1 in every
 * SVG: inlined side by side, a second chart would use the first's. Prefix them; and drop the xlink namespace, which the output never uses,
 * so the page names no URL but the SVG namespace.
 */
export function inlineable(svg: string, id: string): string {
  let out = svg.replace(/\bid="([^"]+)"/g, (_, v: string) => `id="${id}-${v}"`).replace(/url\(#([^)]+)\)/g, (_, v: string) => `url(#${id}-${v})`);
  const withoutXlink = out.replace(/ xmlns:xlink="[^"]*"/, '');
  if (!withoutXlink.includes('xlink:')) out = withoutXlink;
  return out.replace(/^<svg /, `<svg id="${id}" `);
}
