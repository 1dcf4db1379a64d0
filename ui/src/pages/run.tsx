import { ErrorBox, Status } from '../components/status';
import { Fields, Table } from '../components/table';
import { bytes, duration, num, shortId, text, when } from '../format';
import { href } from '../router';
import { useApi } from '../use-api';
import './run.css';
import { NotesSection } from './run/notes';
import { DownloadButton, Histories, metricRows } from './run/parts';
import { statusBadge, type RunDetail } from './run/shared';
import { SummarySection } from './run/summary';


/** The packages that say the most about how a model was made (the rest are listed under "all packages"). */
const KEY_PACKAGES = ['hyperplane', '@duckdb/node-bindings', 'better-sqlite3', 'pg', 'fastify'];


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
        )}
        {run.parentId != null && (
          <>
            {' '}
            · part of run <a href={href(['runs', run.parentId])} class="mono">{shortId(run.parentId)}</a>
          </>
        )}
        {run.tags['search'] !== undefined && run.parentId == null && (
          <>
            {' '}
            · <a href={href(['runs'], { parent: run.id })}>its trials</a>
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

      <NotesSection notes={run.notes} />

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
