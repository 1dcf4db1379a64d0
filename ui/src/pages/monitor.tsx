import { useMemo } from 'preact/hooks';
import { color, LineChart, type Series } from '../components/chart';
import { Heatmap, type HeatmapData } from '../components/heatmap';
import { Status } from '../components/status';
import { Fields, Table, type Column } from '../components/table';
import { duration, num, text, when } from '../format';
import { href, navigate } from '../router';
import { useApi } from '../use-api';
import './monitor.css';

interface ColumnDrift {
  column: string;
  type: string;
  test: string;
  statistic: number;
  pValue?: number;
  effect: number;
  psi: number;
  drifted: boolean;
  rows: number;
}

interface DataQuality {
  rows: number;
  invalid: number;
  outOfRange: number;
  unknownCategory: number;
  byColumn: { column: string; type: string; invalid: number; outOfRange?: number; below?: number; above?: number; unknownCategory?: number }[];
}

interface ReportWindow {
  version: number;
  start: string;
  end: string;
  rows: number;
  dataQuality?: DataQuality;
  score?: { mean: number; p10: number; p50: number; p90: number };
  driftShare: number | null;
  drifted: string[];
  driftShareVsPrevious: number | null;
  prediction?: ColumnDrift | null;
}

interface Quality {
  version: number;
  start: string;
  end: string;
  predictions: number;
  labelled: number;
  labelledShare: number;
  labelDelayMs?: { median: number; p90: number } | null;
  metrics: Record<string, number | null>;
  arms?: { arm: string; predictions: number; labelled: number; metrics: Record<string, number | null> }[];
}

interface Estimated {
  version: number;
  start: string;
  end: string;
  rows: number;
  [metric: string]: number | string;
}

export interface MonitorReport {
  model: string;
  version: number;
  since: string;
  windowMs: number;
  reference: { rows: number; predictionSource?: string; metrics?: Record<string, number> } | null;
  rows: number;
  windows: ReportWindow[];
  columns: ColumnDrift[];
  driftShare: number | null;
  prediction: ColumnDrift[];
  target: ColumnDrift | null;
  quality: Quality[];
  arms: { arm: string; predictions: number; labelled: number; labelledShare: number; metrics: Record<string, number | null> }[];
  estimated: Estimated[];
  dataQuality: DataQuality | null;
  multivariate: { auc: number; threshold: number; drifted: boolean; rows: number; referenceRows: number; features: string[] } | null;
  heatmap: HeatmapData;
}

export interface Alert {
  id: string;
  model: string;
  version: number | null;
  rule: string;
  condition: string;
  state: string;
  firedAt: number;
  resolvedAt: number | null;
  updatedAt: number;
  silencedUntil: number | null;
  webhook: string | null;
  evidence: { metric: string; op: string; threshold: number; windows: { version: number; start: string; end: string; value: number | null }[] } | null;
}

interface Models {
  models: { name: string; description: string | null; versions: number; latestVersion: number; aliases: Record<string, number> }[];
}

const WINDOWS = [
  ['1h', 3_600_000],
  ['1d', 86_400_000],
] as const;
const RANGES = ['24h', '7d', '30d'] as const;
/** The metrics drawn over time, realized (from feedback) against estimated (CBPE). */
const QUALITY_METRICS = ['auc', 'accuracy'] as const;

const iso = (s: string): string => when(Date.parse(s));

/** 3,600,000 as 1h, 86,400,000 as 1d. */
function windowName(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  return duration(ms);
}

function StateBadge({ state }: { state: string }) {
  return <span class={`badge ${state === 'firing' ? 'bad' : state === 'resolved' ? 'good' : 'warn'}`}>{state}</span>;
}

/** Monitoring's front page: every registered model with a link to its report, and what is firing now. */
export function MonitorPage() {
  const models = useApi<Models>('/v1/registry/models');
  const alerts = useApi<{ alerts: Alert[] }>('/v1/alerts', { limit: 500 });
  const modelCols: Column<Models['models'][number]>[] = [
    { key: 'name', label: 'model', cell: (m) => <a href={href(['monitor', m.name])}>{m.name}</a> },
    { key: 'production', label: 'production', cell: (m) => (m.aliases['production'] !== undefined ? `version ${m.aliases['production']}` : '—') },
    { key: 'versions', label: 'versions', numeric: true, cell: (m) => m.versions },
    { key: 'aliases', label: 'aliases', cell: (m) => Object.entries(m.aliases).map(([a, v]) => `${a}→${v}`).join(', ') || '—' },
    { key: 'firing', label: 'firing alerts', numeric: true, cell: (m) => (alerts.data === undefined ? '…' : alerts.data.alerts.filter((a) => a.model === m.name).length) },
  ];
  return (
    <section>
      <h1>Monitoring</h1>
      <h2>Models</h2>
      <Status loaded={models}>{(data) => <Table label="Models" columns={modelCols} rows={data.models} rowKey={(m) => m.name} empty="No model is registered." />}</Status>
      <h2>Firing alerts</h2>
      <Status loaded={alerts}>{(data) => <AlertList alerts={data.alerts} showModel empty="Nothing is firing." />}</Status>
    </section>
  );
}

function AlertList({ alerts, showModel = false, empty }: { alerts: readonly Alert[]; showModel?: boolean; empty: string }) {
  if (alerts.length === 0) return <p class="muted">{empty}</p>;
  return (
    <div aria-label="Alerts" role="list">
      {alerts.map((a) => (
        <div key={a.id} class={`alert-card ${a.state}`} role="listitem" data-alert={a.id}>
          <header>
            <StateBadge state={a.state} />
            <strong>{a.rule}</strong>
            <code>{a.condition}</code>
            {showModel ? (
              <a href={href(['monitor', a.model])}>
                {a.model}
                {a.version !== null ? ` v${a.version}` : ''}
              </a>
            ) : a.version !== null ? (
              <span class="muted">version {a.version}</span>
            ) : null}
            <span class="muted">
              fired {when(a.firedAt)}
              {a.resolvedAt !== null ? `, resolved ${when(a.resolvedAt)}` : ''}
              {a.silencedUntil !== null ? `, silenced until ${when(a.silencedUntil)}` : ''}
            </span>
            <span class="muted mono">{a.id}</span>
          </header>
          {a.evidence !== null && a.evidence.windows.length > 0 ? (
            <table class="evidence" aria-label={`Evidence of ${a.id}`}>
              <thead>
                <tr>
                  <th>window</th>
                  <th>version</th>
                  <th class="num">{a.evidence.metric}</th>
                  <th class="num">threshold</th>
                  <th>breach</th>
                </tr>
              </thead>
              <tbody>
                {a.evidence.windows.map((w) => (
                  <tr key={`${w.version}:${w.start}`}>
                    <td>
                      {iso(w.start)} – {iso(w.end)}
                    </td>
                    <td>{w.version}</td>
                    <td class="num">{num(w.value)}</td>
                    <td class="num">
                      {a.evidence!.op} {num(a.evidence!.threshold)}
                    </td>
                    <td>{w.value === null ? '—' : breaches(w.value, a.evidence!.op, a.evidence!.threshold) ? <span class="badge bad">yes</span> : <span class="badge good">no</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p class="muted">No evidence recorded.</p>
          )}
        </div>
      ))}
    </div>
  );
}

function breaches(value: number, op: string, threshold: number): boolean {
  switch (op) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    default:
      return false;
  }
}

/** One model's monitoring report: drift heatmap, quality over time (realized and estimated), data quality, its alerts. */
export function MonitorModelPage({ model, query }: { model: string; query: URLSearchParams }) {
  const window = query.get('window') ?? '';
  const since = query.get('since') ?? '';
  const version = query.get('version') ?? '';
  const set = (changes: Record<string, string | undefined>): void => {
    const next = new URLSearchParams(query);
    for (const [k, v] of Object.entries(changes)) (v === undefined || v === '' ? next.delete(k) : next.set(k, v));
    navigate(href(['monitor', model], next));
  };
  const report = useApi<MonitorReport>(`/v1/monitor/${encodeURIComponent(model)}`, { window, since, version });
  const alerts = useApi<{ alerts: Alert[] }>('/v1/alerts', { model: model.replace(/@.*$/, ''), all: true, limit: 200 });
  const shownWindow = window !== '' ? window : (WINDOWS.find(([, ms]) => ms === report.data?.windowMs)?.[0] ?? '');
  return (
    <section>
      <h1>
        Monitoring <span class="mono">{model}</span>
        {report.data !== undefined ? <span class="muted"> version {report.data.version}</span> : null}
      </h1>
      <form class="toolbar" aria-label="Report" onSubmit={(e) => e.preventDefault()}>
        <label>
          window
          <select name="window" value={shownWindow} onChange={(e) => set({ window: (e.target as HTMLSelectElement).value })}>
            {shownWindow === '' ? <option value="">default</option> : null}
            {WINDOWS.map(([w]) => (
              <option key={w} value={w}>
                {w}
              </option>
            ))}
          </select>
        </label>
        <label>
          since
          <select name="since" value={since === '' ? '7d' : since} onChange={(e) => set({ since: (e.target as HTMLSelectElement).value })}>
            {RANGES.map((r) => (
              <option key={r} value={r}>
                {r} ago
              </option>
            ))}
            {since !== '' && !(RANGES as readonly string[]).includes(since) ? <option value={since}>{since}</option> : null}
          </select>
        </label>
        <label>
          version
          <input name="version" type="number" min={1} style={{ width: '8rem' }} placeholder="default" defaultValue={version} key={`v${version}`} onChange={(e) => set({ version: (e.target as HTMLInputElement).value })} />
        </label>
        <a href={href(['models', model.replace(/@.*$/, '')])}>the model</a>
        <a href={href(['predictions'], { model: model.replace(/@.*$/, ''), ...(report.data !== undefined ? { version: String(report.data.version) } : {}) })}>its predictions</a>
      </form>
      <Status loaded={report}>{(data) => <Report data={data} />}</Status>
      <h2>Alerts</h2>
      <Status loaded={alerts}>{(data) => <AlertList alerts={data.alerts} empty="No alert for this model." />}</Status>
    </section>
  );
}

function Report({ data }: { data: MonitorReport }) {
  const windowLabel = (s: string): string => {
    const t = when(Date.parse(s));
    return data.windowMs >= 86_400_000 ? t.slice(0, 10) : t.slice(5, 16);
  };
  const drifted = data.columns.filter((c) => c.drifted).map((c) => c.column);
  return (
    <>
      <Fields
        fields={[
          ['version', String(data.version)],
          ['since', iso(data.since)],
          ['window', windowName(data.windowMs)],
          ['rows', num(data.rows)],
          ['windows', num(data.windows.length)],
          ['reference rows', data.reference === null ? '—' : num(data.reference.rows)],
          ['drift share', num(data.driftShare)],
          ['drifted columns', drifted.length === 0 ? 'none' : drifted.join(', ')],
          ['multivariate', data.multivariate === null ? '—' : `AUC ${num(data.multivariate.auc)} vs ${num(data.multivariate.threshold)}${data.multivariate.drifted ? ' (drifted)' : ''}`],
          ['target drift', data.target === null ? '—' : `${num(data.target.effect)}${data.target.drifted ? ' (drifted)' : ''}`],
        ]}
      />
      <h2>Drift by column and window</h2>
      <p class="legend muted">
        <span>
          <span class="swatch" style={{ background: 'rgb(255,255,255)' }} />
          no effect
        </span>
        <span>
          <span class="swatch" style={{ background: 'rgb(220,38,38)' }} />
          large effect
        </span>
        <span>● drifted (outlined)</span>
        <span>· not judged</span>
      </p>
      {data.heatmap.columns.length === 0 || data.heatmap.windows.length === 0 ? <p class="muted">No window in this range.</p> : <Heatmap data={data.heatmap} windowLabel={windowLabel} />}
      <h2>Quality over time</h2>
      <QualityChart data={data} />
      <QualityTable data={data} windowLabel={windowLabel} />
      <h2>Prediction drift and drift share per window</h2>
      <DriftTable data={data} windowLabel={windowLabel} />
      {data.prediction.length > 0 ? (
        <Table
          label="Prediction drift"
          columns={[
            { key: 'c', label: 'over the range', cell: (c: ColumnDrift) => c.column },
            { key: 't', label: 'test', cell: (c: ColumnDrift) => c.test },
            { key: 'e', label: 'effect', numeric: true, cell: (c: ColumnDrift) => num(c.effect) },
            { key: 'p', label: 'PSI', numeric: true, cell: (c: ColumnDrift) => num(c.psi) },
            { key: 'd', label: 'drifted', cell: (c: ColumnDrift) => (c.drifted ? <span class="badge bad">drifted</span> : <span class="badge good">no</span>) },
          ]}
          rows={data.prediction}
          rowKey={(c) => c.column}
        />
      ) : null}
      <h2>Data quality</h2>
      <DataQualitySummary dq={data.dataQuality} />
    </>
  );
}

function QualityChart({ data }: { data: MonitorReport }) {
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

function QualityTable({ data, windowLabel }: { data: MonitorReport; windowLabel: (s: string) => string }) {
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

function DriftTable({ data, windowLabel }: { data: MonitorReport; windowLabel: (s: string) => string }) {
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

function DataQualitySummary({ dq }: { dq: DataQuality | null }) {
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
