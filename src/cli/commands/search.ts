import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { Command, Option } from 'commander';
import { HyperplaneError } from '../../errors.js';
import { LEARNERS } from '../../learn/registry.js';
import type { TrialPool } from '../../pipeline/trial-pool.js';
import type { Candidate, Point, Trial } from '../../search/index.js';
import type { JsonValue, Run, Store } from '../../store/index.js';
import { addReadOptions, addSnapshotOptions, readOptionsFromFlags, wholeNumber, type RawReadFlags } from '../read-options.js';
import type { SearchSettings } from '../search-state.js';

interface SearchFlags extends RawReadFlags {
  target?: string;
  task?: 'binary' | 'multiclass' | 'regression';
  learner?: string;
  space?: string;
  strategy: 'random' | 'grid' | 'asha';
  trials: string;
  steps: string;
  cv: string;
  budget?: string;
  eta: string;
  metric?: string;
  seed: string;
  experiment: string;
  group?: string;
  timeSplit?: string;
  threads?: string;
  timeBudget?: string;
  resume?: string;
  track: boolean;
  snapshot?: boolean;
  snapshotMaxMb?: string;
  queue?: string;
  json?: boolean;
}

/** The flags that decide which trials a search runs and how they are scored: a resume takes them from the record. */
const RECORDED_FLAGS = ['target', 'task', 'learner', 'space', 'strategy', 'trials', 'steps', 'cv', 'group', 'timeSplit', 'budget', 'eta', 'metric', 'seed', 'experiment', 'format', 'delimiter', 'quote', 'header', 'columnType', 'maxLineSize', 'query'];

interface TrialResult {
  index: number;
  run: string | undefined;
  /** Whether its run is marked running now (between an evaluation's start and end). */
  open: boolean;
  params: Record<string, unknown>;
  /** Its best score (NaN: none yet, or it failed), and for ASHA the budget it was reached at and the largest budget run. */
  score: number;
  budget?: number;
  reached?: number;
  note?: string;
  /** A resumed trial's recorded scores, by budget (0 without one). */
  recorded?: ReadonlyMap<number, number>;
}

/** The learners a search can tune: those that learn a target (an anomaly learner has no labels to score folds on). */
const learnerNames = (): string => [...LEARNERS.values()].filter((l) => l.capabilities.tasks.some((t) => t !== 'anomaly' && t !== 'cluster')).map((l) => l.name).join(', ');
/**
 * `hyperplane search DATA --target COL --learner NAME [--space …] [--strategy random|grid|asha]`: each
 * configuration scored by k-fold cross-validation on the labelled rows (the same folds for all), on worker
 * threads, each recorded as a run under the search's own run as soon as it is scored; then the best is fitted
 * on every row as `train --cv` does, a run under the search too, which can be registered like any other.
 * `--resume ID` continues a stopped search from what its runs recorded, without redoing a finished evaluation.
 */
export function searchCommand(): Command {
  const command = new Command('search')
    .description("search a learner's params by cross-validation (random, grid or ASHA over a space) on worker threads; every trial a run under the search's run, the best fitted and recorded to register")
    .argument('[data]', 'training data: CSV/TSV/Parquet/JSON/NDJSON, a glob, or postgres://… with --query (not with --resume)')
    .option('--target <column>', 'the column to predict')
    .addOption(new Option('--task <task>', 'the learning task (default: inferred from the target)').choices(['binary', 'multiclass', 'regression']))
    .option('--learner <name>', `the learner whose params are searched: ${learnerNames()}`)
    .option('--space <spec>', "the params and their ranges, e.g. 'num_leaves=7..127:log,learning_rate=0.01..0.3:log,objective=l2|huber' (default: the space the learner declares)")
    .addOption(new Option('--strategy <name>', 'random draws, every grid combination, or ASHA (random draws, the better ones given more budget)').choices(['random', 'grid', 'asha']).default('random'))
    .option('--trials <n>', 'random, asha: configurations to try', '20')
    .option('--steps <n>', 'grid: values spread over each range', '3')
    .option('--cv <k>', 'folds each configuration is scored on', '5')
    .option('--group <column>', "folds keep each value of this column whole (rows of one customer never on both sides); the column is no feature")
    .option('--time-split <column=date>', 'score each configuration on the rows from the date, trained on the rows before (instead of folds)')
    .option('--budget <param=min..max>', "asha: the param the better configurations get more of (default: the learner's, e.g. n_estimators=30..1000 for gbdt)")
    .option('--eta <n>', 'asha: each rung keeps the best 1/eta of what reaches it', '3')
    .option('--metric <name>', 'what the search optimises (default: auc, accuracy or r2 by task)')
    .option('--seed <n>', 'seed for the draws, the folds and the learners', '0')
    .option('--threads <n>', 'trials scored at once, each on its own thread (default: the cores, at most the trials; with --queue: every trial)')
    .option('--queue <url>', 'score the trials as jobs on a BullMQ queue, redis://HOST:PORT, taken by `hyperplane worker` processes (default: $HYPERPLANE_QUEUE)')
    .option('--time-budget <seconds>', 'start no trial after this many seconds (those running finish)')
    .option('--resume <run>', 'continue a stopped search (its run id) as it was recorded; finished evaluations are kept')
    .option('--experiment <name>', 'record the search and its trials under this experiment', 'Default')
    .option('--no-track', 'do not record the runs in the store')
    .option('--json', 'print the leaderboard as JSON');
  addReadOptions(command);
  addSnapshotOptions(command, '--resume works');
  return command.action(async (sourceArg: string | undefined, flags: SearchFlags, cmd: Command) => {
    const { asha, declaredBudget, declaredSpace, grid, parseBudget, parseSpace, randomPoints, rungBudgets, runConcurrently } = await import('../../search/index.js');
    const { absoluteSource, timeSplitFlag } = await import('../training.js');
    // Every flag is checked before any data is read.
    let settings: SearchSettings;
    let resumed: Run | undefined;
    if (flags.resume !== undefined) {
      const given = RECORDED_FLAGS.filter((name) => cmd.getOptionValueSource(name) === 'cli');
      if (sourceArg !== undefined) given.unshift('the data argument');
      if (given.length > 0) throw new HyperplaneError(`--resume continues the search as it was recorded: drop ${given.map((g) => (g.startsWith('the ') ? g : `--${g.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)}`)).join(', ')}`);
      if (!flags.track) throw new HyperplaneError('--resume reads the search from the store: drop --no-track');
      const { withStore, runOrFail } = await import('../store.js');
      const { recordedSearch } = await import('../search-state.js');
      resumed = await withStore((store) => runOrFail(store, flags.resume!));
      settings = recordedSearch(resumed);
      if (resumed.status === 'finished') throw new HyperplaneError(`search ${resumed.id} finished; there is nothing to resume`, { field: 'resume' });
      if (resumed.status === 'running') throw new HyperplaneError(`search ${resumed.id} is still running${resumed.owner !== null ? ` (process ${resumed.owner.pid} on ${resumed.owner.hostname})` : ''}: stop it before resuming`, { field: 'resume' });
    } else {
      if (sourceArg === undefined) throw new HyperplaneError('give the training data, or --resume RUN to continue a search');
      if (flags.target === undefined) throw new HyperplaneError('name the column to predict with --target');
      if (flags.learner === undefined) throw new HyperplaneError(`name the learner to search with --learner: ${learnerNames()}`);
      settings = {
        kind: 'search',
        source: absoluteSource(sourceArg),
        read: readOptionsFromFlags(flags),
        target: flags.target,
        ...(flags.task !== undefined ? { task: flags.task } : {}),
        learner: flags.learner,
        strategy: flags.strategy,
        space: flags.space ?? null,
        trials: wholeNumber('--trials', flags.trials, 1),
        steps: wholeNumber('--steps', flags.steps, 1),
        folds: wholeNumber('--cv', flags.cv, 2),
        seed: wholeNumber('--seed', flags.seed, 0),
        budget: null,
        eta: wholeNumber('--eta', flags.eta, 2),
        metric: flags.metric ?? '',
        experiment: flags.experiment,
        ...(flags.group !== undefined ? { group: flags.group } : {}),
        ...(flags.timeSplit !== undefined ? { time: timeSplitFlag(flags.timeSplit) } : {}),
      };
      if (flags.group !== undefined && flags.timeSplit !== undefined) throw new HyperplaneError('choose one of --group and --time-split: a time split already keeps later rows out of training');
      if (flags.timeSplit !== undefined && cmd.getOptionValueSource('cv') === 'cli') throw new HyperplaneError('choose one of --cv and --time-split: a time split scores on one split, not folds');
    }
    const learner = LEARNERS.get(settings.learner);
    if (learner === undefined) throw new HyperplaneError(`--learner '${settings.learner}': unknown; learners are ${[...LEARNERS.keys()].join(', ')}`);
    const space = settings.space !== null ? parseSpace(settings.space, learner) : declaredSpace(learner);
    if (space.length === 0) throw new HyperplaneError(`${learner.name} declares no search space: give one with --space (e.g. num_leaves=7..127:log)`);
    if (resumed === undefined) {
      if (flags.budget !== undefined && flags.strategy !== 'asha') throw new HyperplaneError('--budget is for --strategy asha');
      settings.budget = flags.strategy !== 'asha' ? null : flags.budget !== undefined ? parseBudget(flags.budget, learner) : (declaredBudget(learner) ?? null);
    }
    const budget = settings.budget ?? undefined;
    if (settings.strategy === 'asha' && budget === undefined) throw new HyperplaneError(`--strategy asha needs a budget: ${learner.name} declares none, so give --budget PARAM=MIN..MAX`);
    if (budget !== undefined && space.some((d) => d.name === budget.name)) throw new HyperplaneError(`--budget ${budget.name} is searched by --space too: ASHA sets it itself`);
    const points = settings.strategy === 'grid' ? grid(space, settings.steps) : randomPoints(space, settings.trials, settings.seed);
    // Queued trials are read by the workers from the search's snapshot in the store.
    const { chosenQueue } = await import('../../queue/url.js');
    const queue = chosenQueue(flags.queue);
    if (queue !== undefined && !flags.track) throw new HyperplaneError('--queue: the workers read the data from the search\'s snapshot in the store, and --no-track records nothing there: drop --no-track');
    if (queue !== undefined && flags.snapshot === false) throw new HyperplaneError('--queue: the workers read the data from the search\'s snapshot: drop --no-snapshot');
    if (queue !== undefined && resumed !== undefined && !resumed.artifacts.some((a) => a.name === 'data')) throw new HyperplaneError(`search ${resumed.id} kept no snapshot of its data, which queue workers read: resume it without --queue`, { field: 'queue' });
    if (queue !== undefined) await (await import('../../queue/connection.js')).checkRedis(queue);
    const threads = flags.threads !== undefined ? wholeNumber('--threads', flags.threads, 1) : queue !== undefined ? points.length : Math.max(1, Math.min(availableParallelism(), points.length));
    const { snapshotPolicy } = await import('../run-data.js');
    const snapshot = queue !== undefined ? ({ mode: 'on' } as const) : snapshotPolicy({ ...(flags.snapshot !== undefined ? { snapshot: flags.snapshot } : {}), ...(flags.snapshotMaxMb !== undefined ? { snapshotMaxMb: flags.snapshotMaxMb } : {}), track: flags.track });
    const timeBudget = flags.timeBudget === undefined ? undefined : Number(flags.timeBudget);
    if (timeBudget !== undefined && !(timeBudget > 0)) throw new HyperplaneError(`--time-budget ${flags.timeBudget}: expected seconds, above 0`);

    const { crossValidation } = await import('../../pipeline/cross-validate.js');
    const { trialPool } = await import('../../pipeline/trial-pool.js');
    const { better } = await import('../../evaluate/evaluate.js');
    const { LearnError } = await import('../../learn/errors.js');
    // The data, and a snapshot of it kept with the search; a resume reads the source if it has the search's
    // fingerprint still, else the snapshot (or refuses: trials must be scored on the same rows).
    const { readInput } = await import('../training.js');
    const { readRunData } = await import('../run-data.js');
    const read = resumed !== undefined ? await readRunData(resumed, 'train', settings.source, settings.read, { mode: 'off' }) : await readInput('train', settings.source, settings.read, snapshot);
    const data = read.data;
    if ('fromSnapshot' in read && read.fromSnapshot !== undefined) process.stderr.write(`search: ${read.fromSnapshot}\n`);
    if (read.note !== undefined) process.stderr.write(`search: note: ${read.note}\n`);
    const cvOptions = { target: settings.target, ...(settings.task !== undefined ? { task: settings.task } : {}), ...(settings.metric !== '' ? { metric: settings.metric } : {}), folds: settings.folds, seed: settings.seed, ...(settings.group !== undefined ? { group: settings.group } : {}), ...(settings.time !== undefined ? { time: settings.time } : {}) };
    const cv = crossValidation(data, cvOptions);
    for (const w of cv.warnings) process.stderr.write(`search: warning: ${w}\n`);
    // The best refit is measured as its trials were: the same folds, groups or time split.
    const evaluation = settings.time !== undefined ? ({ kind: 'time', ...settings.time } as const) : ({ kind: 'cv', folds: settings.folds, ...(settings.group !== undefined ? { group: settings.group } : {}) } as const);
    settings.metric = cv.metric;
    const higher = better(cv.metric, 1, 0);
    const inputs = [{ role: 'train', source: data.source, fingerprint: data.fingerprint, rows: data.table.nRows }];

    const { RunRecorder } = await import('../run-recorder.js');
    const { openStoreLazily } = await import('../store.js');
    const recorder =
      resumed !== undefined
        ? await RunRecorder.resume(resumed.id)
        : flags.track
          ? await RunRecorder.start({ experiment: settings.experiment, name: `search ${learner.name}`, params: { learner: learner.name, strategy: settings.strategy, trials: points.length, cv: settings.folds, ...(settings.space !== null ? { space: settings.space } : {}) }, tags: { target: settings.target, learner: learner.name, source: basename(data.source), search: settings.strategy }, seed: settings.seed, config: settings as unknown as JsonValue, inputs })
          : undefined;
    const store: Store | undefined = recorder !== undefined ? await openStoreLazily() : undefined;
    const snapshots: Record<string, Uint8Array> = read.snapshot !== undefined ? { data: read.snapshot } : {};
    let snapshotKey = resumed?.artifacts.find((a) => a.name === 'data')?.sha256;
    if (resumed === undefined && store !== undefined && read.snapshot !== undefined) {
      snapshotKey = await store.artifacts.put(read.snapshot);
      await store.tracking.attachArtifact(recorder!.id, 'data', snapshotKey);
    }
    if (resumed === undefined && recorder !== undefined && read.note !== undefined) await store!.tracking.addWarnings(recorder.id, [read.note]);
    if (recorder !== undefined) process.stderr.write(`search: run ${recorder.id}${resumed !== undefined ? ' resumed' : ''}; if it stops, continue it with: hyperplane search --resume ${recorder.id.slice(0, 8)}\n`);
    // Each trial records where it ran, as every run does (the dashboard's run page shows it).
    const { currentEnvironment, gitState } = await import('../../store/provenance.js');
    const { packageVersions } = await import('../version.js');
    const environment = currentEnvironment(packageVersions());
    const git = gitState(process.cwd());
    const budgets = budget !== undefined ? rungBudgets(budget.low, budget.high, settings.eta) : [];
    const withBudget = (point: Point, at: number | undefined): Record<string, unknown> => ({ ...point, ...(budget !== undefined && at !== undefined ? { [budget.name]: at } : {}) });
    // Whether a score beats a trial's best so far (a trial's result is its best over the budgets it ran at: more rounds can overfit a small table).
    const improves = (score: number, r: TrialResult): boolean => Number.isNaN(r.score) || better(cv.metric, score, r.score);
    const results = new Map<number, TrialResult>();
    if (resumed !== undefined) {
      const { recordedTrials } = await import('../search-state.js');
      for (const t of (await recordedTrials(store!, resumed.id, cv.metric)).values()) {
        if (t.index >= points.length) continue;
        const r: TrialResult = { index: t.index, run: t.run, open: false, params: withBudget(points[t.index]!, undefined), score: NaN, recorded: t.scores, ...(t.failed !== undefined ? { note: `failed: ${t.failed}` } : {}) };
        for (const [step, score] of t.scores) {
          if (budget !== undefined) r.reached = Math.max(r.reached ?? 0, step);
          if (improves(score, r)) Object.assign(r, { score, params: withBudget(points[t.index]!, budget !== undefined ? step : undefined), ...(budget !== undefined ? { budget: step } : {}) });
        }
        results.set(t.index, r);
      }
      const kept = [...results.values()].filter((r) => !Number.isNaN(r.score) || r.note !== undefined).length;
      process.stderr.write(`search: ${kept} of ${points.length} trials had finished evaluations; they are kept\n`);
    }
    let pool: TrialPool;
    let scoreTrial: (index: number, at: number | undefined, candidate: Candidate) => Promise<number>;
    let undoSignals = (): void => undefined;
    if (queue !== undefined) {
      const { queueTrialPool } = await import('../../queue/pool.js');
      const { beforeSignals } = await import('../../queue/interrupt.js');
      const { storeTarget } = await import('../../store/index.js');
      const target = storeTarget();
      const storeUri = target.dialect === 'sqlite' ? `sqlite:${target.file}` : target.uri;
      // Redis gone since the check: the run is marked failed, as after any error of the search.
      const queued = await queueTrialPool({
        queue,
        search: recorder!.id,
        seed: settings.seed,
        cv: cvOptions,
        // A new search kept its snapshot (on for --queue), a resumed one had it (checked above).
        data: { sha256: snapshotKey!, fingerprint: data.fingerprint, store: storeUri, source: data.source },
        threads,
        onProgress: (index, p) => void (p.stage === 'scoring' && process.stderr.write(`search: trial ${index + 1}/${points.length} is scored by worker ${p.worker}\n`)),
        onStalled: (index) => void process.stderr.write(`search: trial ${index + 1}/${points.length}: its worker stopped answering; the trial goes back to the queue for another\n`),
      }).catch(async (e: unknown) => {
        await recorder?.fail(e);
        await store?.close();
        throw e;
      });
      pool = queued;
      scoreTrial = (index, at, candidate) => queued.scoreTrial(index, at ?? null, candidate);
      // Ctrl-C: the trials no worker took leave the queue before the run is marked killed.
      undoSignals = beforeSignals(['SIGINT', 'SIGTERM'], async () => {
        const removed = await queued.removeWaiting();
        process.stderr.write(`search: interrupted: ${removed} queued trials removed from ${queue.url}\n`);
      });
      process.stderr.write(`search: ${points.length} trials go to the queue at ${queue.url}; score them with: hyperplane worker --queue ${queue.url}\n`);
    } else {
      pool = trialPool(data, cvOptions, threads);
      scoreTrial = (_index, _at, candidate) => pool.score(candidate);
    }
    const started = performance.now();
    const stop = timeBudget === undefined ? undefined : (): boolean => performance.now() - started > timeBudget * 1000;
    try {
      // One trial's evaluation at a budget: scored, logged on its run (ASHA: one point per rung, by budget), and the run marked finished.
      const evaluate = async (index: number, at: number | undefined): Promise<number> => {
        const point = points[index]!;
        let result = results.get(index);
        if (result === undefined) {
          const run = store === undefined ? undefined : (await store.tracking.createRun({ experiment: settings.experiment, name: `trial ${index + 1}`, parent: recorder!.id, params: point as Record<string, JsonValue>, tags: { learner: learner.name, target: settings.target, trial: String(index + 1), search_role: 'trial' }, seed: settings.seed, inputs, environment, ...(git !== undefined ? { git } : {}) })).id;
          result = { index, run, open: true, params: withBudget(point, at), score: NaN };
          results.set(index, result);
        } else if (result.run !== undefined && !result.open) {
          await store!.tracking.reopenRun(result.run);
          result.open = true;
        }
        if (at !== undefined) result.reached = Math.max(result.reached ?? 0, at);
        let score: number;
        try {
          score = await scoreTrial(index, at, { learner: learner.name, params: withBudget(point, at) });
        } catch (e) {
          if (!(e instanceof LearnError)) throw e;
          result.note = `failed: ${e.message}`;
          if (result.run !== undefined) {
            await store!.tracking.addWarnings(result.run, [result.note]);
            await store!.tracking.setTags(result.run, { failed: e.message.slice(0, 500) });
            await store!.tracking.setStatus(result.run, 'failed');
            result.open = false;
          }
          return Number.NEGATIVE_INFINITY;
        }
        if (improves(score, result)) {
          result.score = score;
          result.params = withBudget(point, at);
          if (at !== undefined) result.budget = at;
        }
        if (result.run !== undefined) {
          await store!.tracking.logMetrics(result.run, [{ name: cv.metric, value: score, step: at ?? 0 }]);
          await store!.tracking.setStatus(result.run, 'finished');
          result.open = false;
        }
        process.stderr.write(`search: trial ${index + 1}/${points.length}${at !== undefined ? ` at ${budget!.name}=${at}` : ''}: ${cv.metric} ${score.toFixed(4)}  ${JSON.stringify(point)}\n`);
        return higher ? score : -score;
      };
      if (settings.strategy === 'asha') {
        // The trials recorded so far, by rung: a score at each budget up to the one it reached (a failure: −∞ at the first).
        const initial: Trial[] = [...results.values()].map((r) => {
          const scores: number[] = [];
          if (r.note !== undefined) scores.push(Number.NEGATIVE_INFINITY);
          else for (const b of budgets) {
            const s = r.recorded?.get(b);
            if (s === undefined) break;
            scores.push(higher ? s : -s);
          }
          return { id: r.index, point: points[r.index]!, rung: Math.max(0, scores.length - 1), scores };
        });
        const ranked = await asha(points, { trials: points.length, minBudget: budget!.low, maxBudget: budget!.high, eta: settings.eta, concurrency: pool.threads, initial, ...(stop !== undefined ? { stop } : {}) }, (_point, at, trial) => evaluate(trial.id, at));
        // The budget a trial reached is part of its result.
        for (const t of ranked) {
          const r = results.get(t.id);
          if (r?.run !== undefined && r.budget !== undefined) await store!.tracking.setTags(r.run, { [`best_${budget!.name}`]: String(r.budget), [`reached_${budget!.name}`]: String(r.reached), rung: String(t.rung) });
        }
      } else {
        const todo = points.map((_, i) => i).filter((i) => results.get(i) === undefined || (Number.isNaN(results.get(i)!.score) && results.get(i)!.note === undefined));
        await runConcurrently(pool.threads, stop, () => todo.shift(), async (i) => void (await evaluate(i, undefined)));
      }

      // Best first (ties: the earlier trial); trials never scored (a time budget) are left out.
      const ran = [...results.values()].filter((r) => !Number.isNaN(r.score) || r.note !== undefined);
      const order = ran.sort((a, b) => (Number.isNaN(a.score) ? 1 : Number.isNaN(b.score) ? -1 : better(cv.metric, a.score, b.score) ? -1 : better(cv.metric, b.score, a.score) ? 1 : a.index - b.index));
      const best = order[0];
      if (best === undefined || Number.isNaN(best.score)) throw new HyperplaneError(`search: every trial failed: ${order[0]?.note ?? 'no trial ran'}`);
      const notRun = points.length - ran.length;

      // The best configuration fitted on every labelled row and measured as `train --cv` does: a run to register.
      const { train } = await import('./train.js');
      const { runId } = await train(
        { source: settings.source, read: settings.read, target: settings.target, ...(settings.task !== undefined ? { task: settings.task } : {}), learner: learner.name, params: best.params as Record<string, JsonValue>, metric: cv.metric, evaluation, seed: settings.seed, timeBudgetSeconds: 60 },
        { json: false, quiet: true, track: recorder !== undefined, experiment: settings.experiment, runName: `best of search (trial ${best.index + 1})`, tags: { search: recorder?.id ?? 'untracked', trial: String(best.index + 1), search_role: 'best' }, read: { data, evaluation, inputs, snapshots }, ...(recorder !== undefined ? { parent: recorder.id } : {}) },
      );
      await recorder?.finish({ metrics: { [`best_${cv.metric}`]: best.score }, artifacts: {}, warnings: notRun > 0 ? [`${notRun} of ${points.length} configurations were not tried within the time budget`] : [], tags: { best: runId ?? '' } });
      const { renderSearchText, searchJson } = await import('../render/search-text.js');
      const shown = { search: recorder?.id, strategy: settings.strategy, learner: learner.name, metric: cv.metric, plan: cv.plan, rows: cv.rows, folds: settings.time !== undefined ? null : settings.folds, threads: pool.threads, ...(queue !== undefined ? { queue: queue.url } : {}), configurations: points.length, notRun, budget, best: { run: runId, trial: best.index + 1, params: best.params, score: best.score }, trials: order };
      process.stdout.write(flags.json ? `${JSON.stringify(searchJson(shown), null, 2)}\n` : renderSearchText(shown));
    } catch (e) {
      for (const r of results.values()) if (r.run !== undefined && r.open) await store!.tracking.setStatus(r.run, 'failed').catch(() => undefined);
      await recorder?.fail(e);
      throw e;
    } finally {
      undoSignals();
      await pool.close();
      await store?.close();
    }
  });
}
