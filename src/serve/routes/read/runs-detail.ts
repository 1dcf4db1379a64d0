import { isHyperplaneError } from '../../../errors.js';
import type { JsonValue, Run, Store } from '../../../store/index.js';
import { badField, missing } from './runs-errors.js';

/** A run by id or unique prefix (6+ characters), as `hyperplane runs show` finds it; `field` is the parameter it came in. */
export async function findRun(store: Store, ref: string, field = 'id'): Promise<Run> {
  let run: Run | undefined;
  try {
    run = await store.tracking.getRun(ref);
  } catch (e) {
    // An ambiguous prefix: the store says which runs it matches.
    if (isHyperplaneError(e)) throw badField(field, e.reason, 'a run id, or a prefix of 6+ characters that only one run has');
    throw e;
  }
  if (run === undefined) throw missing(field, `no run '${ref}'${ref.length < 6 ? ' (a shortened run id needs at least 6 characters)' : ''}`, 'a run id, or a unique prefix of 6+ characters');
  return run;
}

/** What an artifact is downloaded as: train's artifacts are named without an extension ('model', 'summary', 'report'). */
const KNOWN: Record<string, { file: string; type: string }> = {
  model: { file: 'model.hpkg', type: 'application/octet-stream' },
  summary: { file: 'summary.json', type: 'application/json' },
  report: { file: 'report.html', type: 'text/html; charset=utf-8' },
};
const BY_EXTENSION: Record<string, string> = {
  json: 'application/json',
  html: 'text/html; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  parquet: 'application/vnd.apache.parquet',
  png: 'image/png',
  svg: 'image/svg+xml',
};

export function downloadAs(name: string): { file: string; type: string } {
  const known = KNOWN[name];
  if (known !== undefined) return known;
  const ext = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase();
  return { file: name, type: (ext !== undefined ? BY_EXTENSION[ext] : undefined) ?? 'application/octet-stream' };
}

/** `attachment` with an ASCII fallback name and the exact one in RFC 5987 form: a name can't break out of the header. */
export function contentDisposition(file: string): string {
  const ascii = file.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file)}`;
}

const artifactUrl = (runId: string, name: string): string => `/v1/runs/${encodeURIComponent(runId)}/artifacts/${encodeURIComponent(name)}`;

/**
 * Everything recorded about a run, its artifacts' sizes (without reading them: a model package can be
 * large), and its summary.json (train's leaderboard, importance, evaluation) when it has one.
 */
export async function runDetail(store: Store, run: Run): Promise<Record<string, unknown>> {
  const experiment = (await store.tracking.listExperiments()).find((e) => e.id === run.experimentId)?.name ?? null;
  let summary: JsonValue | null = null;
  let summaryError: string | undefined;
  const artifacts = [];
  for (const a of run.artifacts) {
    const as = downloadAs(a.name);
    let size: number | null = null;
    let error: string | undefined;
    try {
      if (a.name === 'summary') {
        const bytes = await store.artifacts.get(a.sha256);
        size = bytes.byteLength;
        summary = JSON.parse(new TextDecoder().decode(bytes)) as JsonValue;
      } else {
        size = (await store.artifacts.size(a.sha256)) ?? null;
        if (size === null) error = `artifact ${a.sha256} is no longer in the store`;
      }
    } catch (e) {
      // A blob gone (gc) or unreadable is reported with the run, not a failure of the whole page.
      error = e instanceof Error ? e.message : String(e);
      if (a.name === 'summary') summaryError = error;
    }
    artifacts.push({ name: a.name, sha256: a.sha256, size, file: as.file, contentType: as.type, url: artifactUrl(run.id, a.name), ...(error !== undefined ? { error } : {}) });
  }
  return { ...run, experiment, artifacts, summary, ...(summaryError !== undefined ? { summaryError } : {}) };
}
