import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  x: readonly number[];
  y: readonly (number | null)[];
  /** Its own colour (one run the same colour in every chart of a page); else by position. */
  color?: string;
  /** A dashed line (a reference such as y = x). */
  dash?: number[];
}

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#be185d', '#4d7c0f', '#7c3aed', '#b45309'];

/** The i-th series' colour: the palette, then hues a golden angle apart, so 50 runs stay told apart. */
export function color(i: number): string {
  return i < COLORS.length ? COLORS[i]! : `hsl(${Math.round((i * 137.508) % 360)}, 65%, 42%)`;
}

interface ChartProps {
  series: readonly Series[];
  /** x is epoch ms: drawn as dates. */
  time?: boolean;
  xLabel?: string;
  yLabel?: string;
  height?: number;
  /** Draw points only (for sparse or few x values). */
  points?: boolean;
  title?: string;
}

/**
 * Lines on shared axes (uPlot: small and fast with many points). Series with different x are joined on
 * the union of their x values, each null where it has none, and drawn with gaps spanned.
 */
export function LineChart({ series, time = false, xLabel, yLabel, height = 220, points = false, title }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (el === null || series.length === 0) return;
    const xs = [...new Set(series.flatMap((s) => s.x))].sort((a, b) => a - b);
    const at = new Map(xs.map((x, i) => [x, i]));
    const columns = series.map((s) => {
      const ys: (number | null)[] = new Array(xs.length).fill(null);
      s.x.forEach((x, i) => (ys[at.get(x)!] = s.y[i] ?? null));
      return ys;
    });
    const data = [time ? xs.map((x) => x / 1000) : xs, ...columns] as uPlot.AlignedData;
    const plot = new uPlot(
      {
        width: Math.max(320, el.clientWidth),
        height,
        ...(title !== undefined ? { title } : {}),
        scales: { x: { time } },
        axes: [{ ...(xLabel !== undefined ? { label: xLabel } : {}) }, { ...(yLabel !== undefined ? { label: yLabel } : {}), size: 60 }],
        series: [{ label: xLabel ?? (time ? 'Time' : 'x') }, ...series.map((s, i) => ({ label: s.label, stroke: s.color ?? color(i), width: s.dash !== undefined ? 1.5 : 2, ...(s.dash !== undefined ? { dash: s.dash } : {}), spanGaps: true, points: { show: s.dash === undefined && (points || xs.length < 40) } }))],
      },
      data,
      el,
    );
    const resized = new ResizeObserver(() => plot.setSize({ width: Math.max(320, el.clientWidth), height }));
    resized.observe(el);
    return () => {
      resized.disconnect();
      plot.destroy();
    };
  }, [series, time, xLabel, yLabel, height, points, title]);
  return <div class="chart" ref={box} />;
}
