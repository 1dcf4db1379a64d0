import { useMemo, useState } from 'preact/hooks';
import { pageState, Pager } from '../components/pager';
import { Status } from '../components/status';
import { Table, type Column } from '../components/table';
import { duration, num, shortId, text, when } from '../format';
import { href, navigate } from '../router';
import { useApi } from '../use-api';

export interface RunRow {
  id: string;
  name: string;
  status: string;
  startTime: number;
  endTime: number | null;
  experiment: string | null;
  metrics: Record<string, number | null>;
  tags: Record<string, string>;
  params?: Record<string, unknown>;
}

interface RunsAnswer {
  runs: RunRow[];
  nextCursor: string | null;
  total: number;
}

interface Experiments {
  experiments: { id: string; name: string; runs: number }[];
}

/** `a; b` as a list (filters are separated by semicolons: a tag's value may hold a comma). */
const listOf = (s: string | null): string[] =>
  (s ?? '')
    .split(';')
    .map((x) => x.trim())
    .filter((x) => x !== '');


/**
 * Runs: filtered, sorted and paged by the server (GET /v1/runs), so the page costs the same with 100 or
 * 100,000 runs. The filters live in the address, so a view can be bookmarked or shared.
 */
export function RunsPage({ query }: { query: URLSearchParams }) {
  const experiment = query.get('experiment') ?? '';
  // The runs under one run (a search's trials), as `runs list --parent`.
  const parent = query.get('parent') ?? '';
  const status = query.get('status') ?? '';
  const where = query.get('where') ?? '';
  const tag = query.get('tag') ?? '';
  const order = query.get('order') ?? '-start';
  const columns = query.get('columns') ?? '';
  const paging = pageState(query);
  const { limit, cursor } = paging;

  const set = (changes: Record<string, string | undefined>, keepPage = false): void => {
    const next = new URLSearchParams(query);
    for (const [k, v] of Object.entries(changes)) (v === undefined || v === '' ? next.delete(k) : next.set(k, v));
    if (!keepPage) (next.delete('cursor'), next.delete('back'));
    navigate(href(['runs'], next));
  };

  const runs = useApi<RunsAnswer>('/v1/runs', {
    experiment,
    parent,
    status,
    where: listOf(where),
    tag: listOf(tag),
    order: order === '-start' ? undefined : order,
    columns: columns.trim() === '' ? undefined : columns,
    limit,
    cursor,
  });
  const experiments = useApi<Experiments>('/v1/experiments');
  const [selected, setSelected] = useState<string[]>([]);
  const toggle = (id: string): void => setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));

  // Metric columns: the ones chosen, else those the page's runs have (at most 7, the most common first).
  const page = runs.data?.runs;
  const metricNames = useMemo(() => {
    if (columns.trim() !== '')
      return columns
        .split(',')
        .map((c) => c.trim())
        .filter((c) => c !== '' && !c.startsWith('params.'))
        .map((c) => c.replace(/^metrics\./, ''));
    const counts = new Map<string, number>();
    for (const r of page ?? []) for (const m of Object.keys(r.metrics)) counts.set(m, (counts.get(m) ?? 0) + 1);
    // The held-out metrics before the training rows' (train_*), which say less about the model.
    const rank = (m: string): number => (m.startsWith('train_') ? 1 : 0);
    return [...counts].sort((a, b) => rank(a[0]) - rank(b[0]) || b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 7).map(([m]) => m);
  }, [page, columns]);
  const paramNames = columns
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c.startsWith('params.') && c.length > 7)
    .map((c) => c.slice(7));

  const cols: Column<RunRow>[] = [
    { key: 'pick', label: '', cell: (r) => <input type="checkbox" aria-label={`select run ${r.id}`} checked={selected.includes(r.id)} onChange={() => toggle(r.id)} /> },
    { key: 'id', label: 'run', cell: (r) => <a href={href(['runs', r.id])} class="mono">{shortId(r.id)}</a> },
    { key: 'name', label: 'name', cell: (r) => r.name },
    { key: 'experiment', label: 'experiment', cell: (r) => r.experiment ?? '—' },
    { key: 'status', label: 'status', cell: (r) => <span class={`badge ${r.status === 'failed' ? 'bad' : r.status === 'finished' ? 'good' : ''}`}>{r.status}</span> },
    { key: 'start', label: 'started', sort: 'start', cell: (r) => when(r.startTime) },
    { key: 'duration', label: 'took', numeric: true, cell: (r) => duration(r.endTime === null ? null : r.endTime - r.startTime) },
    ...metricNames.map((m): Column<RunRow> => ({ key: `m:${m}`, label: m, sort: m, numeric: true, cell: (r) => num(r.metrics[m]) })),
    ...paramNames.map((p): Column<RunRow> => ({ key: `p:${p}`, label: `params.${p}`, cell: (r) => text(r.params?.[p]) })),
    {
      key: 'tags',
      label: 'tags',
      cell: (r) => (
        <span class="tags">
          {Object.entries(r.tags)
            .filter(([k]) => !k.startsWith('hyperplane.'))
            .slice(0, 6)
            .map(([k, v]) => (
              <span key={k} class="badge" title={`${k}=${v}`}>
                {k}={v.length > 24 ? `${v.slice(0, 24)}…` : v}
              </span>
            ))}
        </span>
      ),
    },
  ];

  return (
    <section>
      <h1>Runs</h1>
      {parent !== '' && (
        <p class="muted">
          Under run <a href={href(['runs', parent])} class="mono">{shortId(parent)}</a> ·{' '}
          <button type="button" class="link" onClick={() => set({ parent: undefined })}>
            all runs
          </button>
        </p>
      )}
      <form
        class="toolbar"
        aria-label="Filters"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          set({ where: String(f.get('where') ?? ''), tag: String(f.get('tag') ?? ''), columns: String(f.get('columns') ?? '') });
        }}
      >
        <label>
          experiment
          <select name="experiment" value={experiment} onChange={(e) => set({ experiment: (e.target as HTMLSelectElement).value })}>
            <option value="">all</option>
            {(experiments.data?.experiments ?? []).map((x) => (
              <option key={x.id} value={x.name}>
                {x.name} ({x.runs})
              </option>
            ))}
          </select>
        </label>
        <label>
          status
          <select name="status" value={status} onChange={(e) => set({ status: (e.target as HTMLSelectElement).value })}>
            <option value="">any</option>
            {['running', 'finished', 'failed', 'killed'].map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          where <input name="where" size={22} placeholder="auc > 0.9; log_loss < 0.3" defaultValue={where} key={`w${where}`} />
        </label>
        <label>
          tags <input name="tag" size={16} placeholder="learner=gbdt" defaultValue={tag} key={`t${tag}`} />
        </label>
        <label>
          columns <input name="columns" size={20} placeholder="auc, params.learner" defaultValue={columns} key={`c${columns}`} />
        </label>
        <button type="submit" class="primary">
          Apply
        </button>
        {selected.length >= 2 ? (
          <a href={href(['compare'], { ids: selected.join(',') })}>Compare {selected.length} runs</a>
        ) : (
          <span class="muted">tick 2 or more runs to compare them</span>
        )}
      </form>
      <Status loaded={runs}>
        {(data) => (
          <>
            <Table label="Runs" columns={cols} rows={data.runs} rowKey={(r) => r.id} order={order} onOrder={(o) => set({ order: o === '-start' ? undefined : o })} empty="No run matches." />
            <Pager state={paging} nextCursor={data.nextCursor} count={<>{data.total.toLocaleString('en-US')} run{data.total === 1 ? '' : 's'} match</>} set={(changes) => set(changes, true)} />
          </>
        )}
      </Status>
    </section>
  );
}
