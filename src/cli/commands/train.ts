import { basename, join } from 'node:path';
import { Command, Option } from 'commander';
import { HyperplaneError } from '../../errors.js';
import { loadConfig } from '../../config/config.js';
import type { RulesSpec } from '../../learn/rules/rules-params.js';
import { LEARNERS } from '../../learn/registry.js';
import type { JsonValue } from '../../store/index.js';
import { checkNoteText } from '../../store/notes.js';
import { addReadOptions, addSnapshotOptions, readOptionsFromFlags, wholeNumber } from '../read-options.js';
import { progressReporter } from '../progress.js';
import { renderTrainText } from '../render/train-text.js';
import { claimRunFolder } from '../run-folder.js';
import { RunRecorder } from '../run-recorder.js';
import { snapshotPolicy } from '../run-data.js';
import type { QueueAutoScoring } from '../../queue/candidates.js';
import type { QueueLocation } from '../../queue/url.js';
import { withStore } from '../store.js';
import { PhaseTimer } from '../../pipeline/timings.js';
import { anomalyOnly, supervisedLearners, unsupervisedTraining, type UnsupervisedFlags } from '../unsupervised-command.js';
import { absoluteSource, readTrainingData, runMetrics, SNAPSHOT_ARTIFACT, thresholdRule, timeSplitFlag, trainOn, writeTrainOutputs, type EvaluationSetting, type Trained, type TrainingData, type TrainOutputs, type TrainSettings, type SnapshotPolicy } from '../training.js';

/** The unsupervised paths' flags (target, learner, out, tracking, snapshot…) and the rest of train's. */
interface TrainFlags extends UnsupervisedFlags {
  config?: string;
  task?: 'binary' | 'multiclass' | 'regression' | 'anomaly' | 'cluster';
  metric?: string;
  test?: string;
  split?: string;
  cv?: string;
  timeSplit?: string;
  group?: string;
  classWeight?: 'balanced';
  upsample?: boolean;
  refit?: boolean;
  threshold?: string;
  seed: string;
  timeBudget: string;
  refine?: string;
  prefer?: 'best' | 'simple';
  queue?: string;
  threads?: string;
  timings?: boolean;
  [param: string]: unknown;
}

/** Every learner's hyperparameters as flags (--num-leaves 63), declared once in each learner's zod schema. */
function learnerParamOptions(): { flag: string; key: string; learners: string[]; doc: string }[] {
  const byKey = new Map<string, { flag: string; key: string; learners: string[]; doc: string }>();
  for (const learner of LEARNERS.values()) {
    // Written conditions (rules) are the config's `rules`, not flags.
    if (learner.conditions !== undefined) continue;
    const shape = (learner.params as unknown as { shape?: Record<string, { description?: string }> }).shape ?? {};
    for (const [key, schema] of Object.entries(shape)) {
      const entry = byKey.get(key) ?? { flag: key.replace(/_/g, '-'), key, learners: [], doc: schema.description ?? '' };
      entry.learners.push(learner.name);
      byKey.set(key, entry);
    }
  }
  return [...byKey.values()];
}

/** A flag's text as JSON where it parses (numbers, booleans, arrays), else the text itself. */
function paramValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const camel = (flag: string): string => flag.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

function evaluationSetting(flags: TrainFlags): EvaluationSetting {
  const chosen = ['test', 'split', 'cv', 'timeSplit'].filter((k) => flags[k] !== undefined);
  if (chosen.length > 1) throw new HyperplaneError(`choose one of --test, --split, --cv and --time-split (got ${chosen.map((c) => `--${c.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)}`).join(' and ')})`);
  const group = flags.group;
  if (group !== undefined) {
    if (group === '') throw new HyperplaneError("--group '': expected a column name");
    const other = flags.test !== undefined ? '--test' : flags.timeSplit !== undefined ? '--time-split' : undefined;
    if (other !== undefined) throw new HyperplaneError(`--group is for --split and --cv: ${other === '--test' ? 'a separate test file is held out as it is' : 'a time split already keeps later rows out of training'} (drop --group or ${other})`);
  }
  const grouped = group !== undefined ? { group } : {};
  if (flags.cv !== undefined) {
    const folds = Number(flags.cv);
    if (!Number.isInteger(folds) || folds < 2) throw new HyperplaneError(`--cv ${flags.cv}: expected a whole number of folds, 2 or more`);
    return { kind: 'cv', folds, ...grouped };
  }
  if (flags.timeSplit !== undefined) return { kind: 'time', ...timeSplitFlag(flags.timeSplit) };
  if (flags.test !== undefined) return { kind: 'test', source: absoluteSource(flags.test) };
  const share = flags.split === undefined ? 0.2 : Number(flags.split);
  if (!(share > 0 && share < 1)) throw new HyperplaneError(`--split ${flags.split}: expected the test share, between 0 and 1 (e.g. 0.2)`);
  return { kind: 'holdout', share, ...grouped };
}

/**
 * Flags with the config file's settings under them: a flag given on the command line wins, a config
 * value beats a flag's default.
 */
async function mergeConfig(sourceArg: string | undefined, cli: TrainFlags, command: Command): Promise<{ source: string; flags: TrainFlags; configParams: Record<string, unknown>; rules?: RulesSpec; recipe?: { outputs: string[]; groups: Record<string, string[]> } }> {
  if (cli.config === undefined) {
    if (sourceArg === undefined) throw new HyperplaneError('give the training data (or --config with `data` in it)');
    return { source: sourceArg, flags: cli, configParams: {} };
  }
  const config = await loadConfig(cli.config);
  const fromCli = (name: string): boolean => command.getOptionValueSource(name) === 'cli';
  const flags: TrainFlags = { ...cli };
  const set = (name: string, value: unknown): void => {
    if (value !== undefined && !fromCli(name)) flags[name] = value;
  };
  set('target', config.target);
  set('task', config.task);
  set('learner', config.learner);
  set('metric', config.metric);
  set('classWeight', config.classWeight);
  set('upsample', config.upsample);
  set('refit', config.refit);
  set('threshold', config.threshold);
  set('seed', String(config.seed));
  set('timeBudget', String(config.timeBudget));
  set('refine', config.refine === undefined ? undefined : String(config.refine));
  set('prefer', config.prefer);
  set('schema', config.schema);
  set('out', config.out);
  set('query', config.query);
  set('group', config.group);
  set('snapshot', config.snapshot);
  const evaluationFlags = ['test', 'split', 'cv', 'timeSplit'];
  if (!evaluationFlags.some(fromCli) && config.evaluation !== undefined) {
    const e = config.evaluation;
    set('test', e.test);
    set('split', e.split === undefined ? undefined : String(e.split));
    set('cv', e.cv === undefined ? undefined : String(e.cv));
    set('timeSplit', e.timeSplit === undefined ? undefined : `${e.timeSplit.column}=${e.timeSplit.date}`);
  }
  // The config's params belong to the config's learner: a different --learner starts from none.
  const configParams = fromCli('learner') && cli.learner !== config.learner ? {} : config.params;
  return { source: sourceArg ?? config.data, flags, configParams, ...(config.rules !== undefined ? { rules: config.rules } : {}), ...(config.recipe !== undefined ? { recipe: config.recipe } : {}) };
}

export function trainCommand(): Command {
  const command = new Command('train')
    .description('train a model: a named learner, or auto (a search over every family, with a leaderboard)')
    .argument('[data]', 'training data: CSV/TSV/Parquet/JSON/NDJSON, a glob, or postgres://… with --query (or `data` in --config)')
    .option('--config <file>', 'hyperplane.config.ts / .js / .json / .yaml with these settings; flags given here override it')
    .option('--target <column>', 'the column to predict (--task anomaly: a column marking known anomalies, optional)')
    .addOption(new Option('--task <task>', 'the learning task (default: inferred from the target); anomaly: score how unusual each row is, from the inputs alone; cluster: k-means on the inputs, a row answered with its cluster').choices(['binary', 'multiclass', 'regression', 'anomaly', 'cluster']))
    .option('--learner <name>', `auto, or one of: ${supervisedLearners().map((l) => (l === 'rules' ? 'rules (with rules in --config)' : l)).join(', ')}; with --task anomaly: ${anomalyOnly().join(', ')}`, 'auto')
    .option('--k <clusters>', '--task cluster: the number of clusters (default: chosen by silhouette among 2…10)')
    .option('--contamination <share>', "--task anomaly: the share of rows expected to be anomalies; the threshold flags that share of the training rows (default: the labels' best F1 with --target, else 0.01)")
    .option('--metric <name>', 'what to optimise and report first (default: auc, accuracy or r2 by task)')
    .option('--test <data>', 'evaluate on this data instead of a split')
    .option('--split <share>', 'hold out this share of rows (stratified) for test (default 0.2)')
    .option('--cv <k>', 'evaluate by k-fold cross-validation (the model is then fitted on every row)')
    .option('--time-split <column=date>', 'train on rows before the date, test on rows from it')
    .option('--group <column>', "keep each value of this column (a customer id) on one side of the holdout or of every --cv fold; the column is left out of the features")
    .addOption(new Option('--class-weight <setting>', 'weight classes inversely to their frequency').choices(['balanced']))
    .option('--upsample', 'repeat training rows of the rarer classes until every class is as frequent as the largest')
    .option('--refit', 'after a holdout or time split, fit the chosen pipeline again on every labelled row (the default up to 100,000 rows)')
    .option('--no-refit', 'package the evaluated model itself, fitted on the training rows only')
    .option('--threshold <rule>', 'binary: the decision threshold, chosen on out-of-fold scores: max-f1, recall=0.9, or cost=FP:FN (e.g. cost=1:5)')
    .option('--seed <n>', 'seed for splits and learners', '0')
    .option('--time-budget <seconds>', 'auto: seconds for the whole search', '60')
    .addOption(new Option('--prefer <what>', "auto: best, or simple: the simplest candidate (rules, additive, trees, opaque, ensemble) within the folds' noise of the best, saying what that gives up and gains").choices(['best', 'simple']))
    .option('--queue <url>', "auto: score the candidates as jobs on this queue (redis://HOST:PORT), for `hyperplane worker`s on any machine that reaches it and the store")
    .option('--threads <n>', 'auto: candidates scored at once, each on its own worker thread (default: the cores, up to 4, for up to 20,000 training rows; else 1, where each fit uses the cores itself)')
    .option('--refine <trials>', "auto: after the portfolio, race this many configurations of the leading learner's declared space by ASHA over its boosting rounds, within the time budget (default 0)")
    .option('--schema <file>', 'a schema JSON file (from profile --save-schema) whose types override inference')
    .option('--out <dir>', 'where to write model.hpkg, report.html and summary.json (default .hyperplane/runs/<run id>)')
    .option('--experiment <name>', 'record the run under this experiment in the store', 'Default')
    .option('--run-name <name>', "the run's name in the store")
    .option('--note <text>', "why this run: a note kept with it in the store (more later with `runs note`)")
    .option('--no-track', 'do not record the run in the store (.hyperplane/hyperplane.db, or $HYPERPLANE_STORE)')
    .option('--json', 'print the summary as JSON')
    .option('--timings', 'print on stderr where the time went, phase by phase (reading, the search or fit, each check, the report, recording)');
  const params = learnerParamOptions();
  // --class-weight is the command's own option, applied to every learner that takes class weights.
  const own = new Set(command.options.map((o) => o.long));
  const learnerParams = params.filter((p) => !own.has(`--${p.flag}`));
  for (const p of learnerParams) command.option(`--${p.flag} <value>`, `${p.learners.join('/')}: ${p.doc}`);
  addReadOptions(command);
  addSnapshotOptions(command, '`reproduce` works');
  return command.action(async (sourceArg: string | undefined, cliFlags: TrainFlags, self: Command) => {
    const { source, flags, configParams, rules, recipe } = await mergeConfig(sourceArg, cliFlags, self);
    const learner = flags.learner;
    if (learner !== 'auto' && !LEARNERS.has(learner)) throw new HyperplaneError(`--learner '${learner}': unknown; learners are auto, ${[...LEARNERS.keys()].map((l) => (l === 'rules' ? 'rules (with rules in --config)' : l)).join(', ')}`);
    if (learner === 'rules' && rules === undefined) throw new HyperplaneError("the rules learner needs rules: give them in the config ('rules: { conditions: [...], otherwise: … }')", { field: 'rules' });
    if (learner === 'auto' && Object.keys(configParams).length > 0) throw new HyperplaneError(`params are for a named learner; auto chooses its own (set learner in the config)`, { field: 'params' });
    const given: Record<string, unknown> = { ...configParams };
    for (const p of learnerParams) {
      const value = flags[camel(p.flag)];
      if (value === undefined) continue;
      if (learner === 'auto' || !p.learners.includes(learner)) throw new HyperplaneError(`--${p.flag} is a parameter of ${p.learners.join(', ')}, not of ${learner === 'auto' ? 'auto (name a --learner to set it)' : learner}`);
      given[p.key] = paramValue(value as string);
    }
    // A flag's bad value is refused now, naming the flag, before any data is read.
    if (learner !== 'auto' && learner !== 'rules') {
      const checked = LEARNERS.get(learner)!.params.safeParse(given);
      const issue = checked.success ? undefined : checked.error.issues[0];
      const flag = issue === undefined ? undefined : learnerParams.find((p) => p.key === issue.path[0] && flags[camel(p.flag)] !== undefined);
      if (issue !== undefined && flag !== undefined) throw new HyperplaneError(`--${flag.flag} ${String(flags[camel(flag.flag)])}: ${issue.message.replace(/^Invalid input: /, '')}`);
    }
    const seed = Number(flags.seed);
    const budget = Number(flags.timeBudget);
    if (!Number.isInteger(seed)) throw new HyperplaneError(`--seed ${flags.seed}: expected a whole number`);
    if (flags.task === 'anomaly' || flags.task === 'cluster') return unsupervisedTraining(source, flags, self, given, seed, { evaluation: () => evaluationSetting(flags), note: noteFlag });
    if (flags.k !== undefined) throw new HyperplaneError('--k is for --task cluster: the number of clusters');
    if (flags.contamination !== undefined) throw new HyperplaneError('--contamination is for --task anomaly: a classifier learns its classes from the target');
    if (learner !== 'auto' && anomalyOnly().includes(learner)) throw new HyperplaneError(`--learner ${learner} scores anomalies: add --task anomaly (--target is then an optional column marking known anomalies)`);
    if (!(budget > 0)) throw new HyperplaneError(`--time-budget ${flags.timeBudget}: expected seconds, above 0`);
    const refine = flags.refine === undefined ? undefined : wholeNumber('--refine', flags.refine, 0);
    if (flags.prefer !== undefined && learner !== 'auto') throw new HyperplaneError(`--prefer is for --learner auto (it chooses among the candidates); ${learner} is the one asked for`);
    const threads = flags.threads === undefined ? undefined : wholeNumber('--threads', flags.threads, 1);
    if (threads !== undefined && learner !== 'auto') throw new HyperplaneError(`--threads is for --learner auto (its candidates are scored at once); ${learner} is one fit`);
    if (threads !== undefined && flags.queue !== undefined) throw new HyperplaneError("--threads is for scoring auto's candidates here, and --queue sends them to the workers: drop one of them");
    if (refine !== undefined && learner !== 'auto') throw new HyperplaneError(`--refine is for --learner auto; ${learner} is fitted with the params given`);
    if (flags.target === undefined) throw new HyperplaneError('name the column to predict with --target (or target in the config)');
    if (flags.threshold !== undefined) thresholdRule(flags.threshold);
    if (flags.queue !== undefined && learner !== 'auto') throw new HyperplaneError(`--queue is for --learner auto (its candidates are the jobs); ${learner} is one fit: drop --queue`);
    if (flags.note !== undefined && flags.track === false) throw new HyperplaneError('--note is kept with the run in the store, and --no-track records no run: drop one of them');
    // Before any data is read: a note that would be refused is said at once, naming the flag.
    const note = flags.note === undefined ? undefined : noteFlag(flags.note);
    if (flags.queue !== undefined && flags.track === false) throw new HyperplaneError('--queue: the workers read the data from the store, and --no-track records nothing there: drop --no-track');
    if (flags.queue !== undefined && flags.snapshot === false) throw new HyperplaneError('--queue: the workers read the data snapshot, and --no-snapshot keeps none: drop --no-snapshot');
    const queue = flags.queue === undefined ? undefined : (await import('../../queue/url.js')).parseQueueUrl(flags.queue);
    // Before any data is read: a queue that is not there is said at once.
    if (queue !== undefined) await (await import('../../queue/connection.js')).checkRedis(queue);
    // The workers read the snapshot, whatever its size.
    const snapshot = queue !== undefined ? ({ mode: 'on' } as const) : snapshotPolicy(flags);
    const settings: TrainSettings = {
      source: absoluteSource(source),
      read: readOptionsFromFlags(flags),
      ...(flags.schema !== undefined ? { schemaPath: absoluteSource(flags.schema) } : {}),
      target: flags.target,
      ...(flags.task !== undefined ? { task: flags.task } : {}),
      learner,
      // The rules learner's params are the config's rules.
      params: (learner === 'rules' && rules !== undefined ? rules : given) as Record<string, JsonValue>,
      ...(flags.metric !== undefined ? { metric: flags.metric } : {}),
      evaluation: evaluationSetting(flags),
      ...(flags.classWeight !== undefined ? { classWeight: flags.classWeight } : {}),
      ...(flags.upsample === true ? { upsample: true } : {}),
      ...(typeof flags.refit === 'boolean' ? { refit: flags.refit } : {}),
      ...(flags.threshold !== undefined ? { threshold: flags.threshold } : {}),
      seed,
      timeBudgetSeconds: budget,
      ...(refine !== undefined && refine > 0 ? { refineTrials: refine } : {}),
      ...(flags.prefer !== undefined ? { prefer: flags.prefer } : {}),
      ...(rules !== undefined ? { rules } : {}),
      ...(recipe !== undefined ? { recipe } : {}),
    };
    await train(settings, { ...(flags.out !== undefined ? { out: flags.out } : {}), ...(flags.timings === true ? { timings: true } : {}), json: flags.json === true, track: flags.track !== false, snapshot, experiment: flags.experiment, ...(queue !== undefined ? { queue } : {}), ...(threads !== undefined ? { threads } : {}), ...(flags.runName !== undefined ? { runName: flags.runName } : {}), ...(note !== undefined ? { note } : {}) });
  });
}

function noteFlag(text: string): string {
  try {
    return checkNoteText(text);
  } catch (e) {
    throw e instanceof HyperplaneError ? new HyperplaneError(`--note: ${e.reason}`) : e;
  }
}

export interface TrainRunOptions {
  out?: string;
  json: boolean;
  /** Record the run in the store. */
  track: boolean;
  /** Whether to keep a snapshot of the data read here (not of `read`, which carries its own); off when absent. */
  snapshot?: SnapshotPolicy;
  experiment: string;
  runName?: string;
  /** A note kept with the run (train --note), written by the CLI's user. */
  note?: string;
  /** Tags added to the run, e.g. which run a reproduction repeats. */
  tags?: Record<string, string>;
  /** The data, when the caller has read it already (reproduce checks its fingerprints first). */
  read?: TrainingData;
  /** auto: score the candidates as jobs on this queue, for `hyperplane worker`s to take (the data goes to the store as a snapshot first). */
  queue?: QueueLocation;
  /** auto: candidates scored at once on this process's worker threads (not a setting of the run: the scores are the same). */
  threads?: number;
  /** Don't print the train summary (the caller prints its own). */
  quiet?: boolean;
  /** Record the run under this run (a search's best model, under the search). */
  parent?: string;
  /** Print on stderr where the time went, phase by phase. */
  timings?: boolean;
}

const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

/** Candidates in flight on the queue at once: the workers take them as they free up. */
const QUEUED_CANDIDATES = 8;

/** auto's candidates on the queue: the run's data snapshot into the store first, where the workers read it. */
async function queueScoring(queue: QueueLocation, run: string, settings: TrainSettings, read: TrainingData): Promise<QueueAutoScoring> {
  const { queueAutoScoring } = await import('../../queue/candidates.js');
  const { storeTarget } = await import('../../store/index.js');
  const snapshot = read.snapshots?.[SNAPSHOT_ARTIFACT.train];
  if (snapshot === undefined) throw new HyperplaneError('--queue: the data has no snapshot for the workers to read');
  const sha256 = await withStore((store) => store.artifacts.put(snapshot));
  const target = storeTarget();
  const evaluation = read.evaluation;
  return queueAutoScoring({
    queue,
    training: run,
    data: { sha256, fingerprint: read.data.fingerprint, store: target.dialect === 'sqlite' ? `sqlite:${target.file}` : target.uri, source: read.data.source },
    options: {
      target: settings.target,
      ...(settings.task !== undefined ? { task: settings.task } : {}),
      seed: settings.seed,
      ...(settings.classWeight !== undefined ? { classWeight: settings.classWeight } : {}),
      ...(settings.upsample === true ? { upsample: true } : {}),
      ...(settings.recipe !== undefined ? { recipe: settings.recipe } : {}),
      // Separate test data: the training rows are every labelled row, as a cross-validation's are.
      evaluation: evaluation.kind === 'test' ? { kind: 'cv', folds: 2 } : evaluation,
    },
    concurrency: QUEUED_CANDIDATES,
  });
}

/** Reads, trains, writes the outputs and records the run: `train`, and `reproduce` with a run's settings. */
export async function train(settings: TrainSettings, options: TrainRunOptions): Promise<{ trained: Trained; runId?: string }> {
  const progress = progressReporter({ prefix: 'train: ', ...(settings.learner === 'auto' ? { budgetSeconds: settings.timeBudgetSeconds } : {}) });
  // Ctrl-C / SIGTERM: say what was kept. A tracked run's recorder marks it `killed` and exits (130/143);
  // an untracked one exits here. Outputs are written only after training, so until then nothing is saved.
  let recorder: RunRecorder | undefined;
  let writingTo: string | undefined;
  let cancelRemote: ((reason: string) => void) | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    progress.stop();
    // Candidates no worker took leave the queue.
    cancelRemote?.(`stopped by ${signal}`);
    const kept = writingTo !== undefined ? `${writingTo} may hold part of the outputs` : 'nothing was saved';
    const run = recorder !== undefined ? `; run ${recorder.id} is marked killed in the store` : '';
    process.stderr.write(`interrupted: ${kept}${run}\n`);
    if (recorder === undefined) process.exit(SIGNAL_EXIT[signal] ?? 1);
  };
  const release = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // maxRSS is in kilobytes on Linux and macOS.
  const timer = options.timings === true ? new PhaseTimer(() => process.resourceUsage().maxRSS * 1024) : undefined;
  try {
    progress.update({ step: 'reading data', done: 0, total: 1 });
    let read: TrainingData;
    try {
      read = options.read ?? (await readTrainingData(settings, options.track ? (options.snapshot ?? { mode: 'off' }) : { mode: 'off' }));
    } catch (e) {
      progress.stop();
      throw e;
    }
    timer?.lap('reading data');
    recorder = options.track
      ? await RunRecorder.start({
          experiment: options.experiment,
          ...(options.runName !== undefined ? { name: options.runName } : {}),
          ...(options.note !== undefined ? { note: options.note } : {}),
          params: { learner: settings.learner, ...settings.params },
          tags: { target: settings.target, learner: settings.learner, source: basename(settings.source), ...options.tags },
          seed: settings.seed,
          config: settings as unknown as JsonValue,
          inputs: read.inputs,
          ...(options.parent !== undefined ? { parent: options.parent } : {}),
        })
      : undefined;
    let trained: Trained;
    let outputs: TrainOutputs;
    try {
      const remote = options.queue !== undefined ? await queueScoring(options.queue, recorder!.id, settings, read) : undefined;
      cancelRemote = remote === undefined ? undefined : (reason) => void remote.cancel(reason);
      try {
        timer?.lap('starting the run');
        trained = await trainOn(settings, read, (e) => progress.update(e), remote ?? options.threads, timer);
      } finally {
        progress.stop();
        await remote?.close();
      }
      const result = trained.result;
      const runs = join('.hyperplane', 'runs');
      // An untracked run has no id: its folder is claimed, so trainings started in the same second don't share one.
      const out = options.out ?? (recorder !== undefined ? join(runs, recorder.id) : claimRunFolder(runs, new Date(), settings.target));
      writingTo = out;
      outputs = await writeTrainOutputs(trained, out);
      timer?.lap('report, summary and package files');
      await recorder?.finish({
        metrics: runMetrics(result),
        artifacts: { ...outputs.bytes, ...(read.snapshots ?? {}) },
        warnings: [...result.warnings, ...(read.notes ?? [])],
        // What auto chose, beside what was asked for.
        tags: { model: result.package.info.learner, task: result.package.pipeline.target.task, refit: result.fit.refit ? 'yes' : 'no' },
      });
    } catch (e) {
      await recorder?.fail(e);
      throw e;
    }
    timer?.lap('recording the run in the store');
    if (timer !== undefined) process.stderr.write(renderTimings(timer));
    // Everything is saved: a signal from here on has nothing to explain.
    release();
    for (const note of read.notes ?? []) process.stderr.write(`note: ${note}\n`);
    if (options.quiet === true) return { trained, ...(recorder !== undefined ? { runId: recorder.id } : {}) };
    if (options.json) process.stdout.write(`${JSON.stringify({ ...outputs.summary, ...(recorder !== undefined ? { run: recorder.id } : {}) }, null, 2)}\n`);
    else {
      process.stdout.write(`${renderTrainText(trained.result, outputs.files, outputs.summary['importance'] as { column: string; importance: number }[])}\n`);
      if (recorder !== undefined) process.stdout.write(`run     ${recorder.id} (in ${recorder.location})\n`);
    }
    return { trained, ...(recorder !== undefined ? { runId: recorder.id } : {}) };
  } finally {
    progress.stop();
    release();
  }
}

/** `--timings`: each phase's seconds, share of the whole and the process's peak resident size at its end, in the order they ran. */
function renderTimings(timer: PhaseTimer): string {
  const total = timer.totalMs;
  const width = Math.max(...timer.laps.map((l) => l.phase.length), 5);
  const mb = (bytes: number | undefined): string => (bytes === undefined ? '' : `${Math.round(bytes / 1048576).toLocaleString('en-US').padStart(9)} MB`);
  const rows = timer.laps.map((l) => `  ${l.phase.padEnd(width)}  ${(l.ms / 1000).toFixed(2).padStart(8)} s  ${((100 * l.ms) / Math.max(total, 1e-9)).toFixed(1).padStart(5)}%  ${mb(l.peakBytes)}`);
  const header = `  ${''.padEnd(width)}  ${'time'.padStart(10)}  ${'share'.padStart(6)}  ${'peak RSS'.padStart(12)}`;
  return `timings:\n${header}\n${rows.join('\n')}\n  ${'total'.padEnd(width)}  ${(total / 1000).toFixed(2).padStart(8)} s  ${''.padStart(6)}  ${mb(timer.laps.at(-1)?.peakBytes)}\n`;
}
