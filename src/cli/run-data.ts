import { existsSync } from 'node:fs';
import type { LoadedData, LoadOptions } from '../data/load.js';
import { loadSnapshot, SNAPSHOT_MAX_MB_DEFAULT, SNAPSHOT_MAX_MB_ENV } from '../data/snapshot.js';
import { HyperplaneError } from '../errors.js';
import type { DataInput, Run } from '../store/index.js';
import { withStore } from './store.js';
import { readInput, SNAPSHOT_ARTIFACT, type SnapshotPolicy, type TrainSettings } from './training.js';
import type { UnsupervisedSettings } from './train-unsupervised.js';

/**
 * The settings `train` recorded with a run, or undefined for a run it did not record (a search's own run records
 * a source, target, learner and seed too, but no params or evaluation; a trial or an ablation, neither).
 */
export function recordedTraining(run: Run): TrainSettings | undefined {
  const object = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  const c: unknown = run.config;
  const ok = object(c) && typeof c['source'] === 'string' && typeof c['target'] === 'string' && typeof c['learner'] === 'string' && typeof c['seed'] === 'number' && object(c['params']) && object(c['evaluation']);
  if (!ok) return undefined;
  const settings = c as unknown as TrainSettings;
  // Runs of `learner: rules` made before rules were a learner kept the rules apart from the (empty) params.
  if (settings.learner === 'rules' && Object.keys(settings.params).length === 0 && settings.rules !== undefined) return { ...settings, params: settings.rules as unknown as TrainSettings['params'] };
  return settings;
}

/** The settings `train --task anomaly|cluster` recorded with a run, or undefined for any other run. */
export function recordedUnsupervised(run: Run): UnsupervisedSettings | undefined {
  const c: unknown = run.config;
  if (c === null || typeof c !== 'object' || Array.isArray(c)) return undefined;
  const o = c as Record<string, unknown>;
  const ok = (o['task'] === 'anomaly' || o['task'] === 'cluster') && typeof o['source'] === 'string' && typeof o['seed'] === 'number' && (o['task'] === 'cluster' || (typeof o['learner'] === 'string' && typeof o['evaluation'] === 'object'));
  return ok ? (c as UnsupervisedSettings) : undefined;
}

/** The snapshot flags `train` and `search` take. */
export interface SnapshotFlags {
  snapshot?: boolean;
  snapshotMaxMb?: string;
  track?: boolean;
}

/** --snapshot / --no-snapshot / --snapshot-max-mb: a run kept out of the store keeps no snapshot either. */
export function snapshotPolicy(flags: SnapshotFlags): SnapshotPolicy {
  const env = process.env[SNAPSHOT_MAX_MB_ENV];
  const [text, from] = flags.snapshotMaxMb !== undefined ? [flags.snapshotMaxMb, '--snapshot-max-mb'] : env !== undefined && env !== '' ? [env, `$${SNAPSHOT_MAX_MB_ENV}`] : [undefined, ''];
  const mb = text === undefined ? SNAPSHOT_MAX_MB_DEFAULT : Number(text);
  if (!(mb >= 0) || text?.trim() === '') throw new HyperplaneError(`${from} '${text}': expected a size in MiB, 0 or more (e.g. 64)`);
  if (flags.track === false) {
    if (flags.snapshot === true) throw new HyperplaneError('--snapshot keeps the data in the store, and --no-track records nothing there: drop one of them');
    return { mode: 'off' };
  }
  if (flags.snapshot === true) return { mode: 'on' };
  if (flags.snapshot === false) return { mode: 'off' };
  return { mode: 'auto', maxBytes: mb * 2 ** 20 };
}

/** Where one data set of the reproduction came from: its source, or the run's snapshot when the source changed or is gone. */
export interface ReadData {
  data: LoadedData;
  snapshot?: Uint8Array;
  note?: string;
  /** Set when the run's snapshot was used: what happened to the source. */
  fromSnapshot?: string;
}

/**
 * Reads one of the run's data sets again: from its source when that still has the run's fingerprint, else
 * from the snapshot the run kept, checked against the same fingerprint. Without a snapshot, refuses.
 */
export async function readRunData(run: Run, role: DataInput['role'], source: string, options: LoadOptions, policy: SnapshotPolicy): Promise<ReadData> {
  const recorded = run.inputs.find((i) => i.role === role);
  let read: { data: LoadedData; snapshot?: Uint8Array; note?: string } | undefined;
  let failure: unknown;
  try {
    read = await readInput(role, source, options, policy);
  } catch (e) {
    failure = e;
  }
  if (recorded === undefined) {
    if (read === undefined) throw failure;
    return read;
  }
  if (read !== undefined && read.data.fingerprint === recorded.fingerprint) return read;
  const what =
    read === undefined
      ? `${failure instanceof Error ? failure.message : String(failure)}`
      : `the ${role} data differs: ${read.data.source} has fingerprint ${read.data.fingerprint.slice(0, 12)} (${read.data.table.nRows.toLocaleString('en-US')} rows), run ${run.id} used ${recorded.fingerprint.slice(0, 12)} (${recorded.rows.toLocaleString('en-US')} rows)`;
  const artifact = run.artifacts.find((a) => a.name === SNAPSHOT_ARTIFACT[role]);
  if (artifact === undefined) {
    throw new HyperplaneError(`${what}; run ${run.id} kept no snapshot of its ${role} data to train from instead (\`hyperplane train --snapshot\` keeps one)`, read === undefined ? {} : { file: read.data.source });
  }
  const bytes = await withStore((store) => store.artifacts.get(artifact.sha256));
  const loaded = await loadSnapshot(bytes, options);
  if (loaded.fingerprint !== recorded.fingerprint) {
    throw new HyperplaneError(`run ${run.id}'s snapshot of its ${role} data (sha256 ${artifact.sha256.slice(0, 12)}) reads as fingerprint ${loaded.fingerprint.slice(0, 12)}, not the recorded ${recorded.fingerprint.slice(0, 12)}: it cannot reproduce the run`, { field: 'run' });
  }
  const change = read === undefined ? (existsSync(source) ? 'can no longer be read' : 'is gone') : 'changed';
  // The recorded source, not the scratch file: the package records its data's source, and the digests must match.
  return { data: { ...loaded, source: recorded.source }, snapshot: bytes, fromSnapshot: `the source ${recorded.source} ${change} since the run; training from the run's snapshot (sha256 ${artifact.sha256.slice(0, 12)}, ${loaded.table.nRows.toLocaleString('en-US')} rows)` };
}

