import { useMemo, useState } from 'preact/hooks';
import { color, LineChart, type Series } from '../components/chart';
import { asSeries, CurveChart } from '../components/curves';
import { useMany } from '../components/many';
import { ErrorBox, Status } from '../components/status';
import { shortId, text } from '../format';
import { href } from '../router';
import { useApi } from '../use-api';
import { historySeries, metricPath, statusBadge, type History, type RunDetail } from './run/shared';
import './run.css';

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

interface Field {
  name: string;
  values: (Json | null)[];
  differ: boolean;
}

interface CompareAnswer {
  runs: { id: string; name: string; experiment: string | null; status: string; startTime: number; endTime: number | null }[];
  params: Field[];
  metrics: Field[];
  tags: Field[];
  data: Field[];
  other: Field[];
  differ: { params: string[]; metrics: string[] };
}

/** More histories than this (runs × metrics) are fetched one metric at a time, as the user picks it. */
const AUTO_HISTORIES = 150;

const OTHER_LABEL: Record<string, string> = { 'git.commit': 'git commit', 'git.dirty': 'git dirty', 'environment.node': 'node' };

function cell(v: Json | null) {
  if (v === null) return <span class="muted">—</span>;
  // A data input: its fingerprint (shortened, whole in the tooltip) and rows.
  if (typeof v === 'object' && !Array.isArray(v) && typeof v['fingerprint'] === 'string') {
    const fp = v['fingerprint'];
    return (
      <span class="mono" title={fp}>
        {fp.slice(0, 12)}… · {text(v['rows'])} rows
      </span>
    );
  }
  const s = text(v);
  return <span title={s.length > 30 ? s : undefined}>{s}</span>;
}

function Rows({ group, fields, only, runs }: { group: string; fields: Field[]; only: boolean; runs: number }) {
  const shown = only ? fields.filter((f) => f.differ) : fields;
  if (shown.length === 0) return null;
  return (
    <>
      <tr class="group">
        <th colSpan={runs + 1}>
          {group} <span class="muted">({fields.filter((f) => f.differ).length} of {fields.length} differ)</span>
        </th>
      </tr>
      {shown.map((f) => (
        <tr key={`${group}:${f.name}`} class={f.differ ? 'differ' : undefined} data-field={`${group}:${f.name}`}>
          <th class="rowname" scope="row">
            {f.differ && (
              <span class="mark" title="differs between the runs">
                ≠{' '}
              </span>
            )}
            {group === 'run' ? (OTHER_LABEL[f.name] ?? f.name) : f.name}
          </th>
          {f.values.map((v, i) => (
            <td key={i}>{cell(v)}</td>
          ))}
        </tr>
      ))}
    </>
  );
}

/** Series labels: the run's name, with its short id where two runs share a name. */
function labels(runs: CompareAnswer['runs']): string[] {
  const counts = new Map<string, number>();
  for (const r of runs) counts.set(r.name, (counts.get(r.name) ?? 0) + 1);
  return runs.map((r) => ((counts.get(r.name) ?? 0) > 1 ? `${r.name} (${shortId(r.id)})` : r.name));
}

/** ROC and precision–recall of each run's test rows (from its summary), overlaid. */
function OverlaidCurves({ answer, names }: { answer: CompareAnswer; names: string[] }) {
  const paths = useMemo(() => answer.runs.map((r) => `/v1/runs/${encodeURIComponent(r.id)}`), [answer]);
  const details = useMany<RunDetail>(paths);
  const curves = useMemo(() => {
    const out: Record<'roc' | 'pr', Series[]> = { roc: [], pr: [] };
    details.data.forEach((d, i) => {
      for (const k of ['roc', 'pr'] as const) {
        const points = d?.summary?.curves?.[k];
        if (points !== undefined && points.length > 0) out[k].push({ ...asSeries(names[i]!, points), color: color(i) });
      }
    });
    return out;
  }, [details.data, names]);
  const failed = details.errors.find((e) => e !== undefined);
  const loading = details.done < paths.length;
  return (
    <section aria-label="Overlaid curves">
      <h2>Test curves</h2>
      {failed !== undefined && <ErrorBox error={failed} />}
      {loading ? (
        <p class="muted" aria-busy="true">
          Loading runs… ({details.done} of {paths.length})
        </p>
      ) : curves.roc.length === 0 && curves.pr.length === 0 ? (
        <p class="muted">None of these runs has test curves (only runs trained with hyperplane train on a binary target have them).</p>
      ) : (
        <>
          {curves.roc.length < paths.length && (
            <p class="muted">
              {curves.roc.length} of {paths.length} runs have a ROC curve.
            </p>
          )}
          <div class="grid2">
            {curves.roc.length > 0 && <CurveChart kind="roc" series={curves.roc} height={300} />}
            {curves.pr.length > 0 && <CurveChart kind="pr" series={curves.pr} height={300} />}
          </div>
        </>
      )}
    </section>
  );
}

/** Metric histories overlaid, one chart per metric logged more than once by any run. */
function OverlaidHistories({ answer, names }: { answer: CompareAnswer; names: string[] }) {
  const total = answer.metrics.reduce((n, f) => n + f.values.filter((v) => v !== null).length, 0);
  const auto = total <= AUTO_HISTORIES;
  const [picked, setPicked] = useState('');
  // Which (metric, run) histories to fetch: all when few, else the picked metric's.
  const wanted = useMemo(() => {
    const out: { metric: string; run: number }[] = [];
    for (const f of answer.metrics) {
      if (!auto && f.name !== picked) continue;
      f.values.forEach((v, i) => v !== null && out.push({ metric: f.name, run: i }));
    }
    return out;
  }, [answer, auto, picked]);
  const paths = useMemo(() => wanted.map((w) => metricPath(answer.runs[w.run]!.id, w.metric)), [wanted, answer]);
  const loaded = useMany<History>(paths);
  const charts = useMemo(() => {
    const by = new Map<string, { series: Series[]; longest: number }>();
    loaded.data.forEach((h, j) => {
      if (h === undefined) return;
      const w = wanted[j]!;
      const c = by.get(w.metric) ?? { series: [], longest: 0 };
      c.series.push({ ...historySeries(names[w.run]!, h), color: color(w.run) });
      c.longest = Math.max(c.longest, h.points.length);
      by.set(w.metric, c);
    });
    return [...by].filter(([, c]) => c.longest > 1).sort((a, b) => a[0].localeCompare(b[0]));
  }, [loaded.data, wanted, names]);
  const failed = loaded.errors.find((e) => e !== undefined);
  if (answer.metrics.length === 0) return null;
  return (
    <section aria-label="Metric histories">
      <h2>Metric histories</h2>
      {!auto && (
        <label class="toolbar">
          metric{' '}
          <select value={picked} onChange={(e) => setPicked((e.target as HTMLSelectElement).value)}>
            <option value="">pick one to overlay its history</option>
            {answer.metrics.map((f) => (
              <option key={f.name} value={f.name}>
                {f.name}
              </option>
            ))}
          </select>
        </label>
      )}
      {failed !== undefined && <ErrorBox error={failed} />}
      {loaded.done < paths.length ? (
        <p class="muted" aria-busy="true">
          Loading histories… ({loaded.done} of {paths.length})
        </p>
      ) : paths.length === 0 ? null : charts.length === 0 ? (
        <p class="muted">{auto ? 'No metric of these runs was logged more than once: no history to overlay.' : `${picked} was logged once per run: no history to overlay.`}</p>
      ) : (
        <div class="grid2">
          {charts.map(([m, c]) => (
            <figure class="curve" data-metric={m} key={m}>
              <figcaption>{m}</figcaption>
              <LineChart series={c.series} xLabel="step" yLabel={m} height={260} />
            </figure>
          ))}
        </div>
      )}
    </section>
  );
}

function CompareView({ answer }: { answer: CompareAnswer }) {
  const [only, setOnly] = useState(false);
  const names = useMemo(() => labels(answer.runs), [answer]);
  const n = answer.runs.length;
  const differing = [answer.other, answer.params, answer.metrics, answer.tags, answer.data].reduce((k, fs) => k + fs.filter((f) => f.differ).length, 0);
  return (
    <>
      <div class="toolbar">
        <label>
          <input type="checkbox" name="only-differences" checked={only} onChange={(e) => setOnly((e.target as HTMLInputElement).checked)} /> only differences
        </label>
        <span class="muted">
          {differing} row{differing === 1 ? '' : 's'} differ, marked ≠ and highlighted
        </span>
      </div>
      <div class="table-wrap">
        <table class="compare-table" aria-label="Compared runs">
          <thead>
            <tr>
              <th>run</th>
              {answer.runs.map((r, i) => (
                <th key={r.id} scope="col">
                  <a href={href(['runs', r.id])}>{names[i]}</a>
                  <br />
                  <span class="muted mono">{shortId(r.id)}</span> {statusBadge(r.status)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <Rows group="run" fields={answer.other} only={only} runs={n} />
            <Rows group="params" fields={answer.params} only={only} runs={n} />
            <Rows group="metrics" fields={answer.metrics} only={only} runs={n} />
            <Rows group="tags" fields={answer.tags} only={only} runs={n} />
            <Rows group="inputs" fields={answer.data} only={only} runs={n} />
          </tbody>
        </table>
      </div>
      <OverlaidCurves answer={answer} names={names} />
      <OverlaidHistories answer={answer} names={names} />
    </>
  );
}

/** Runs side by side (GET /v1/runs/compare): what differs highlighted, their curves and histories overlaid. */
export function ComparePage({ ids }: { ids: string[] }) {
  const enough = ids.length >= 2;
  const answer = useApi<CompareAnswer>(enough ? '/v1/runs/compare' : null, { ids: ids.join(',') });
  return (
    <section class="compare-page">
      <p class="crumbs">
        <a href="#/runs">← Runs</a>
      </p>
      <h1>Compare runs</h1>
      {!enough ? (
        <p class="how-to" role="note">
          {ids.length === 1 ? 'Only one run was given. ' : 'No runs were given. '}
          Comparing needs 2 to 50 runs: tick them on the <a href="#/runs">Runs page</a> and follow "Compare N runs" (or put their ids in the address: <code>#/compare?ids=ID1,ID2</code>).
        </p>
      ) : (
        <Status loaded={answer}>{(a) => <CompareView answer={a} />}</Status>
      )}
    </section>
  );
}
