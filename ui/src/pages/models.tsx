import { useState } from 'preact/hooks';
import { putJson } from '../api';
import { ConfirmAction } from '../components/confirm';
import { Status } from '../components/status';
import { Fields, Table, type Column } from '../components/table';
import { num, shortId, when } from '../format';
import { href } from '../router';
import { useApi } from '../use-api';
import './models.css';

interface ModelRow {
  name: string;
  description: string | null;
  createdAt: number;
  updatedAt: number;
  versions: number;
  latestVersion: number | null;
  aliases: Record<string, number>;
}

export interface VersionRow {
  version: number;
  runId: string | null;
  artifact: string;
  metrics: Record<string, number | null>;
  fingerprint: string | null;
  description: string | null;
  createdAt: number;
  aliases: string[];
}

interface AliasMove {
  alias: string;
  from: number | null;
  to: number | null;
  at: number;
  actor: string | null;
}

interface ModelDetail extends Omit<ModelRow, 'versions'> {
  versions: VersionRow[];
  aliasHistory: AliasMove[];
}

function AliasBadges({ aliases }: { aliases: Record<string, number> }) {
  const entries = Object.entries(aliases).sort((a, b) => a[0].localeCompare(b[0]));
  if (entries.length === 0) return <span class="muted">—</span>;
  return (
    <span class="tags">
      {entries.map(([a, v]) => (
        <span key={a} class={`badge ${a === 'production' ? 'good' : ''}`}>
          {a} → {v}
        </span>
      ))}
    </span>
  );
}

/** Registered models, each with its aliases (GET /v1/registry/models). */
export function ModelsPage() {
  const models = useApi<{ models: ModelRow[] }>('/v1/registry/models');
  const cols: Column<ModelRow>[] = [
    { key: 'name', label: 'model', cell: (m) => <a href={href(['models', m.name])}>{m.name}</a> },
    { key: 'versions', label: 'versions', numeric: true, cell: (m) => num(m.versions) },
    { key: 'latest', label: 'latest', numeric: true, cell: (m) => (m.latestVersion === null ? '—' : `v${m.latestVersion}`) },
    { key: 'aliases', label: 'aliases', cell: (m) => <AliasBadges aliases={m.aliases} /> },
    { key: 'updated', label: 'updated', cell: (m) => when(m.updatedAt) },
    { key: 'description', label: 'description', cell: (m) => m.description ?? '' },
  ];
  return (
    <section>
      <h1>Models</h1>
      <Status loaded={models}>
        {(data) => <Table label="Models" columns={cols} rows={data.models} rowKey={(m) => m.name} empty="No registered model: register one with `hyperplane models register`." />}
      </Status>
    </section>
  );
}

/** The held-out metrics worth a column: the usual ones first, at most 5, training rows' last. */
const PREFERRED = ['auc', 'accuracy', 'log_loss', 'f1', 'pr_auc', 'rmse', 'mae', 'r2'];
export function keyMetrics(versions: readonly VersionRow[]): string[] {
  const names = new Set(versions.flatMap((v) => Object.keys(v.metrics)));
  const preferred = PREFERRED.filter((m) => names.has(m));
  const rest = [...names].filter((m) => !PREFERRED.includes(m) && !m.startsWith('train_')).sort();
  return [...preferred, ...rest].slice(0, 5);
}

/** The version an alias pointed at before its last move, if that move came from somewhere. */
function previousOf(history: readonly AliasMove[], alias: string, current: number): number | null {
  const last = history.filter((h) => h.alias === alias).at(-1);
  if (last === undefined || last.to !== current || last.from === null || last.from === current) return null;
  return last.from;
}

async function moveAlias(model: string, alias: string, version: number, expect: number | null): Promise<{ from: number | null; to: number }> {
  return putJson(`/v1/admin/registry/models/${encodeURIComponent(model)}/aliases/${encodeURIComponent(alias)}`, { version, expect });
}

/** One model: its versions, where each alias points and how it got there; an admin key can move aliases. */
export function ModelPage({ name }: { name: string }) {
  const model = useApi<ModelDetail>(`/v1/registry/models/${encodeURIComponent(name)}`);
  return (
    <section>
      <p class="muted">
        <a href="#/models">Models</a> / {name}
      </p>
      <h1>{name}</h1>
      <Status loaded={model}>{(data) => <ModelBody data={data} reload={model.reload} />}</Status>
    </section>
  );
}

function ModelBody({ data, reload }: { data: ModelDetail; reload(): void }) {
  const metrics = keyMetrics(data.versions);
  const aliases = Object.entries(data.aliases).sort((a, b) => a[0].localeCompare(b[0]));
  const lastMove = (alias: string): AliasMove | undefined => data.aliasHistory.filter((h) => h.alias === alias).at(-1);

  const versionCols: Column<VersionRow>[] = [
    { key: 'version', label: 'version', numeric: true, cell: (v) => `v${v.version}` },
    { key: 'run', label: 'run', cell: (v) => (v.runId === null ? '—' : <a href={href(['runs', v.runId])} class="mono">{shortId(v.runId)}</a>) },
    ...metrics.map((m): Column<VersionRow> => ({ key: `m:${m}`, label: m, numeric: true, cell: (v) => num(v.metrics[m]) })),
    { key: 'fingerprint', label: 'fingerprint', cell: (v) => (v.fingerprint === null ? '—' : <span class="mono" title={v.fingerprint}>{v.fingerprint.slice(0, 12)}</span>) },
    { key: 'created', label: 'created', cell: (v) => when(v.createdAt) },
    {
      key: 'aliases',
      label: 'aliases',
      cell: (v) => (
        <span class="tags">
          {v.aliases.map((a) => (
            <span key={a} class={`badge ${a === 'production' ? 'good' : ''}`}>
              {a}
            </span>
          ))}
        </span>
      ),
    },
    { key: 'description', label: 'description', cell: (v) => v.description ?? '' },
  ];

  type AliasRow = { alias: string; version: number };
  const aliasCols: Column<AliasRow>[] = [
    { key: 'alias', label: 'alias', cell: (a) => <span class="mono">{`${data.name}@${a.alias}`}</span> },
    { key: 'version', label: 'version', numeric: true, cell: (a) => `v${a.version}` },
    { key: 'moved', label: 'last moved', cell: (a) => when(lastMove(a.alias)?.at) },
    { key: 'actor', label: 'by', cell: (a) => lastMove(a.alias)?.actor ?? '—' },
    {
      key: 'rollback',
      label: '',
      cell: (a) => {
        const previous = previousOf(data.aliasHistory, a.alias, a.version);
        if (previous === null) return <span class="muted">no earlier version</span>;
        return (
          <ConfirmAction
            label={`Roll back to v${previous}`}
            question={`Roll back ${data.name}@${a.alias} from ${a.version} to ${previous}?`}
            run={async () => {
              const move = await moveAlias(data.name, a.alias, previous, a.version);
              reload();
              return `${data.name}@${a.alias} rolled back from ${move.from ?? '—'} to ${move.to}`;
            }}
          />
        );
      },
    },
  ];

  const history = [...data.aliasHistory].reverse();
  const historyCols: Column<AliasMove>[] = [
    { key: 'at', label: 'when', cell: (h) => when(h.at) },
    { key: 'alias', label: 'alias', cell: (h) => h.alias },
    { key: 'move', label: 'from → to', cell: (h) => `${h.from === null ? 'created' : `v${h.from}`} → ${h.to === null ? 'deleted' : `v${h.to}`}` },
    { key: 'actor', label: 'actor', cell: (h) => h.actor ?? '—' },
  ];

  return (
    <>
      <Fields
        fields={[
          ['versions', num(data.versions.length)],
          ['latest', data.latestVersion === null ? '—' : `v${data.latestVersion}`],
          ['created', when(data.createdAt)],
          ['updated', when(data.updatedAt)],
          ...(data.description !== null ? ([['description', data.description]] as [string, string][]) : []),
        ]}
      />
      <h2>Aliases</h2>
      <Table label="Aliases" columns={aliasCols} rows={aliases.map(([alias, version]) => ({ alias, version }))} rowKey={(a) => a.alias} empty="No alias yet." />
      <MoveAlias data={data} reload={reload} />
      <h2>Versions</h2>
      <Table label="Versions" columns={versionCols} rows={data.versions} rowKey={(v) => String(v.version)} empty="No version." />
      <h2>Alias history</h2>
      <Table label="Alias history" columns={historyCols} rows={history} rowKey={(h) => `${h.at}:${h.alias}:${h.from}:${h.to}`} empty="No alias has moved." />
    </>
  );
}

const NEW = '\u0000new';

/** Point an alias (existing, or a new name) at a version; `expect` is what the page showed when confirmed. */
function MoveAlias({ data, reload }: { data: ModelDetail; reload(): void }) {
  const names = Object.keys(data.aliases).sort();
  const [choice, setChoice] = useState(names.includes('production') ? 'production' : (names[0] ?? NEW));
  const [newName, setNewName] = useState('');
  const [version, setVersion] = useState(String(data.versions[0]?.version ?? ''));
  const alias = choice === NEW ? newName.trim() : choice;
  const current = alias === '' ? undefined : data.aliases[alias];
  const target = Number(version);
  const ready = alias !== '' && Number.isInteger(target) && target > 0 && current !== target;
  const question = current === undefined ? `Create ${data.name}@${alias} at ${target}?` : `Move ${data.name}@${alias} from ${current} to ${target}?`;
  return (
    <form class="toolbar move-alias" aria-label="Move an alias" onSubmit={(e) => e.preventDefault()}>
      <strong>Move an alias</strong>
      <label>
        alias
        <select name="alias" value={choice} onChange={(e) => setChoice((e.target as HTMLSelectElement).value)}>
          {names.map((a) => (
            <option key={a} value={a}>
              {a} (v{data.aliases[a]})
            </option>
          ))}
          <option value={NEW}>new alias…</option>
        </select>
      </label>
      {choice === NEW && (
        <label>
          name <input name="newAlias" size={14} value={newName} placeholder="canary" onInput={(e) => setNewName((e.target as HTMLInputElement).value)} />
        </label>
      )}
      <label>
        to version
        <select name="version" value={version} onChange={(e) => setVersion((e.target as HTMLSelectElement).value)}>
          {data.versions.map((v) => (
            <option key={v.version} value={String(v.version)}>
              v{v.version}
              {v.aliases.length > 0 ? ` (${v.aliases.join(', ')})` : ''}
            </option>
          ))}
        </select>
      </label>
      <ConfirmAction
        label="Move alias"
        question={question}
        disabled={!ready}
        run={async () => {
          const move = await moveAlias(data.name, alias, target, current ?? null);
          reload();
          return `${data.name}@${alias} now at ${move.to}${move.from === null ? ' (created)' : ` (was ${move.from})`}`;
        }}
      />
      {current === target && <span class="muted">{`${data.name}@${alias} is already at ${target}`}</span>}
    </form>
  );
}
