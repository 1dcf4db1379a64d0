import { useMemo } from 'preact/hooks';
import { color, LineChart, type Series } from '../../components/chart';
import { Fields, Table, type Column } from '../../components/table';
import { duration, num, text } from '../../format';
import type { DataQuality, MonitorReport, Quality, ReportWindow } from './types';

/** The metrics drawn over time, realized (from feedback) against estimated (CBPE). */
const QUALITY_METRICS = ['auc', 'accuracy'] as const;

export function QualityChart({ data }: { data: MonitorReport }) {
  const series = useMemo(() => {
    const out: Series[] = [];
    // One colour a metric; the estimate dashed beside what feedback measured.
    QUALITY_METRICS.forEach((m, i) => {
      const realized = data.quality.filter((q) => typeof q.metrics[m] === 'number');
      if (realized.length > 0) out.push({ label: `realized ${m}`, x: realized.map((q) => Date.parse(q.start)), y: realized.map((q) => q.metrics[m] as number), color: color(i) });
      const estimated = data.estimated.filter((e) => typeof e[m] === 'number');
      if (estimated.length > 0) out.push({ label: `estimated ${m}`, x: estimated.map((e) => Date.parse(e.start)), y: estimated.map((e) => e[m] as number), color: color(i), dash: [6, 4] });
    });
    return out;
  }, [data]);
  if (series.length === 0) return <p class="muted">No quality to draw: no labelled predictions and no estimate in this range.</p>;
  // A time axis needs two points in time; one window's numbers are in the table below.
  if (new Set(series.flatMap((s) => s.x)).size < 2) return <p class="muted">One window in this range: its realized and estimated quality are in the table below (choose a shorter window to draw them over time).</p>;
  return <LineChart series={series} time yLabel="quality" points />;
}

export function QualityTable({ data, windowLabel }: { data: MonitorReport; windowLabel: (s: string) => string }) {
  const estimatedAt = new Map(data.estimated.map((e) => [`${e.version}:${e.start}`, e]));
  const cols: Column<Quality>[] = [
    { key: 'w', label: 'window', cell: (q) => <span title={`${q.start} – ${q.end}`}>{windowLabel(q.start)}</span> },
    { key: 'v', label: 'version', cell: (q) => q.version },
    { key: 'n', label: 'predictions', numeric: true, cell: (q) => num(q.predictions) },
    { key: 'l', label: 'labelled', numeric: true, cell: (q) => `${num(q.labelled)} (${Math.round(q.labelledShare * 100)}%)` },
    { key: 'd', label: 'label delay (median)', numeric: true, cell: (q) => duration(q.labelDelayMs?.median) },
    ...QUALITY_METRICS.flatMap((m): Column<Quality>[] => [
      { key: `r:${m}`, label: `realized ${m}`, numeric: true, cell: (q) => num(q.metrics[m]) },
      { key: `e:${m}`, label: `estimated ${m}`, numeric: true, cell: (q) => num(estimatedAt.get(`${q.version}:${q.start}`)?.[m]) },
    ]),
  ];
  return <Table label="Quality per window" columns={cols} rows={data.quality} rowKey={(q) => `${q.version}:${q.start}`} empty="No predictions in this range." />;
}

export function DriftTable({ data, windowLabel }: { data: MonitorReport; windowLabel: (s: string) => string }) {
  const cols: Column<ReportWindow>[] = [
    { key: 'w', label: 'window', cell: (w) => <span title={`${w.start} – ${w.end}`}>{windowLabel(w.start)}</span> },
    { key: 'v', label: 'version', cell: (w) => w.version },
    { key: 'n', label: 'rows', numeric: true, cell: (w) => num(w.rows) },
    { key: 's', label: 'drift share', numeric: true, cell: (w) => num(w.driftShare) },
    { key: 'dp', label: 'vs previous', numeric: true, cell: (w) => num(w.driftShareVsPrevious) },
    { key: 'c', label: 'drifted columns', cell: (w) => (w.drifted.length === 0 ? '—' : w.drifted.join(', ')) },
    { key: 'pe', label: 'prediction effect', numeric: true, cell: (w) => num(w.prediction?.effect) },
    { key: 'pd', label: 'prediction drifted', cell: (w) => (w.prediction == null ? '—' : w.prediction.drifted ? <span class="badge bad">drifted</span> : <span class="badge good">no</span>) },
    { key: 'sm', label: 'mean score', numeric: true, cell: (w) => num(w.score?.mean) },
  ];
  return <Table label="Drift per window" columns={cols} rows={data.windows} rowKey={(w) => `${w.version}:${w.start}`} empty="No window in this range." />;
}

export function DataQualitySummary({ dq }: { dq: DataQuality | null }) {
  if (dq === null) return <p class="muted">No data quality for this range.</p>;
  const issues = dq.byColumn.filter((c) => c.invalid > 0 || (c.outOfRange ?? 0) > 0 || (c.unknownCategory ?? 0) > 0);
  return (
    <>
      <Fields
        fields={[
          ['rows', num(dq.rows)],
          ['invalid', num(dq.invalid)],
          ['out of range', num(dq.outOfRange)],
          ['unknown category', num(dq.unknownCategory)],
        ]}
      />
      {issues.length === 0 ? (
        <p class="muted">Every column within its training range.</p>
      ) : (
        <Table
          label="Data quality by column"
          columns={[
            { key: 'c', label: 'column', cell: (c: DataQuality['byColumn'][number]) => c.column },
            { key: 't', label: 'type', cell: (c: DataQuality['byColumn'][number]) => c.type },
            { key: 'i', label: 'invalid', numeric: true, cell: (c: DataQuality['byColumn'][number]) => num(c.invalid) },
            { key: 'o', label: 'out of range', numeric: true, cell: (c: DataQuality['byColumn'][number]) => text(c.outOfRange) },
            { key: 'b', label: 'below', numeric: true, cell: (c: DataQuality['byColumn'][number]) => text(c.below) },
            { key: 'a', label: 'above', numeric: true, cell: (c: DataQuality['byColumn'][number]) => text(c.above) },
            { key: 'u', label: 'unknown category', numeric: true, cell: (c: DataQuality['byColumn'][number]) => text(c.unknownCategory) },
          ]}
          rows={issues}
          rowKey={(c) => c.column}
        />
      )}
    </>
  );
}

