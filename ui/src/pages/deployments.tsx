import { useEffect, useMemo, useState } from 'preact/hooks';
import { putJson } from '../api';
import { LineChart, type Series } from '../components/chart';
import { ConfirmAction } from '../components/confirm';
import { Status } from '../components/status';
import { Fields, Table, type Column } from '../components/table';
import { num, when } from '../format';
import { href, navigate } from '../router';
import { useApi } from '../use-api';
import './models.css';

export type Policy =
  | { kind: 'fixed'; ref: string }
  | { kind: 'split'; arms: { ref: string; weight: number }[] }
  | { kind: 'shadow'; ref: string; shadow: string }
  | { kind: 'bandit'; arms: string[] };

interface DeploymentRow {
  name: string;
  policy: Policy;
  updatedAt: number;
  refs: string[];
}

interface Posterior {
  arm: string;
  successes: number;
  failures: number;
  alpha: number;
  beta: number;
  mean: number;
  interval: [number, number];
}

interface DeploymentDetail extends DeploymentRow {
  since: number;
  until: number;
  windowMs: number;
  error?: string;
  traffic?: { windows: number[]; arms: { arm: string; counts: number[] }[] };
  shadow?: { compared: number; agreed: number; share: number | null; unmatched: number; truncated: boolean };
  posteriors?: Posterior[];
}

/** Deployments and their policies (GET /v1/deployments). */
export function DeploymentsPage() {
  const list = useApi<{ deployments: DeploymentRow[] }>('/v1/deployments');
  const cols: Column<DeploymentRow>[] = [
    { key: 'name', label: 'deployment', cell: (d) => <a href={href(['deployments', d.name])}>{d.name}</a> },
    { key: 'kind', label: 'policy', cell: (d) => <span class="badge">{d.policy.kind}</span> },
    { key: 'summary', label: 'routes', cell: (d) => summary(d.policy) },
    { key: 'refs', label: 'refs', cell: (d) => <span class="mono">{d.refs.join(', ')}</span> },
    { key: 'updated', label: 'updated', cell: (d) => when(d.updatedAt) },
  ];
  return (
    <section>
      <h1>Deployments</h1>
      <Status loaded={list}>
        {(data) => <Table label="Deployments" columns={cols} rows={data.deployments} rowKey={(d) => d.name} empty="No deployment: make one with `hyperplane deploy`." />}
      </Status>
    </section>
  );
}

function percent(share: number | null | undefined, digits = 1): string {
  return share === null || share === undefined || !Number.isFinite(share) ? '—' : `${(share * 100).toFixed(digits)}%`;
}

/** A policy in one line, for the list. */
function summary(p: Policy): string {
  switch (p.kind) {
    case 'fixed':
      return `all to ${p.ref}`;
    case 'split': {
      const total = p.arms.reduce((s, a) => s + a.weight, 0);
      return p.arms.map((a) => `${a.ref} ${percent(a.weight / total, 0)}`).join(' / ');
    }
    case 'shadow':
      return `${p.ref}, shadowed by ${p.shadow}`;
    case 'bandit':
      return `bandit over ${p.arms.join(', ')}`;
    default:
      return JSON.stringify(p);
  }
}

/** A policy in words: where each request goes. */
function PolicyWords({ policy }: { policy: Policy }) {
  switch (policy.kind) {
    case 'fixed':
      return (
        <p class="policy-words">
          Fixed: every request is answered by <span class="mono">{policy.ref}</span>.
        </p>
      );
    case 'split': {
      const total = policy.arms.reduce((s, a) => s + a.weight, 0);
      return (
        <div class="policy-words">
          Split: each request goes to one arm at random, by weight.
          <ul aria-label="Arms">
            {policy.arms.map((a) => (
              <li key={a.ref}>
                <span class="mono">{a.ref}</span>: weight {num(a.weight)} ({percent(a.weight / total)} of requests)
              </li>
            ))}
          </ul>
        </div>
      );
    }
    case 'shadow':
      return (
        <p class="policy-words">
          Shadow: every request is answered by <span class="mono">{policy.ref}</span>; a copy goes to <span class="mono">{policy.shadow}</span>, whose answer is logged (arm <code>shadow</code>) but never returned.
        </p>
      );
    case 'bandit':
      return (
        <div class="policy-words">
          Bandit (Thompson sampling): each request goes to the arm whose draw from its Beta posterior of reward is highest, so traffic shifts to the arm that earns more.
          <ul aria-label="Arms">
            {policy.arms.map((a) => (
              <li key={a} class="mono">
                {a}
              </li>
            ))}
          </ul>
        </div>
      );
    default:
      return <pre>{JSON.stringify(policy, null, 2)}</pre>;
  }
}

const RANGES = [
  { since: '24h', window: '1h', label: 'last 24 h (hourly)' },
  { since: '7d', window: '1d', label: 'last 7 d (daily)' },
] as const;

/** The interval [lo, hi] on 0..1, with the mean marked. */
function IntervalBar({ lo, hi, mean }: { lo: number; hi: number; mean: number }) {
  const w = 160;
  const x = (v: number): number => Math.max(0, Math.min(1, v)) * w;
  return (
    <svg class="interval" width={w} height={12} viewBox={`0 0 ${w} 12`} role="img" aria-label={`90% interval ${num(lo, 3)} to ${num(hi, 3)}`}>
      <rect class="track" x={0} y={4} width={w} height={4} rx={2} />
      <rect class="span" x={x(lo)} y={2} width={Math.max(1, x(hi) - x(lo))} height={8} rx={2} />
      <line class="mean" x1={x(mean)} x2={x(mean)} y1={0} y2={12} />
    </svg>
  );
}

/** One deployment: its policy, traffic per arm, a shadow's agreement or a bandit's posteriors; an admin key can change the policy. */
export function DeploymentPage({ name, query }: { name: string; query: URLSearchParams }) {
  const since = query.get('since') ?? '24h';
  const window = query.get('window') ?? (since === '7d' ? '1d' : '1h');
  const detail = useApi<DeploymentDetail>(`/v1/deployments/${encodeURIComponent(name)}`, { since, window });
  return (
    <section>
      <p class="muted">
        <a href="#/deployments">Deployments</a> / {name}
      </p>
      <h1>{name}</h1>
      <Status loaded={detail}>{(data) => <DeploymentBody data={data} since={since} window={window} query={query} reload={detail.reload} />}</Status>
    </section>
  );
}

function DeploymentBody({ data, since, window, query, reload }: { data: DeploymentDetail; since: string; window: string; query: URLSearchParams; reload(): void }) {
  const traffic = data.traffic;
  // A shadow's copies usually match production's counts one for one: dashed, so the two lines are both seen.
  const series = useMemo<Series[]>(() => (traffic?.arms ?? []).map((a) => ({ label: a.arm, x: traffic!.windows, y: a.counts, ...(a.arm === 'shadow' ? { dash: [8, 5] } : {}) })), [traffic]);
  type Total = { arm: string; total: number };
  const totals: Total[] = (traffic?.arms ?? []).map((a) => ({ arm: a.arm, total: a.counts.reduce((s, c) => s + c, 0) }));
  const all = totals.reduce((s, t) => s + t.total, 0);
  const pick = (r: (typeof RANGES)[number]): void => {
    const next = new URLSearchParams(query);
    next.set('since', r.since);
    next.set('window', r.window);
    navigate(href(['deployments', data.name], next));
  };
  const totalCols: Column<Total>[] = [
    { key: 'arm', label: 'arm', cell: (t) => <span class="mono">{t.arm}</span> },
    { key: 'total', label: 'predictions', numeric: true, cell: (t) => num(t.total) },
    { key: 'share', label: 'share', numeric: true, cell: (t) => (all === 0 ? '—' : percent(t.total / all)) },
  ];
  const postCols: Column<Posterior>[] = [
    { key: 'arm', label: 'arm', cell: (p) => <span class="mono">{p.arm}</span> },
    { key: 'successes', label: 'successes', numeric: true, cell: (p) => num(p.successes) },
    { key: 'failures', label: 'failures', numeric: true, cell: (p) => num(p.failures) },
    { key: 'mean', label: 'mean', numeric: true, cell: (p) => p.mean.toFixed(3) },
    { key: 'interval', label: '90% interval', numeric: true, cell: (p) => `${p.interval[0].toFixed(3)} – ${p.interval[1].toFixed(3)}` },
    { key: 'bar', label: '0 … 1', cell: (p) => <IntervalBar lo={p.interval[0]} hi={p.interval[1]} mean={p.mean} /> },
  ];
  return (
    <>
      <Fields
        fields={[
          ['policy', <span class="badge">{data.policy.kind}</span>],
          ['refs', <span class="mono">{data.refs.join(', ')}</span>],
          ['updated', when(data.updatedAt)],
        ]}
      />
      {data.error !== undefined && (
        <p class="error" role="alert">
          {data.error}
        </p>
      )}
      <PolicyWords policy={data.policy} />

      <h2>Traffic per arm</h2>
      <div class="toolbar">
        <span class="range-picker" role="group" aria-label="Range">
          {RANGES.map((r) => (
            <button key={r.since} type="button" aria-pressed={since === r.since && window === r.window} onClick={() => pick(r)}>
              {r.label}
            </button>
          ))}
        </span>
        <span class="muted">
          {when(data.since)} to {when(data.until)}, windows of {window}
        </span>
      </div>
      {series.length > 0 ? <LineChart series={series} time yLabel="predictions" height={240} /> : <p class="muted">No traffic data.</p>}
      <h3>Totals per arm</h3>
      <Table label="Totals per arm" columns={totalCols} rows={totals} rowKey={(t) => t.arm} empty="No arm." />

      {data.shadow !== undefined && (
        <>
          <h2>Shadow agreement</h2>
          <p class="agreement" aria-label="Shadow agreement">
            <strong>
              {num(data.shadow.agreed)} of {num(data.shadow.compared)}
            </strong>{' '}
            shadow answers agreed with production ({percent(data.shadow.share)})
          </p>
          <Fields
            fields={[
              ['unmatched', num(data.shadow.unmatched)],
              ['truncated', data.shadow.truncated ? 'yes: only the first 100,000 production answers were compared' : 'no'],
            ]}
          />
        </>
      )}

      {data.posteriors !== undefined && (
        <>
          <h2>Bandit posteriors</h2>
          <p class="muted">Beta(1 + successes, 1 + failures) per arm from every reward so far (not windowed).</p>
          <Table label="Posteriors" columns={postCols} rows={data.posteriors} rowKey={(p) => p.arm} empty="No arm." />
        </>
      )}

      <ChangePolicy name={data.name} policy={data.policy} reload={reload} />
    </>
  );
}

/** The policy as JSON, edited and PUT back (admin); the server checks it and names the field it refuses. */
function ChangePolicy({ name, policy, reload }: { name: string; policy: Policy; reload(): void }) {
  const stored = JSON.stringify(policy, null, 2);
  const [text, setText] = useState(stored);
  useEffect(() => setText(stored), [stored]);
  return (
    <>
      <h2>Change policy</h2>
      <form class="policy-edit" aria-label="Change policy" onSubmit={(e) => e.preventDefault()}>
        <p class="muted">
          The policy as JSON: <code>{'{"kind":"fixed","ref":…}'}</code>, <code>{'{"kind":"split","arms":[{"ref":…,"weight":…}]}'}</code>, <code>{'{"kind":"shadow","ref":…,"shadow":…}'}</code> or{' '}
          <code>{'{"kind":"bandit","arms":[…]}'}</code>. Needs an admin key.
        </p>
        <textarea name="policy" aria-label="Policy JSON" spellcheck={false} rows={Math.min(16, stored.split('\n').length + 1)} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
        <ConfirmAction
          label="Change policy"
          question={`Set ${name}'s policy to this?`}
          disabled={text.trim() === stored.trim()}
          run={async () => {
            let parsed: unknown;
            try {
              parsed = JSON.parse(text);
            } catch (e) {
              throw new Error(`Not JSON: ${e instanceof Error ? e.message : String(e)}`);
            }
            await putJson(`/v1/admin/deployments/${encodeURIComponent(name)}`, { policy: parsed });
            reload();
            return `${name}'s policy stored`;
          }}
        />{' '}
        <button type="button" disabled={text === stored} onClick={() => setText(stored)}>
          Reset
        </button>
      </form>
    </>
  );
}
