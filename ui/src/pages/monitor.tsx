import { Heatmap } from '../components/heatmap';
import { Status } from '../components/status';
import { Fields, Table, type Column } from '../components/table';
import { duration, num, when } from '../format';
import { href, navigate } from '../router';
import { useApi } from '../use-api';
import './monitor.css';
import { AlertList, iso } from './monitor/alerts';
import { DataQualitySummary, DriftTable, QualityChart, QualityTable } from './monitor/report-parts';
import type { Alert, ColumnDrift, MonitorReport } from './monitor/types';

interface Models {
  models: { name: string; description: string | null; versions: number; latestVersion: number; aliases: Record<string, number> }[];
}

const WINDOWS = [
  ['1h', 3_600_000],
  ['1d', 86_400_000],
] as const;
const RANGES = ['24h', '7d', '30d'] as const;

/** 3,600,000 as 1h, 86,400,000 as 1d. */
function windowName(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  return duration(ms);
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

