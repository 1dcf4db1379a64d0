import type { JsonValue, Run, RunNote, RunSummary } from '../../store/index.js';
import { textTable } from './format.js';

/** The metrics a listing shows first when present, by task: the main one of each. */
const MAIN_METRICS = ['auc', 'accuracy', 'r2', 'rmse', 'f1', 'log_loss'];

const when = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 16);

export function duration(ms: number | null): string {
  if (ms === null) return '–';
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${(s / 3600).toFixed(1)} h`;
}

const metric = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? '–' : Number(v.toPrecision(4)).toString());

/** How much of a note a listing shows: enough to recognise it, short enough to keep the table on a screen. */
const NOTE_WIDTH = 60;

/** A note on one line, cut to `width` characters with an ellipsis. */
function noteLine(text: string, width = NOTE_WIDTH): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= width ? line : `${line.slice(0, width - 1).trimEnd()}…`;
}

/**
 * One line per run: id, experiment, name, status, start, duration, model, target, then metric columns;
 * with `notes`, each run's latest note last (blank for a run without one).
 */
export function renderRunList(runs: readonly RunSummary[], experiments: ReadonlyMap<string, string>, lead?: string, notes?: ReadonlyMap<string, RunNote>): string {
  if (runs.length === 0) return 'no runs match';
  const present = new Set(runs.flatMap((r) => Object.keys(r.metrics)));
  const shown = [...new Set([...(lead !== undefined ? [lead] : []), ...MAIN_METRICS.filter((m) => present.has(m))])].slice(0, 4);
  const header = ['run', 'experiment', 'name', 'status', 'started (UTC)', 'took', 'model', 'target', ...shown, ...(notes !== undefined ? ['latest note'] : [])];
  const rows = runs.map((r) => [
    r.id.slice(0, 8),
    experiments.get(r.experimentId) ?? '?',
    r.name,
    r.status,
    when(r.startTime),
    duration(r.endTime === null ? null : r.endTime - r.startTime),
    r.tags['model'] ?? r.tags['learner'] ?? '',
    r.tags['target'] ?? '',
    ...shown.map((m) => metric(r.metrics[m])),
    ...(notes !== undefined ? [noteLine(notes.get(r.id)?.text ?? '')] : []),
  ]);
  const right = new Set([5, ...shown.map((_, j) => 8 + j)]);
  return textTable(header, rows, right);
}

const json = (v: JsonValue | undefined): string => (v === undefined ? '–' : typeof v === 'string' ? v : JSON.stringify(v));

/** A blob's size for people: 812 B, 14.2 KiB, 3.1 MiB. */
export function byteSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = bytes / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

/** Everything about one run, in sections; artifacts with their sizes where known (undefined: not in the store). */
export function renderRun(run: Run, experiment: string, sizes?: ReadonlyMap<string, number | undefined>): string {
  const lines: string[] = [];
  lines.push(`run ${run.id}  (${experiment}${run.name !== '' ? ` / ${run.name}` : ''})`);
  lines.push(`status   ${statusText(run)}`);
  if (run.seed !== null) lines.push(`seed     ${run.seed}`);
  if (run.git !== null) lines.push(`code     commit ${run.git.commit.slice(0, 12)}${run.git.dirty ? ' with uncommitted changes' : ''}`);
  if (run.environment !== null) lines.push(`env      Node ${run.environment.node}, Hyperplane ${run.environment.packages['hyperplane'] ?? '?'}, ${run.environment.os}, ${run.environment.cpu}`);
  const section = (title: string, entries: [string, string][]): void => {
    if (entries.length === 0) return;
    lines.push('', `${title}:`);
    const width = Math.max(...entries.map(([k]) => k.length));
    for (const [k, v] of entries) lines.push(`  ${k.padEnd(width)}  ${v}`);
  };
  section('params', Object.entries(run.params).map(([k, v]) => [k, json(v)]));
  section('metrics', Object.entries(run.metrics).map(([k, v]) => [k, String(v)]));
  section('tags', Object.entries(run.tags));
  section('data', run.inputs.map((i) => [i.role, `${i.source}  (${i.rows.toLocaleString('en-US')} rows, fingerprint ${i.fingerprint.slice(0, 16)})`]));
  const size = (sha: string): string => {
    if (sizes === undefined) return '';
    const n = sizes.get(sha);
    return n === undefined ? '  (not in the store)' : `  (${byteSize(n)})`;
  };
  section('artifacts', run.artifacts.map((a) => [a.name, `sha256 ${a.sha256}${size(a.sha256)}`]));
  section('warnings', run.warnings.map((w, i) => [String(i + 1), w.message]));
  if (run.notes.length > 0) lines.push('', 'notes:', ...run.notes.map(renderNote));
  // The settings `reproduce` trains from: shown so a run can be read without --json.
  const config = run.config;
  if (config !== null) section('config', typeof config === 'object' && !Array.isArray(config) ? Object.entries(config).map(([k, v]) => [k, json(v)]) : [['', json(config)]]);
  return lines.join('\n');
}

/** A note under its time and author; its own lines kept, indented under the heading. */
function renderNote(note: RunNote): string {
  return [`  ${when(note.time)} UTC  ${note.author}`, ...note.text.split('\n').map((l) => `    ${l}`)].join('\n');
}

/** When it ran; a running run also says which process owns it, to tell a live run from one to repair. */
function statusText(run: Run): string {
  if (run.endTime !== null) return `${run.status}, started ${when(run.startTime)} UTC, ended ${when(run.endTime)} UTC, took ${duration(run.endTime - run.startTime)}`;
  const owner = run.owner === null ? '' : `, process ${run.owner.pid} on ${run.owner.hostname}`;
  const heartbeat = run.heartbeatAt === null ? '' : `, last heartbeat ${when(run.heartbeatAt)} UTC`;
  return `${run.status} since ${when(run.startTime)} UTC${owner}${heartbeat}`;
}

export interface RunDiff {
  a: string;
  b: string;
  params: { key: string; a: JsonValue | null; b: JsonValue | null }[];
  metrics: { name: string; a: number | null; b: number | null; delta: number | null }[];
  data: { role: string; a: string | null; b: string | null }[];
  tags: { key: string; a: string | null; b: string | null }[];
  /** Null when both runs used the same seed. */
  seed: { a: number | null; b: number | null } | null;
  code: { a: string | null; b: string | null } | null;
  environment: { key: string; a: string | null; b: string | null }[];
}

function differing<T>(a: Record<string, T>, b: Record<string, T>, equal: (x: T, y: T) => boolean = (x, y) => x === y): { key: string; a: T | null; b: T | null }[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.filter((k) => !(k in a && k in b && equal(a[k]!, b[k]!))).map((k) => ({ key: k, a: a[k] ?? null, b: b[k] ?? null }));
}

/** What differs between two runs (only what differs), as text and as data. */
export function renderRunDiff(a: Run, b: Run): { text: string; diff: RunDiff } {
  const sameJson = (x: JsonValue, y: JsonValue): boolean => JSON.stringify(x) === JSON.stringify(y);
  const byRole = (r: Run): Record<string, string> => Object.fromEntries(r.inputs.map((i) => [i.role, `${i.source} (${i.fingerprint.slice(0, 12)})`]));
  const env = (r: Run): Record<string, string> => (r.environment === null ? {} : { node: r.environment.node, os: r.environment.os, cpu: r.environment.cpu, ...Object.fromEntries(Object.entries(r.environment.packages).map(([k, v]) => [`package ${k}`, v])) });
  const commit = (r: Run): string | null => (r.git === null ? null : `${r.git.commit.slice(0, 12)}${r.git.dirty ? ' (dirty)' : ''}`);
  const diff: RunDiff = {
    a: a.id,
    b: b.id,
    params: differing(a.params, b.params, sameJson),
    metrics: differing(a.metrics, b.metrics, (x, y) => x === y || (Number.isNaN(x) && Number.isNaN(y))).map((m) => ({ name: m.key, a: m.a, b: m.b, delta: m.a !== null && m.b !== null ? m.b - m.a : null })),
    data: differing(byRole(a), byRole(b)).map((d) => ({ role: d.key, a: d.a, b: d.b })),
    tags: differing(a.tags, b.tags),
    seed: a.seed === b.seed ? null : { a: a.seed, b: b.seed },
    code: commit(a) === commit(b) ? null : { a: commit(a), b: commit(b) },
    environment: differing(env(a), env(b)),
  };
  const lines = [`a = ${a.id}`, `b = ${b.id}`];
  const same = diff.params.length + diff.metrics.length + diff.data.length + diff.tags.length + diff.environment.length === 0 && diff.seed === null && diff.code === null;
  if (same) return { text: [...lines, '', 'nothing differs: params, metrics, data, tags, seed, code and environment are the same'].join('\n'), diff };
  const table = (title: string, rows: string[][], header: string[]): void => {
    lines.push('', rows.length === 0 ? `${title}: the same` : `${title}:`);
    if (rows.length > 0) lines.push(textTable(header, rows).replace(/^/gm, '  '));
  };
  const cell = (v: JsonValue | null): string => (v === null ? '(none)' : typeof v === 'number' ? String(Number(v.toPrecision(6))) : json(v));
  table('params', diff.params.map((p) => [p.key, cell(p.a), cell(p.b)]), ['param', 'a', 'b']);
  table('metrics', diff.metrics.map((m) => [m.name, cell(m.a), cell(m.b), m.delta === null ? '' : `${m.delta >= 0 ? '+' : ''}${Number(m.delta.toPrecision(4))}`]), ['metric', 'a', 'b', 'b − a']);
  table('data', diff.data.map((d) => [d.role, cell(d.a), cell(d.b)]), ['role', 'a', 'b']);
  table('tags', diff.tags.map((t) => [t.key, cell(t.a), cell(t.b)]), ['tag', 'a', 'b']);
  lines.push('', diff.seed === null ? 'seed: the same' : `seed: a ${diff.seed.a ?? '(none)'}, b ${diff.seed.b ?? '(none)'}`);
  lines.push('', diff.code === null ? 'code: the same' : `code: a at ${diff.code.a ?? '(not in git)'}, b at ${diff.code.b ?? '(not in git)'}`);
  table('environment', diff.environment.map((e) => [e.key, cell(e.a), cell(e.b)]), ['', 'a', 'b']);
  return { text: lines.join('\n'), diff };
}
