import { useMemo, useState } from 'preact/hooks';
import { download } from '../api';
import { LineChart, type Series } from '../components/chart';
import { asSeries, CurveChart, type Point } from '../components/curves';
import { useMany } from '../components/many';
import { ErrorBox, Status } from '../components/status';
import { Fields, Table } from '../components/table';
import { bytes, duration, num, shortId, text, when } from '../format';
import { href } from '../router';
import { useApi } from '../use-api';
import './run.css';

export interface Input {
  role: string;
  source: string;
  fingerprint: string;
  rows: number | null;
}

export interface Artifact {
  name: string;
  sha256: string;
  size: number | null;
  file: string;
  contentType: string;
  url: string;
  error?: string;
}

export interface ClassCurve {
  label: string;
  support?: number;
  auc?: number | null;
  ap?: number | null;
  roc?: Point[];
  pr?: Point[];
}

export interface Summary {
  target?: { name: string; task: string; labels?: string[] | null };
  learner?: string;
  params?: Record<string, unknown>;
  metric?: string;
  evaluation?: string;
  fit?: Record<string, unknown> | null;
  test?: Record<string, number | null>;
  train?: Record<string, number | null>;
  leaderboard?: { learner: string; params?: Record<string, unknown>; score: number | null; seconds?: number | null; error?: string }[];
  importance?: { column: string; importance: number }[];
  drivers?: { metric?: string; scale?: string; rows?: number; columns: { column: string; meanAbsContribution?: number | null; permutation?: { drop: number; sd: number } | null }[] } | null;
  diagnostics?: { kind: string; message: string }[];
  warnings?: string[];
  fingerprint?: string;
  curves?: Partial<Record<'roc' | 'pr' | 'calibration' | 'gain', Point[]>> | null;
  classCurves?: ClassCurve[] | null;
}

export interface RunDetail {
  id: string;
  name: string;
  experiment: string | null;
  status: string;
  startTime: number;
  endTime: number | null;
  params: Record<string, unknown>;
  tags: Record<string, string>;
  metrics: Record<string, number | null>;
  inputs: Input[];
  git: { commit?: string; branch?: string | null; dirty?: boolean; remote?: string | null } | null;
  environment: { node?: string; packages?: Record<string, string>; os?: string; cpu?: string } | null;
  owner: unknown;
  warnings: string[];
  seed: number | null;
  config: unknown;
  artifacts: Artifact[];
  summary: Summary | null;
  summaryError?: string;
}

export interface History {
  runId: string;
  name: string;
  points: { step: number | null; value: number | null; timestamp: number }[];
}

/** The packages that say the most about how a model was made (the rest are listed under "all packages"). */
const KEY_PACKAGES = ['hyperplane', '@duckdb/node-bindings', 'better-sqlite3', 'pg', 'fastify'];

/** A history as a series: by step, or by its place in the list when steps were not logged. */
export function historySeries(label: string, h: History): Series {
  return { label, x: h.points.map((p, i) => p.step ?? i), y: h.points.map((p) => p.value) };
}

/** `loss` and `val_loss` (or `train_auc` and `auc`) share a chart: one group per metric without its prefix. */
export function metricGroup(name: string): string {
  return name.replace(/^(val_|valid_|validation_|train_|test_)/, '');
}

export const metricPath = (runId: string, name: string): string => `/v1/runs/${encodeURIComponent(runId)}/metrics/${encodeURIComponent(name)}`;

export function statusBadge(status: string) {
  return <span class={`badge ${status === 'failed' ? 'bad' : status === 'finished' ? 'good' : ''}`}>{status}</span>;
}

/** The latest metrics: a held-out metric beside its train_ twin when the run logged both. */
function metricRows(metrics: Record<string, number | null>): { name: string; value: number | null | undefined; train: number | null | undefined }[] {
  const names = Object.keys(metrics);
  const rows = names.filter((n) => !n.startsWith('train_') || !(n.slice(6) in metrics)).map((n) => ({ name: n, value: metrics[n], train: n.startsWith('train_') ? undefined : metrics[`train_${n}`] }));
  const rank = (n: string): number => (n.startsWith('train_') ? 1 : 0);
  return rows.sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}

function DownloadButton({ artifact }: { artifact: Artifact }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  return (
    <span class="action">
      <button
        type="button"
        disabled={busy || artifact.error !== undefined}
        aria-label={`download ${artifact.name}`}
        onClick={() => {
          setBusy(true);
          setError(undefined);
          download(artifact.url, artifact.file).then(
            () => setBusy(false),
            (e: unknown) => (setError(e instanceof Error ? e : new Error(String(e))), setBusy(false)),
          );
        }}
      >
        {busy ? 'Downloading…' : 'Download'}
      </button>
      {error !== undefined && <ErrorBox error={error} />}
    </span>
  );
}

/** Every metric with more than one logged point, drawn by step (a metric's train_/val_ twins in one chart). */
function Histories({ run }: { run: RunDetail }) {
  const names = useMemo(() => Object.keys(run.metrics).sort(), [run]);
  const paths = useMemo(() => names.map((n) => metricPath(run.id, n)), [names, run.id]);
  const loaded = useMany<History>(paths);
  const groups = useMemo(() => {
    const out = new Map<string, Series[]>();
    loaded.data.forEach((h, i) => {
      if (h === undefined || h.points.length < 2) return;
      const g = metricGroup(names[i]!);
      out.set(g, [...(out.get(g) ?? []), historySeries(names[i]!, h)]);
    });
    return [...out].sort((a, b) => a[0].localeCompare(b[0]));
  }, [loaded.data, names]);
  const failed = loaded.errors.filter((e): e is Error => e !== undefined);
  if (names.length === 0) return null;
  return (
    <section aria-label="Metric histories">
      <h2>Metric histories</h2>
      {failed.length > 0 && <ErrorBox error={failed[0]!} />}
      {loaded.done < names.length ? (
        <p class="muted" aria-busy="true">
          Loading histories… ({loaded.done} of {names.length})
        </p>
      ) : groups.length === 0 ? (
        <p class="muted">Every metric of this run has a single value: no history to draw.</p>
      ) : (
        <div class="grid2">
          {groups.map(([g, series]) => (
            <figure class="curve" data-metric={g} key={g}>
              <figcaption>{series.map((s) => s.label).join(', ')}</figcaption>
              <LineChart series={series} xLabel="step" yLabel={g} height={240} />
            </figure>
          ))}
        </div>
      )}
    </section>
  );
}

function SummarySection({ summary }: { summary: Summary }) {
  const curves = summary.curves ?? {};
  const curveKinds = (['roc', 'pr', 'calibration', 'gain'] as const).filter((k) => (curves[k]?.length ?? 0) > 0);
  const curveSeries = useMemo(() => Object.fromEntries(curveKinds.map((k) => [k, [asSeries(CURVE_LABEL[k], curves[k]!)]])), [summary]);
  const classes = (summary.classCurves ?? []).filter((c) => (c.roc?.length ?? 0) > 0);
  const classRoc = useMemo(() => classes.map((c) => asSeries(`${c.label} (auc ${num(c.auc)})`, c.roc!)), [summary]);
  const classPr = useMemo(() => (summary.classCurves ?? []).filter((c) => (c.pr?.length ?? 0) > 0).map((c) => asSeries(`${c.label} (ap ${num(c.ap)})`, c.pr!)), [summary]);
  const importance = summary.importance ?? [];
  const top = Math.max(1e-12, ...importance.map((i) => Math.abs(i.importance)));
  const drivers = summary.drivers?.columns ?? [];
  const topContribution = Math.max(1e-12, ...drivers.map((d) => Math.abs(d.meanAbsContribution ?? 0)));
  return (
    <>
      <section aria-label="Training summary" class="training">
        <h2>Training</h2>
        <Fields
          fields={[
            ['target', summary.target === undefined ? '—' : `${summary.target.name} (${summary.target.task}${summary.target.labels ? `: ${summary.target.labels.join(', ')}` : ''})`],
            ['learner', summary.learner ?? '—'],
            ['chosen by', summary.metric ?? '—'],
            ['evaluation', <span class="evaluation">{summary.evaluation ?? '—'}</span>],
            ...Object.entries(summary.fit ?? {}).map(([k, v]): [string, string] => [`fit: ${k}`, text(v)]),
            ...Object.entries(summary.params ?? {}).map(([k, v]): [string, string] => [`learner param: ${k}`, text(v)]),
          ]}
        />
        {(summary.diagnostics ?? []).length > 0 && (
          <>
            <h3>Diagnostics</h3>
            <ul class="diagnostics" aria-label="Diagnostics">
              {summary.diagnostics!.map((d, i) => (
                <li key={i}>
                  <span class="badge warn">{d.kind}</span> {d.message}
                </li>
              ))}
            </ul>
          </>
        )}
        {(summary.warnings ?? []).length > 0 && (
          <ul class="warnings" aria-label="Training warnings">
            {summary.warnings!.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        )}
      </section>

      {(summary.leaderboard ?? []).length > 0 && (
        <section>
          <h3>Leaderboard</h3>
          <Table
            label="Leaderboard"
            rows={summary.leaderboard!}
            rowKey={(r) => `${r.learner} ${JSON.stringify(r.params ?? {})}`}
            columns={[
              { key: 'learner', label: 'learner', cell: (r) => r.learner },
              { key: 'params', label: 'params', cell: (r) => <span class="mono">{Object.keys(r.params ?? {}).length === 0 ? '—' : JSON.stringify(r.params)}</span> },
              { key: 'score', label: summary.metric ?? 'score', numeric: true, cell: (r) => (r.error !== undefined ? <span class="bad-text">{r.error}</span> : num(r.score)) },
              { key: 'seconds', label: 'seconds', numeric: true, cell: (r) => num(r.seconds ?? null, 3) },
            ]}
          />
        </section>
      )}

      <div class="grid2">
        {importance.length > 0 && (
          <section>
            <h3>Importance</h3>
            <Table
              label="Importance"
              rows={importance}
              rowKey={(r) => r.column}
              columns={[
                { key: 'column', label: 'column', cell: (r) => r.column },
                { key: 'value', label: 'importance', numeric: true, cell: (r) => num(r.importance) },
                { key: 'bar', label: '', cell: (r) => <span class="bar" style={{ width: `${(100 * Math.abs(r.importance)) / top}px` }} /> },
              ]}
            />
          </section>
        )}
        {drivers.length > 0 && (
          <section>
            <h3>
              Drivers{summary.drivers?.rows !== undefined ? ` (on ${summary.drivers.rows} test rows` : ''}
              {summary.drivers?.scale ? `, ${summary.drivers.scale}` : ''}
              {summary.drivers?.rows !== undefined ? ')' : ''}
            </h3>
            <Table
              label="Drivers"
              rows={drivers}
              rowKey={(r) => r.column}
              columns={[
                { key: 'column', label: 'column', cell: (r) => r.column },
                { key: 'contribution', label: 'mean |contribution|', numeric: true, cell: (r) => num(r.meanAbsContribution ?? null) },
                { key: 'bar', label: '', cell: (r) => <span class="bar" style={{ width: `${(100 * Math.abs(r.meanAbsContribution ?? 0)) / topContribution}px` }} /> },
                { key: 'drop', label: `${summary.drivers?.metric ?? 'metric'} drop (shuffled)`, numeric: true, cell: (r) => (r.permutation ? `${num(r.permutation.drop)} ± ${num(r.permutation.sd, 2)}` : '—') },
              ]}
            />
          </section>
        )}
      </div>

      {(curveKinds.length > 0 || classRoc.length > 0) && (
        <section aria-label="Test curves">
          <h2>Curves on the test rows</h2>
          <div class="grid2">
            {curveKinds.map((k) => (
              <CurveChart key={k} kind={k} series={curveSeries[k]!} />
            ))}
            {classRoc.length > 0 && <CurveChart kind="roc" series={classRoc} />}
            {classPr.length > 0 && <CurveChart kind="pr" series={classPr} />}
          </div>
        </section>
      )}
    </>
  );
}

const CURVE_LABEL: Record<string, string> = { roc: 'ROC', pr: 'precision', calibration: 'observed', gain: 'gain' };

function RunView({ run }: { run: RunDetail }) {
  const env = run.environment ?? {};
  const packages = Object.entries(env.packages ?? {});
  const keyPackages = packages.filter(([p]) => KEY_PACKAGES.includes(p));
  const metrics = metricRows(run.metrics);
  const hasTrain = metrics.some((m) => m.train !== undefined);
  const params = Object.entries(run.params);
  const tags = Object.entries(run.tags);
  return (
    <>
      <h1>
        Run <span class="run-name">{run.name}</span> {statusBadge(run.status)}
      </h1>
      <p class="muted">
        <span class="mono">{run.id}</span>
        {run.experiment !== null && (
          <>
            {' '}
            in experiment <a href={href(['runs'], { experiment: run.experiment })}>{run.experiment}</a>
          </>
        )}{' '}
        · <a href={href(['runs'], run.experiment !== null ? { experiment: run.experiment } : {})}>compare with…</a> <span>(tick runs on the Runs page)</span>
      </p>

      <Fields
        fields={[
          ['started', when(run.startTime)],
          ['ended', when(run.endTime)],
          ['took', duration(run.endTime === null ? null : run.endTime - run.startTime)],
          ['seed', run.seed === null || run.seed === undefined ? '—' : String(run.seed)],
          ['git commit', run.git === null ? '— (none recorded)' : <span class="mono">{`${run.git.commit ?? '—'}${run.git.branch ? ` (${run.git.branch})` : ''}${run.git.dirty ? ', uncommitted changes' : ''}`}</span>],
          ['node', env.node ?? '—'],
          ['os', env.os ?? '—'],
          ['cpu', env.cpu ?? '—'],
          ...keyPackages.map(([p, v]): [string, string] => [p, v]),
        ]}
      />
      {packages.length > keyPackages.length && (
        <details class="packages">
          <summary>all {packages.length} packages</summary>
          <p class="mono">{packages.map(([p, v]) => `${p} ${v}`).join(' · ')}</p>
        </details>
      )}

      {run.warnings.length > 0 && (
        <ul class="warnings" aria-label="Warnings">
          {run.warnings.map((w, i) => (
            <li key={i}>{w}</li>
          ))}
        </ul>
      )}

      <div class="grid2">
        <section>
          <h2>Metrics</h2>
          <Table
            label="Metrics"
            rows={metrics}
            rowKey={(r) => r.name}
            empty="No metric logged."
            columns={[
              { key: 'name', label: 'metric', cell: (r) => r.name },
              { key: 'value', label: hasTrain ? 'test' : 'latest', numeric: true, cell: (r) => <span title={String(r.value)}>{num(r.value)}</span> },
              ...(hasTrain ? [{ key: 'train', label: 'train', numeric: true, cell: (r: (typeof metrics)[number]) => (r.train === undefined ? '' : <span title={String(r.train)}>{num(r.train)}</span>) }] : []),
            ]}
          />
        </section>
        <section>
          <h2>Params</h2>
          {params.length === 0 ? (
            <p class="muted">No params.</p>
          ) : (
            <Table label="Params" rows={params} rowKey={([k]) => k} columns={[{ key: 'k', label: 'param', cell: ([k]) => k }, { key: 'v', label: 'value', cell: ([, v]) => <span class="wrap-text">{text(v)}</span> }]} />
          )}
          <h3>Tags</h3>
          {tags.length === 0 ? (
            <p class="muted">No tags.</p>
          ) : (
            <p class="tags" aria-label="Tags">
              {tags.map(([k, v]) => (
                <span key={k} class="badge">
                  {k}={v}
                </span>
              ))}
            </p>
          )}
        </section>
      </div>

      <section>
        <h2>Data</h2>
        <Table
          label="Inputs"
          rows={run.inputs}
          rowKey={(r) => `${r.role} ${r.source} ${r.fingerprint}`}
          empty="No data input logged."
          columns={[
            { key: 'role', label: 'role', cell: (r) => r.role },
            { key: 'source', label: 'source', cell: (r) => <span class="wrap-text">{r.source}</span> },
            { key: 'rows', label: 'rows', numeric: true, cell: (r) => num(r.rows) },
            { key: 'fingerprint', label: 'fingerprint (sha-256)', cell: (r) => <span class="mono fingerprint">{r.fingerprint}</span> },
          ]}
        />
      </section>

      {run.summary !== null ? <SummarySection summary={run.summary} /> : run.summaryError !== undefined ? <ErrorBox error={new Error(`summary: ${run.summaryError}`)} /> : null}

      <Histories run={run} />

      <section>
        <h2>Artifacts</h2>
        <Table
          label="Artifacts"
          rows={run.artifacts}
          rowKey={(r) => r.name}
          empty="No artifact logged."
          columns={[
            { key: 'name', label: 'name', cell: (r) => r.name },
            { key: 'file', label: 'file', cell: (r) => r.file },
            { key: 'type', label: 'type', cell: (r) => <span class="muted">{r.contentType}</span> },
            { key: 'size', label: 'size', numeric: true, cell: (r) => <span title={r.size === null ? '' : `${r.size} bytes`}>{bytes(r.size)}</span> },
            { key: 'sha', label: 'sha-256', cell: (r) => <span class="mono" title={r.sha256}>{shortId(r.sha256)}…</span> },
            { key: 'dl', label: '', cell: (r) => (r.error !== undefined ? <span class="bad-text">{r.error}</span> : <DownloadButton artifact={r} />) },
          ]}
        />
      </section>
    </>
  );
}

/** One run: everything recorded about it, its training summary and curves, its metric histories, its artifacts. */
export function RunPage({ id }: { id: string }) {
  const run = useApi<RunDetail>(`/v1/runs/${encodeURIComponent(id)}`);
  return (
    <section class="run-page">
      <p class="crumbs">
        <a href="#/runs">← Runs</a>
      </p>
      <Status loaded={run}>{(r) => <RunView run={r} />}</Status>
    </section>
  );
}
