import { useMemo, useState } from 'preact/hooks';
import { download } from '../../api';
import { LineChart, type Series } from '../../components/chart';
import { useMany } from '../../components/many';
import { ErrorBox } from '../../components/status';
import { historySeries, metricGroup, metricPath, type Artifact, type History, type RunDetail } from './shared';

/** The latest metrics: a held-out metric beside its train_ twin when the run logged both. */
export function metricRows(metrics: Record<string, number | null>): { name: string; value: number | null | undefined; train: number | null | undefined }[] {
  const names = Object.keys(metrics);
  const rows = names.filter((n) => !n.startsWith('train_') || !(n.slice(6) in metrics)).map((n) => ({ name: n, value: metrics[n], train: n.startsWith('train_') ? undefined : metrics[`train_${n}`] }));
  const rank = (n: string): number => (n.startsWith('train_') ? 1 : 0);
  return rows.sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}

export function DownloadButton({ artifact }: { artifact: Artifact }) {
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
export function Histories({ run }: { run: RunDetail }) {
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

