import { pageState, Pager } from '../components/pager';
import { Status } from '../components/status';
import { Fields, Table, type Column } from '../components/table';
import { num, text, when } from '../format';
import { href, navigate } from '../router';
import { useApi } from '../use-api';
import './monitor.css';

interface Feedback {
  id: number;
  outcome: unknown;
  reward: number | null;
  timestamp: number;
}

interface Contribution {
  column: string;
  value: unknown;
  contribution: number;
  share: number;
  probabilityChange?: number;
}

interface Explanation {
  class?: string;
  scale?: string;
  base?: number;
  margin?: number;
  contributions: Contribution[];
}

export interface PredictionRow {
  id: string;
  model: string;
  version: number;
  arm: string | null;
  requestId: string | null;
  timestamp: number;
  latencyMs: number | null;
  input: Record<string, unknown> | null;
  output: ({ prediction?: unknown; probabilities?: Record<string, number> } & Record<string, unknown>) | null;
  explanation: Explanation | null;
  feedback: Feedback | null;
  feedbackHistory?: Feedback[];
}

interface PredictionsAnswer {
  predictions: PredictionRow[];
  nextCursor: string | null;
}


/** epoch ms ⇄ a datetime-local input's value (local time, to the minute). */
function toLocalInput(ms: string): string {
  const n = Number(ms);
  if (ms === '' || !Number.isFinite(n)) return '';
  const d = new Date(n);
  const pad = (x: number): string => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function fromLocalInput(v: string): string {
  if (v === '') return '';
  const ms = new Date(v).getTime();
  return Number.isFinite(ms) ? String(ms) : '';
}

/**
 * The prediction log: filtered and paged by the server (GET /v1/predictions), the filters in the address.
 * The pager keeps the cursors of the pages before this one, so "previous" needs no server state.
 */
export function PredictionsPage({ query }: { query: URLSearchParams }) {
  const model = query.get('model') ?? '';
  const version = query.get('version') ?? '';
  const arm = query.get('arm') ?? '';
  const since = query.get('since') ?? '';
  const until = query.get('until') ?? '';
  const labelled = query.get('labelled') === 'true';
  const paging = pageState(query);
  const { limit, cursor } = paging;

  const set = (changes: Record<string, string | undefined>, keepPage = false): void => {
    const next = new URLSearchParams(query);
    for (const [k, v] of Object.entries(changes)) (v === undefined || v === '' ? next.delete(k) : next.set(k, v));
    if (!keepPage) (next.delete('cursor'), next.delete('back'));
    navigate(href(['predictions'], next));
  };

  const predictions = useApi<PredictionsAnswer>('/v1/predictions', { model, version, arm, since, until, labelled: labelled ? 'true' : undefined, limit, cursor });

  const cols: Column<PredictionRow>[] = [
    { key: 'id', label: 'id', cell: (p) => <a href={href(['predictions', p.id])} class="mono">{p.id}</a> },
    { key: 'time', label: 'time', cell: (p) => when(p.timestamp) },
    { key: 'model', label: 'model', cell: (p) => `${p.model} v${p.version}` },
    { key: 'arm', label: 'arm', cell: (p) => p.arm ?? '—' },
    { key: 'prediction', label: 'prediction', cell: (p) => text(p.output?.prediction) },
    { key: 'latency', label: 'latency', numeric: true, cell: (p) => (p.latencyMs === null ? '—' : `${num(p.latencyMs, 3)} ms`) },
    { key: 'feedback', label: 'feedback', cell: (p) => (p.feedback === null ? <span class="muted">—</span> : text(p.feedback.outcome)) },
  ];

  return (
    <section>
      <h1>Predictions</h1>
      <form
        class="toolbar"
        aria-label="Find a prediction"
        onSubmit={(e) => {
          e.preventDefault();
          const id = String(new FormData(e.currentTarget).get('id') ?? '').trim();
          if (id !== '') navigate(href(['predictions', id]));
        }}
      >
        <label>
          id <input name="id" size={38} placeholder="a prediction id" />
        </label>
        <button type="submit">Open</button>
      </form>
      <form
        class="toolbar"
        aria-label="Filters"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          const field = (k: string): string => String(f.get(k) ?? '').trim();
          set({ model: field('model'), version: field('version'), arm: field('arm'), since: fromLocalInput(field('since')), until: fromLocalInput(field('until')), labelled: f.get('labelled') !== null ? 'true' : undefined });
        }}
      >
        <label>
          model <input name="model" size={12} defaultValue={model} key={`m${model}`} />
        </label>
        <label>
          version <input name="version" type="number" min={1} style={{ width: '5rem' }} defaultValue={version} key={`v${version}`} />
        </label>
        <label>
          arm <input name="arm" size={16} placeholder="credit/3, shadow" defaultValue={arm} key={`a${arm}`} />
        </label>
        <label>
          since <input name="since" type="datetime-local" defaultValue={toLocalInput(since)} key={`s${since}`} />
        </label>
        <label>
          until <input name="until" type="datetime-local" defaultValue={toLocalInput(until)} key={`u${until}`} />
        </label>
        <label>
          <input name="labelled" type="checkbox" defaultChecked={labelled} key={`l${labelled}`} /> labelled only
        </label>
        <button type="submit" class="primary">
          Search
        </button>
      </form>
      <Status loaded={predictions}>
        {(data) => (
          <>
            <Table label="Predictions" columns={cols} rows={data.predictions} rowKey={(p) => p.id} empty="No prediction matches." />
            <Pager state={paging} nextCursor={data.nextCursor} count={<>{data.predictions.length} on this page{data.nextCursor !== null ? ', more follow' : ''}</>} set={(changes) => set(changes, true)} />
          </>
        )}
      </Status>
    </section>
  );
}

/** One logged prediction: its input, answer, explanation and feedback; every value shown as text. */
export function PredictionPage({ id }: { id: string }) {
  const loaded = useApi<PredictionRow>(`/v1/predictions/${encodeURIComponent(id)}`);
  return (
    <section>
      <h1>
        Prediction <span class="mono">{id}</span>
      </h1>
      <p>
        <a href={href(['predictions'])}>← all predictions</a>
      </p>
      <Status loaded={loaded}>{(p) => <Prediction p={p} />}</Status>
    </section>
  );
}

function Prediction({ p }: { p: PredictionRow }) {
  const explanation = p.explanation ?? (p.output?.['explanation'] as Explanation | undefined) ?? null;
  const history = p.feedbackHistory ?? (p.feedback !== null ? [p.feedback] : []);
  const { prediction, probabilities, explanation: _e, ...otherOutput } = p.output ?? {};
  return (
    <>
      <Fields
        fields={[
          ['model', <a href={href(['models', p.model])}>{p.model}</a>],
          ['version', String(p.version)],
          ['monitoring', <a href={href(['monitor', p.model], { version: String(p.version) })}>{`${p.model} version ${p.version}`}</a>],
          ['time', when(p.timestamp)],
          ['arm', p.arm ?? '—'],
          ['request id', p.requestId ?? '—'],
          ['latency', p.latencyMs === null ? '—' : `${num(p.latencyMs, 3)} ms`],
          ['feedback', p.feedback === null ? 'none yet' : text(p.feedback.outcome)],
        ]}
      />
      <div class="grid2">
        <div>
          <h2>Input</h2>
          {p.input === null ? (
            <p class="muted">Not logged.</p>
          ) : (
            <Table label="Input" columns={[{ key: 'f', label: 'field', cell: ([k]: [string, unknown]) => k }, { key: 'v', label: 'value', cell: ([, v]: [string, unknown]) => <span class="wrap">{text(v)}</span> }]} rows={Object.entries(p.input)} rowKey={([k]) => k} empty="No fields." />
          )}
        </div>
        <div>
          <h2>Output</h2>
          <Fields fields={[['prediction', <strong>{text(prediction)}</strong>], ...Object.entries(otherOutput).map(([k, v]): [string, string] => [k, text(v)])]} />
          {probabilities !== undefined && probabilities !== null && typeof probabilities === 'object' ? <Probabilities probabilities={probabilities as Record<string, number>} predicted={prediction} /> : null}
        </div>
      </div>
      <h2>Explanation</h2>
      {explanation === null ? <p class="muted">Not explained (ask with ?explain=N when predicting).</p> : <ExplanationView e={explanation} />}
      <h2>Feedback</h2>
      {history.length === 0 ? (
        <p class="muted">No outcome sent back yet.</p>
      ) : (
        <Table
          label="Feedback history"
          columns={[
            { key: 't', label: 'time', cell: (f: Feedback) => when(f.timestamp) },
            { key: 'o', label: 'outcome', cell: (f: Feedback) => text(f.outcome) },
            { key: 'r', label: 'reward', numeric: true, cell: (f: Feedback) => num(f.reward) },
            { key: 'c', label: '', cell: (f: Feedback) => (f.id === p.feedback?.id ? <span class="badge good">latest</span> : '') },
          ]}
          rows={history}
          rowKey={(f) => String(f.id)}
        />
      )}
    </>
  );
}

function Probabilities({ probabilities, predicted }: { probabilities: Record<string, number>; predicted: unknown }) {
  return (
    <div class="probs" aria-label="Probabilities" role="table">
      {Object.entries(probabilities).map(([cls, pr]) => (
        <div key={cls} role="row" style={{ display: 'contents' }}>
          <span role="cell" class={String(predicted) === cls ? 'predicted' : undefined}>
            {cls}
          </span>
          <span role="cell" class="track" title={`${cls}: ${num(pr)}`}>
            <span style={{ width: `${Math.max(0, Math.min(1, pr)) * 100}%` }} />
          </span>
          <span role="cell" class="num">
            {num(pr, 3)}
          </span>
        </div>
      ))}
    </div>
  );
}

/** Contributions as a signed bar chart: left of the axis pushes away from the class, right towards it. */
function ExplanationView({ e }: { e: Explanation }) {
  const largest = Math.max(1e-12, ...e.contributions.map((c) => Math.abs(c.contribution)));
  const pct = (v: number): string => `${(Math.abs(v) / largest) * 100}%`;
  return (
    <>
      <Fields
        fields={[
          ['class', text(e.class)],
          ['scale', text(e.scale)],
          ['base', num(e.base)],
          ['margin', num(e.margin)],
        ]}
      />
      <div class="contrib" role="table" aria-label="Contributions">
        <div role="row" style={{ display: 'contents' }}>
          <span role="columnheader" class="head">column</span>
          <span role="columnheader" class="head">value</span>
          <span role="columnheader" class="head" style={{ textAlign: 'right' }}>
            against
          </span>
          <span role="columnheader" class="head">towards {text(e.class)}</span>
          <span role="columnheader" class="head num">contribution</span>
          <span role="columnheader" class="head num">share</span>
        </div>
        {e.contributions.map((c) => (
          <div key={c.column} role="row" class="contribution" data-column={c.column} style={{ display: 'contents' }}>
            <span role="cell" class="c-column">
              {c.column}
            </span>
            <span role="cell" class="c-value">
              {text(c.value)}
            </span>
            <span role="cell" class="neg" title={`${c.column}: ${num(c.contribution)}`}>
              {c.contribution < 0 ? <span style={{ width: pct(c.contribution) }} /> : null}
            </span>
            <span role="cell" class="pos" title={`${c.column}: ${num(c.contribution)}`}>
              {c.contribution > 0 ? <span style={{ width: pct(c.contribution) }} /> : null}
            </span>
            <span role="cell" class="num c-contribution">
              {num(c.contribution)}
            </span>
            <span role="cell" class="num c-share">
              {`${num(c.share * 100, 3)}%`}
            </span>
          </div>
        ))}
      </div>
    </>
  );
}
