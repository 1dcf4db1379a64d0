import { Command } from 'commander';
import { HyperplaneError } from '../../errors.js';
import { decodePackage, encodePackage, type ModelPackage } from '../../pipeline/package.js';
import { sha256Hex, type DataInput, type Run, type Store } from '../../store/index.js';
import { gitState } from '../../store/provenance.js';
import { runOrFail, withStore } from '../store.js';
import { SNAPSHOT_MAX_MB_DEFAULT } from '../../data/snapshot.js';
import type { LoadedData } from '../../data/load.js';
import { runMetrics, SNAPSHOT_ARTIFACT, type SnapshotPolicy, type TrainingData, type TrainSettings } from '../training.js';
import { readRunData, recordedTraining, recordedUnsupervised, type ReadData } from '../run-data.js';
import { HYPERPLANE_VERSION } from '../version.js';
import { train } from './train.js';

interface ReproduceFlags {
  out?: string;
  json?: boolean;
  track?: boolean;
}

/** The settings `train` recorded with the run; a search's run points to its best run. */
function recordedSettings(run: Run): TrainSettings {
  const settings = recordedTraining(run);
  if (settings !== undefined) return settings;
  if (run.tags['search'] !== undefined && run.tags['best'] !== undefined) throw new HyperplaneError(`run ${run.id} is a search, not a training: reproduce its best run, ${run.tags['best'].slice(0, 8)}`, { field: 'run' });
  throw new HyperplaneError(`run ${run.id} has no recorded training settings: only runs recorded by \`hyperplane train\` can be reproduced`, { field: 'run' });
}

/** Refuses when the code differs from the run's: another Hyperplane version, or another commit of the project. */
function checkCode(run: Run): string[] {
  const notes: string[] = [];
  const then = run.environment?.packages['hyperplane'];
  if (then !== undefined && then !== HYPERPLANE_VERSION) throw new HyperplaneError(`the code differs: run ${run.id} was trained with Hyperplane ${then}, this is ${HYPERPLANE_VERSION}`, { field: 'run' });
  if (run.git !== null) {
    const now = gitState(process.cwd());
    if (now === undefined) throw new HyperplaneError(`the code differs: run ${run.id} was trained at commit ${run.git.commit.slice(0, 12)}, and this directory is not a git checkout`, { field: 'run' });
    if (now.commit !== run.git.commit) throw new HyperplaneError(`the code differs: run ${run.id} was trained at commit ${run.git.commit.slice(0, 12)}, this checkout is at ${now.commit.slice(0, 12)} (git checkout ${run.git.commit.slice(0, 12)} to reproduce it)`, { field: 'run' });
    if (run.git.dirty) notes.push(`the run's checkout had uncommitted changes, which were not recorded: they may differ from this one's`);
    if (now.dirty) notes.push('this checkout has uncommitted changes');
  }
  return notes;
}

/**
 * The packaged model without its making-of (creation time, search and fit timings): two trainings that learned
 * the same thing from the same rows, refit included, have the same digest.
 */
function modelDigest(pkg: ModelPackage): string {
  const { createdAt: _time, leaderboard: _timings, ...info } = pkg.info;
  const members = pkg.pipeline.members.map((m) => ('model' in m ? { ...m, model: { ...m.model, training: { ...m.model.training, durationMs: 0 } } } : m));
  return sha256Hex(encodePackage({ pipeline: { ...pkg.pipeline, members }, info: { ...info, createdAt: '' } }));
}

/** The recorded model's digest, or undefined when the run kept no model (or the store lost it). */
async function recordedModelDigest(store: Store, run: Run): Promise<string | undefined> {
  const artifact = run.artifacts.find((a) => a.name === 'model');
  if (artifact === undefined) return undefined;
  const bytes = await store.artifacts.get(artifact.sha256).catch(() => undefined);
  return bytes === undefined ? undefined : modelDigest(decodePackage(bytes, `run ${run.id}'s model`));
}

/** The run's data, each set from its source or from the run's snapshot, as `readTrainingData` gives it. */
async function readReproductionData(run: Run, settings: Pick<TrainSettings, 'source' | 'read' | 'schemaPath' | 'evaluation'>, policy: SnapshotPolicy): Promise<{ read: TrainingData; fromSnapshot: string[] }> {
  const snapshots: Record<string, Uint8Array> = {};
  const notes: string[] = [];
  const fromSnapshot: string[] = [];
  const keep = (role: DataInput['role'], r: ReadData): LoadedData => {
    if (r.snapshot !== undefined) snapshots[SNAPSHOT_ARTIFACT[role]] = r.snapshot;
    if (r.note !== undefined) notes.push(r.note);
    if (r.fromSnapshot !== undefined) fromSnapshot.push(r.fromSnapshot);
    return r.data;
  };
  const data = keep('train', await readRunData(run, 'train', settings.source, { ...settings.read, ...(settings.schemaPath !== undefined ? { schemaPath: settings.schemaPath } : {}) }, policy));
  const inputs: DataInput[] = [{ role: 'train', source: data.source, fingerprint: data.fingerprint, rows: data.table.nRows }];
  const e = settings.evaluation;
  if (e.kind !== 'test') return { read: { data, evaluation: e, inputs, snapshots, notes }, fromSnapshot };
  const test = keep('test', await readRunData(run, 'test', e.source, settings.read, policy));
  inputs.push({ role: 'test', source: test.source, fingerprint: test.fingerprint, rows: test.table.nRows });
  return { read: { data, evaluation: { kind: 'test', table: test.table, source: test.source, infinite: test.infinite }, inputs, snapshots, notes }, fromSnapshot };
}

const same = (a: number | undefined, b: number | undefined): boolean => a === b || (Number.isNaN(a) && Number.isNaN(b));

/**
 * `hyperplane reproduce RUN`: trains again from a run's recorded settings, data and seed, after
 * checking that the data's fingerprints and the code are the run's, and shows whether every metric
 * matches exactly. Exit code 1 when one does not.
 */
export function reproduceCommand(): Command {
  return new Command('reproduce')
    .description("train a recorded run again from its settings, data and seed, and check its metrics match exactly")
    .argument('<run>', 'a run id (or a unique prefix of 6+ characters)')
    .option('--out <dir>', 'where to write the new model.hpkg, report.html and summary.json (default .hyperplane/runs/<new run id>)')
    .option('--no-track', 'do not record the reproduction as a run')
    .option('--json', 'print the comparison as JSON')
    .action(async (ref: string, flags: ReproduceFlags) => {
      const { run, experiment, recordedModel } = await withStore(async (store) => {
        const found = await runOrFail(store, ref);
        const experiments = await store.tracking.listExperiments();
        return { run: found, experiment: experiments.find((e) => e.id === found.experimentId)?.name ?? 'Default', recordedModel: await recordedModelDigest(store, found) };
      });
      const unsupervised = recordedUnsupervised(run);
      const settings = unsupervised === undefined ? recordedSettings(run) : undefined;
      const notes = checkCode(run);
      // A tracked reproduction keeps a snapshot as train does by default: the one it trained from, or of the source.
      const policy: SnapshotPolicy = flags.track !== false ? { mode: 'auto', maxBytes: SNAPSHOT_MAX_MB_DEFAULT * 2 ** 20 } : { mode: 'off' };
      // A clustering reads no test data: its evaluation is its own rows.
      const reading = settings ?? { ...unsupervised!, evaluation: unsupervised!.task === 'anomaly' ? unsupervised!.evaluation : { kind: 'holdout' as const, share: 0.2 } };
      const { read, fromSnapshot } = await readReproductionData(run, reading, policy);
      if (!flags.json) for (const line of fromSnapshot) process.stdout.write(`${line}\n`);
      const common = { ...(flags.out !== undefined ? { out: flags.out } : {}), json: false, quiet: true, track: flags.track !== false, experiment, tags: { reproduces: run.id }, read };
      let now: Record<string, number>;
      let pkg: ModelPackage;
      let runId: string | undefined;
      if (settings !== undefined) {
        const { trained, runId: id } = await train(settings, common);
        [now, pkg, runId] = [runMetrics(trained.result), trained.result.package, id];
      } else {
        const { trainUnsupervised } = await import('../train-unsupervised.js');
        const done = await trainUnsupervised(unsupervised!, common);
        [now, pkg, runId] = [done.metrics, done.package, done.runId];
      }
      const learner = settings?.learner ?? (unsupervised!.task === 'anomaly' ? unsupervised!.learner : 'kmeans');
      const names = [...new Set([...Object.keys(run.metrics), ...Object.keys(now)])].sort();
      const rows = names.map((name) => ({ name, recorded: run.metrics[name], now: now[name], match: same(run.metrics[name], now[name]) }));
      // The metrics measure the evaluated model; the digest checks the packaged one, refit included.
      // Through the bytes, as the recorded one was: a decoded package and one in memory differ in array types.
      const nowModel = modelDigest(decodePackage(encodePackage(pkg), 'the new model'));
      const model = recordedModel === undefined ? undefined : { recorded: recordedModel, now: nowModel, match: recordedModel === nowModel };
      const identical = rows.every((r) => r.match) && model?.match !== false;
      if (learner === 'auto' && settings !== undefined && !identical) notes.push("auto's search stops at its time budget, so on a busier machine it may try fewer candidates: name the learner in the run to reproduce it exactly");
      if (flags.json) process.stdout.write(`${JSON.stringify({ run: run.id, reproduction: runId ?? null, identical, ...(fromSnapshot.length > 0 ? { fromSnapshot } : {}), metrics: rows, model: model ?? null, notes }, null, 2)}\n`);
      else {
        process.stdout.write(`reproducing run ${run.id} (${unsupervised !== undefined ? `${unsupervised.task} ` : ''}${learner} on ${reading.source}, seed ${(settings ?? unsupervised!).seed}): data fingerprints match${run.git !== null ? `, commit ${run.git.commit.slice(0, 12)}` : ''}\n`);
        const fmt = (v: number | undefined): string => (v === undefined ? '—' : String(v));
        for (const r of rows) process.stdout.write(`  ${r.match ? 'same' : 'DIFF'}  ${r.name.padEnd(18)} ${fmt(r.recorded).padEnd(22)} ${r.match ? '' : `now ${fmt(r.now)}`}\n`);
        if (model !== undefined) process.stdout.write(`  ${model.match ? 'same' : 'DIFF'}  ${'model'.padEnd(18)} ${model.recorded.slice(0, 12).padEnd(22)} ${model.match ? '' : `now ${model.now.slice(0, 12)}`}\n`);
        else process.stdout.write(`  (the run's model is not in the store: only its metrics are compared)\n`);
        for (const n of notes) process.stdout.write(`! ${n}\n`);
        process.stdout.write(identical ? `every metric${model !== undefined ? ' and the model' : ''} ${model !== undefined ? 'are' : 'is'} identical${runId !== undefined ? ` (new run ${runId})` : ''}\n` : `metrics differ${runId !== undefined ? ` (new run ${runId})` : ''}\n`);
      }
      if (!identical) process.exitCode = 1;
    });
}
