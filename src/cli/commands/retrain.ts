import { Command, Option } from 'commander';
import { HyperplaneError } from '../../errors.js';
import type { LoadedData } from '../../data/load.js';
import { checkMetric, DEFAULT_METRIC, METRICS } from '../../evaluate/evaluate.js';
import { decodePackage, type ModelPackage } from '../../pipeline/package.js';
import { supervisedTarget } from '../../pipeline/pipeline.js';
import type { Comparison } from '../../pipeline/retrain.js';
import type { Run } from '../../store/index.js';
import { addReadOptions, readOptionsFromFlags, type RawReadFlags } from '../read-options.js';
import { recordedTraining } from '../run-data.js';
import { cliActor, withStore } from '../store.js';
import { absoluteSource, SNAPSHOT_ARTIFACT, type EvaluationSetting, type TrainingData, type TrainSettings } from '../training.js';
import { recordDecision, signed, type Decision } from '../retrain-decision.js';
import { train } from './train.js';

interface RetrainFlags extends RawReadFlags {
  data: string;
  minGain: string;
  metric?: string;
  time?: string;
  seed?: string;
  out?: string;
  json?: boolean;
  trigger?: string;
}

/** The model an alias serves, with the run and settings it was trained from. */
interface Served {
  model: string;
  alias: string;
  version: number;
  run: Run;
  settings: TrainSettings;
  pkg: ModelPackage;
  experiment: string;
}

/** NAME or NAME@ALIAS (NAME alone: production); a version is refused, since retraining moves an alias. */
function aliasOf(text: string): { model: string; alias: string } {
  if (/\/\d+$/.test(text)) throw new HyperplaneError(`'${text}': retrain moves an alias to the better model; name the alias, e.g. ${text.replace(/\/\d+$/, '')}@production`, { field: 'model' });
  const at = text.lastIndexOf('@');
  if (at === -1) return { model: text, alias: 'production' };
  if (at === 0 || at === text.length - 1) throw new HyperplaneError(`'${text}': expected NAME@ALIAS, e.g. churn@production`, { field: 'model' });
  return { model: text.slice(0, at), alias: text.slice(at + 1) };
}

async function servedModel(model: string, alias: string): Promise<Served> {
  return withStore(async (store) => {
    const resolved = await store.registry.resolve(`${model}@${alias}`);
    const ref = `${model}@${alias} (version ${resolved.version})`;
    if (resolved.runId === null) throw new HyperplaneError(`${ref} has no run: it was registered from a file, not trained by \`hyperplane train\`, so there are no recorded settings to train it again with`, { field: 'model' });
    const run = await store.tracking.getRun(resolved.runId);
    if (run === undefined) throw new HyperplaneError(`${ref} came from run ${resolved.runId}, which is no longer in the store: its settings are gone`, { field: 'model' });
    const settings = recordedTraining(run);
    if (settings === undefined) throw new HyperplaneError(`${ref} came from run ${run.id}, which recorded no training settings (only \`hyperplane train\` runs can be trained again)`, { field: 'model' });
    const pkg = decodePackage(await store.artifacts.get(resolved.artifact), `${ref}'s model`);
    const experiment = (await store.tracking.listExperiments()).find((e) => e.id === run.experimentId)?.name ?? 'Default';
    return { model, alias, version: resolved.version!, run, settings, pkg, experiment };
  });
}

/**
 * How the new model is measured in its own run, on the rows it trains on: the served run's holdout or folds;
 * a separate test file or a time cutoff belonged to the old data, so a 20% holdout stands in.
 */
function candidateEvaluation(e: EvaluationSetting): Exclude<EvaluationSetting, { kind: 'test' }> {
  return e.kind === 'holdout' || e.kind === 'cv' ? e : { kind: 'holdout', share: 0.2 };
}

/**
 * `hyperplane retrain NAME@ALIAS --data NEW`: trains the served model's recorded settings on new data,
 * compares the new model with the served one on the same recent holdout, and moves the alias only when
 * the gain's 90% paired-bootstrap interval clears `--min-gain`. Every decision is a run and an audit entry.
 */
export function retrainCommand(): Command {
  const command = new Command('retrain')
    .description('train the model an alias serves again on new data, and move the alias only if the new model is better on a recent holdout')
    .argument('<model>', 'NAME@ALIAS (NAME alone: NAME@production)')
    .requiredOption('--data <source>', 'the new data: a file, a glob, or postgres://… with --query')
    .option('--min-gain <gain>', "the least gain, in the metric's units, the lower end of the gain's 90% interval must reach to move the alias", '0.005')
    .option('--metric <name>', "what the two models are compared on (default: the run's metric)")
    .option('--time <column>', "order the rows by this column and hold out the latest 20% (default: the run's --time-split column; without one, a stratified random 20%)")
    .option('--seed <n>', "seed of the holdout, the training and the bootstrap (default: the run's)")
    .option('--out <dir>', 'where to write the new model.hpkg, report.html and summary.json (default .hyperplane/runs/<run id>)')
    .option('--json', 'print the decision as JSON')
    .addOption(new Option('--trigger <what>', 'what started this retraining, kept with the run').hideHelp());
  addReadOptions(command);
  return command.action(async (refText: string, flags: RetrainFlags) => {
    const minGain = Number(flags.minGain);
    if (flags.minGain.trim() === '' || !Number.isFinite(minGain)) throw new HyperplaneError(`--min-gain ${flags.minGain}: expected a number in the metric's units (e.g. 0.005; negative allows a worse model)`);
    const seedGiven = flags.seed === undefined ? undefined : Number(flags.seed);
    if (seedGiven !== undefined && !Number.isInteger(seedGiven)) throw new HyperplaneError(`--seed ${flags.seed}: expected a whole number`);
    const { model, alias } = aliasOf(refText);
    const served = await servedModel(model, alias);
    const { settings, pkg } = served;
    const task = supervisedTarget(pkg.pipeline.target, 'be retrained against a target column').task;
    const metric = checkMetric(flags.metric ?? settings.metric ?? DEFAULT_METRIC[task], task);
    const seed = seedGiven ?? settings.seed;
    const readOptions = readOptionsFromFlags(flags);
    const source = absoluteSource(flags.data);
    const timeColumn = flags.time ?? (settings.evaluation.kind === 'time' ? settings.evaluation.column : undefined);

    const { loadData } = await import('../../data/load.js');
    const loaded = await loadData(source, { ...readOptions, ...(settings.schemaPath !== undefined ? { schemaPath: settings.schemaPath } : {}), keepRaw: true });
    const { encodeTarget } = await import('../../pipeline/target.js');
    const { recentHoldout, compareOnHoldout, promotes } = await import('../../pipeline/retrain.js');
    const classes = task === 'regression' ? undefined : encodeTarget(loaded.table, loaded.schema, settings.target, loaded.source, settings.task).y;
    const split = recentHoldout(loaded.table, { ...(timeColumn !== undefined ? { timeColumn } : {}), seed, ...(classes !== undefined ? { classes } : {}), source: loaded.source });

    const read = await trainingPart(loaded, split.train, candidateEvaluation(settings.evaluation));
    const candidateSettings: TrainSettings = { ...settings, source, read: readOptions, evaluation: candidateEvaluation(settings.evaluation), seed };
    const trigger = flags.trigger ?? 'cli';
    const { trained, runId } = await train(candidateSettings, {
      ...(flags.out !== undefined ? { out: flags.out } : {}),
      json: false,
      quiet: true,
      track: true,
      experiment: served.experiment,
      read,
      tags: { retrains: `${model}@${alias}`, served: `${model}/${served.version}`, trigger },
    });
    const { Pipeline } = await import('../../pipeline/pipeline.js');
    const comparison: Comparison = compareOnHoldout(new Pipeline(pkg.pipeline), new Pipeline(trained.result.package.pipeline), loaded.raw!, split.test, loaded.source, metric, { seed });
    // Rows the served model learned from flatter it: say so when the new data is its training data.
    const servedData = served.run.inputs.find((i) => i.role === 'train');
    const warnings = servedData !== undefined && servedData.fingerprint === loaded.fingerprint ? [`the new data is the data ${model}/${served.version} was trained on (same fingerprint): its score on the holdout is optimistic, so the gate favours it`] : [];
    const decision: Decision = {
      model,
      alias,
      served: served.version,
      run: runId!,
      source: loaded.source,
      trainRows: split.train.length,
      holdout: split.how,
      comparison,
      minGain,
      promote: promotes(comparison, minGain),
      trigger,
      warnings,
    };
    const outcome = await recordDecision(decision, await cliActor());
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ ...decision, comparison: { ...comparison }, ...outcome }, null, 2)}\n`);
      return;
    }
    const c = comparison;
    const lines = [
      `retrain ${model}@${alias} (version ${served.version}, run ${served.run.id.slice(0, 8)}): ${settings.learner} on ${split.train.length.toLocaleString('en-US')} rows of ${loaded.source}`,
      `  compared on ${c.rows.toLocaleString('en-US')} held-out rows: ${split.how}`,
      `  ${metric}: served ${c.current.toFixed(4)}, new ${c.candidate.toFixed(4)}, gain ${signed(c.gain)} (${METRICS[metric].higherIsBetter ? 'higher' : 'lower'} is better), ${Math.round(c.level * 100)}% interval [${signed(c.low)}, ${signed(c.high)}]`,
      outcome.moved
        ? `promoted: ${model}@${alias} → version ${outcome.version} (run ${runId}); the interval's lower end ${signed(c.low)} ≥ --min-gain ${minGain}`
        : `kept: ${model}@${alias} stays at version ${served.version}; ${outcome.reason}. Run ${runId} keeps the new model (hyperplane models register ${runId!.slice(0, 8)} --name ${model} to register it anyway)`,
    ];
    process.stdout.write(`${[...lines, ...warnings.map((w) => `! ${w}`)].join('\n')}\n`);
  });
}

/** The rows the new model trains on, as train reads data: fingerprinted, with a snapshot so the run can be reproduced. */
async function trainingPart(loaded: LoadedData, rows: Int32Array, evaluation: Exclude<EvaluationSetting, { kind: 'test' }>): Promise<TrainingData> {
  const { selectRows } = await import('../../data/table.js');
  const { fingerprintTable } = await import('../../data/fingerprint.js');
  const { snapshotBytes, tableBytes, SNAPSHOT_MAX_MB_DEFAULT } = await import('../../data/snapshot.js');
  const table = selectRows(loaded.table, rows);
  const { raw: _raw, ...rest } = loaded;
  const data: LoadedData = { ...rest, table, fingerprint: fingerprintTable(table) };
  const rawPart = selectRows(loaded.raw!, rows);
  const small = tableBytes(rawPart) <= SNAPSHOT_MAX_MB_DEFAULT * 2 ** 20;
  return {
    data,
    evaluation,
    inputs: [{ role: 'train', source: loaded.source, fingerprint: data.fingerprint, rows: table.nRows }],
    snapshots: small ? { [SNAPSHOT_ARTIFACT.train]: await snapshotBytes(rawPart) } : {},
    notes: small ? [] : [`no snapshot of the training rows: they are above the ${SNAPSHOT_MAX_MB_DEFAULT} MiB limit for a default snapshot; reproduce needs the source unchanged`],
  };
}
