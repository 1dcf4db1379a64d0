import { existsSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { loadData, type LoadedData } from '../data/load.js';
import type { ReadOptions } from '../data/read/options.js';
import type { MonitorReference } from '../monitor/reference.js';
import type { DataInput, Run, Store } from '../store/index.js';
import { decodePackage } from './package.js';
import { referenceFromData, type RecordedTraining } from './reference-from-data.js';
import type { EvaluationPlan } from './train.js';

/** A version's monitoring reference, or precisely why there is none. */
export type ReferenceOutcome = { reference: MonitorReference } | { reason: string };

type ReferenceStore = Pick<Store, 'registry' | 'artifacts' | 'tracking'>;

/** The run artifact a rebuilt reference is cached under: per package, as two versions of one run may hold different models. */
const cacheName = (artifact: string): string => `monitor-reference ${artifact}`;

/** How train records the evaluation with the run (a test file by its path). */
type RecordedEvaluation = { kind: 'holdout'; share: number } | { kind: 'cv'; folds: number } | { kind: 'time'; column: string; cutoff: number } | { kind: 'test'; source: string };

interface RecordedSettings extends RecordedTraining {
  source: string;
  read: ReadOptions;
  schemaPath?: string;
  evaluation: RecordedEvaluation;
}

/**
 * The monitoring reference of a version whose package keeps none (trained before packages did): read
 * from the store when rebuilt before, else rebuilt from its run's recorded training data when that is
 * still there unchanged, and cached with the run so it is computed once.
 */
export async function rebuildReference(store: ReferenceStore, model: string, version: number, options: { cachedOnly?: boolean } = {}): Promise<ReferenceOutcome> {
  const resolved = await store.registry.resolve(`${model}/${version}`);
  const pkg = decodePackage(await store.artifacts.get(resolved.artifact), `${model}/${version}`);
  if (pkg.pipeline.monitor !== undefined) return { reference: pkg.pipeline.monitor };
  const cannot = (why: string): ReferenceOutcome => ({ reason: `${model}/${version} was trained before packages kept a monitoring reference, and ${why}: train it again to monitor it` });
  if (resolved.runId === null) return cannot('it comes from no recorded run to rebuild one from');
  const run = await store.tracking.getRun(resolved.runId);
  if (run === undefined) return cannot(`its run ${resolved.runId} is no longer in the store`);
  const cached = run.artifacts.find((a) => a.name === cacheName(resolved.artifact));
  if (cached !== undefined) {
    const reference = await readCached(store, cached.sha256);
    if (reference !== undefined) return { reference };
  }
  if (options.cachedOnly === true) return cannot('no reference has been rebuilt for it yet (hyperplane monitor, or a server monitoring it, rebuilds one)');
  const settings = recordedSettings(run);
  if (settings === undefined) return cannot(`its run ${run.id} recorded no training settings`);
  const train = await recordedData(run, 'train', settings.source, settings.read, settings.schemaPath);
  if ('why' in train) return cannot(train.why);
  let plan: EvaluationPlan;
  if (settings.evaluation.kind === 'test') {
    const test = await recordedData(run, 'test', settings.evaluation.source, settings.read);
    if ('why' in test) return cannot(test.why);
    plan = { kind: 'test', table: test.data.table, source: test.data.source, infinite: test.data.infinite };
  } else plan = settings.evaluation;
  const reference = await referenceFromData(pkg, train.data, plan, settings);
  const sha = await store.artifacts.put(new TextEncoder().encode(JSON.stringify(reference)));
  await store.tracking.attachArtifact(run.id, cacheName(resolved.artifact), sha);
  return { reference };
}

async function readCached(store: ReferenceStore, sha: string): Promise<MonitorReference | undefined> {
  // A cache lost or unreadable (garbage-collected blob) is rebuilt, not an error.
  const bytes = await store.artifacts.get(sha).catch(() => undefined);
  if (bytes === undefined) return undefined;
  try {
    const parsed = JSON.parse(new TextDecoder().decode(bytes)) as MonitorReference;
    return parsed.version === 1 ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The settings `hyperplane train` recorded as the run's config, when they hold what rebuilding needs. */
function recordedSettings(run: Run): RecordedSettings | undefined {
  const c = run.config;
  if (c === null || typeof c !== 'object' || Array.isArray(c)) return undefined;
  const e = c['evaluation'];
  const ok = typeof c['source'] === 'string' && typeof c['target'] === 'string' && typeof c['learner'] === 'string' && typeof c['seed'] === 'number' && e !== null && typeof e === 'object' && !Array.isArray(e) && typeof e['kind'] === 'string';
  return ok ? (c as unknown as RecordedSettings) : undefined;
}

/** A recorded data set read again, or why it cannot be: gone, unreadable, or changed since (by its content's fingerprint). */
async function recordedData(run: Run, role: string, source: string, read: ReadOptions, schemaPath?: string): Promise<{ data: LoadedData } | { why: string }> {
  const recorded: DataInput | undefined = run.inputs.find((i) => i.role === role);
  const shown = shownPath(recorded?.source ?? source);
  if (recorded === undefined) return { why: `its run ${run.id} recorded no ${role} data` };
  if (isAbsolute(source) && !existsSync(source)) return { why: `its ${role === 'train' ? 'training' : role} data ${shown} is no longer there` };
  let data: LoadedData;
  try {
    data = await loadData(source, { ...read, ...(schemaPath !== undefined ? { schemaPath } : {}) });
  } catch (e) {
    return { why: `its ${role === 'train' ? 'training' : role} data ${shown} could not be read (${e instanceof Error ? e.message : String(e)})` };
  }
  if (data.fingerprint !== recorded.fingerprint) return { why: `its ${role === 'train' ? 'training' : role} data ${shown} has changed since (fingerprint differs)` };
  return { data };
}

/** A path under the working directory as a relative one (data/train.csv), others as recorded. */
function shownPath(source: string): string {
  if (!isAbsolute(source)) return source;
  const rel = relative(process.cwd(), source);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : source;
}
