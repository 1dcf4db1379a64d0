import { useMemo } from 'preact/hooks';
import { LineChart, type Series } from './chart';

export interface Point {
  x: number;
  y: number;
}

/** What each of train's summary curves is: its axes, and whether y = x is its reference (a chance model). */
export const CURVES: Record<string, { title: string; x: string; y: string; diagonal: boolean }> = {
  roc: { title: 'ROC', x: 'false positive rate', y: 'true positive rate', diagonal: true },
  pr: { title: 'Precision–recall', x: 'recall', y: 'precision', diagonal: false },
  calibration: { title: 'Calibration', x: 'mean predicted probability', y: 'observed rate', diagonal: true },
  gain: { title: 'Cumulative gain', x: 'share of rows, highest scores first', y: 'share of positives found', diagonal: true },
};

/**
 * A curve as a chart series. The chart joins series on their x values, one y per x: a ROC's vertical steps
 * (the same x twice) would lose all but one point, so a repeated x is moved on by a nanounit to keep them.
 */
export function asSeries(label: string, points: readonly Point[]): Series {
  const x: number[] = [];
  for (const p of points) {
    const prev = x.at(-1);
    x.push(prev !== undefined && p.x <= prev && prev - p.x < 1e-6 ? prev + 1e-9 : p.x);
  }
  return { label, x, y: points.map((p) => p.y) };
}

/** y = x over [0, 1], drawn last so the runs keep the first colours. */
export const DIAGONAL: Series = { label: 'chance (y = x)', x: [0, 1], y: [0, 1], color: '#9ca3af', dash: [5, 5] };

/** One curve chart with its title, axis names and, where it means something, the y = x reference. */
export function CurveChart({ kind, series, height = 260 }: { kind: string; series: readonly Series[]; height?: number }) {
  const info = CURVES[kind] ?? { title: kind, x: 'x', y: 'y', diagonal: false };
  // Memoised: the chart is rebuilt whenever its series change identity.
  const all = useMemo(() => (info.diagonal ? [...series, DIAGONAL] : series), [series, info.diagonal]);
  return (
    <figure class="curve" data-curve={kind}>
      <figcaption>{info.title}</figcaption>
      <LineChart series={all} xLabel={info.x} yLabel={info.y} height={height} />
    </figure>
  );
}
