import { basename } from 'node:path';
import { Command, Option } from 'commander';
import { HyperplaneError } from '../../errors.js';
import { LEARNERS } from '../../learn/registry.js';
import type { JsonValue, Store } from '../../store/index.js';
import { addReadOptions, readOptionsFromFlags, wholeNumber, type RawReadFlags } from '../read-options.js';

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
  track: boolean;
  json?: boolean;
}


interface TrialResult {
  index: number;
  run: string | undefined;
  params: Record<string, unknown>;
  /** Its best score (NaN: it failed), and for ASHA the budget it was reached at and the largest budget run. */
  score: number;
  budget?: number;
  reached?: number;
  note?: string;
}

/**
 * `hyperplane search DATA --target COL --learner NAME [--space …] [--strategy random|grid|asha]`: each
 * configuration scored by k-fold cross-validation on the labelled rows (the same folds for all), recorded as a
 * run under the search's own run; then the best is fitted on every row as `train --cv` does, a run under the
 * search too, which can be registered like any other.
 */
export function searchCommand(): Command {
  const command = new Command('search')
    .description("search a learner's params by cross-validation (random, grid or ASHA over a space); every trial a run under the search's run, the best fitted and recorded to register")
    .argument('<data>', 'training data: CSV/TSV/Parquet/JSON/NDJSON, a glob, or postgres://… with --query')
    .option('--target <column>', 'the column to predict')
    .addOption(new Option('--task <task>', 'the learning task (default: inferred from the target)').choices(['binary', 'multiclass', 'regression']))
    .option('--learner <name>', `the learner whose params are searched: ${[...LEARNERS.keys()].filter((l) => l !== 'isolation_forest').join(', ')}`)
    .option('--space <spec>', "the params and their ranges, e.g. 'num_leaves=7..127:log,learning_rate=0.01..0.3:log,objective=l2|huber' (default: the space the learner declares)")
    .addOption(new Option('--strategy <name>', 'random draws, every grid combination, or ASHA (random draws, the better ones given more budget)').choices(['random', 'grid', 'asha']).default('random'))
    .option('--trials <n>', 'random, asha: configurations to try', '20')
    .option('--steps <n>', 'grid: values spread over each range', '3')
    .option('--cv <k>', 'folds each configuration is scored on', '5')
    .option('--budget <param=min..max>', "asha: the param the better configurations get more of (default: the learner's, e.g. n_estimators=30..1000 for gbdt)")
    .option('--eta <n>', 'asha: each rung keeps the best 1/eta of what reaches it', '3')
    .option('--metric <name>', 'what the search optimises (default: auc, accuracy or r2 by task)')
    .option('--seed <n>', 'seed for the draws, the folds and the learners', '0')
    .option('--experiment <name>', 'record the search and its trials under this experiment', 'Default')
    .option('--no-track', 'do not record the runs in the store')
    .option('--json', 'print the leaderboard as JSON');
  addReadOptions(command);
  return command.action(async (source: string, flags: SearchFlags) => {
    const { asha, declaredBudget, declaredSpace, grid, parseBudget, parseSpace, randomPoints } = await import('../../search/index.js');
    // Every flag is checked before any data is read.
    if (flags.target === undefined) throw new HyperplaneError('name the column to predict with --target');
    if (flags.learner === undefined) throw new HyperplaneError(`name the learner to search with --learner: ${[...LEARNERS.keys()].filter((l) => l !== 'isolation_forest').join(', ')}`);
    const learner = LEARNERS.get(flags.learner);
    if (learner === undefined) throw new HyperplaneError(`--learner '${flags.learner}': unknown; learners are ${[...LEARNERS.keys()].join(', ')}`);
    const space = flags.space !== undefined ? parseSpace(flags.space, learner) : declaredSpace(learner);
    if (space.length === 0) throw new HyperplaneError(`${learner.name} declares no search space: give one with --space (e.g. num_leaves=7..127:log)`);
    const trials = wholeNumber('--trials', flags.trials, 1);
    const steps = wholeNumber('--steps', flags.steps, 1);
    const folds = wholeNumber('--cv', flags.cv, 2);
    const seed = wholeNumber('--seed', flags.seed, 0);
    const eta = wholeNumber('--eta', flags.eta, 2);
    const budget = flags.strategy !== 'asha' ? undefined : flags.budget !== undefined ? parseBudget(flags.budget, learner) : declaredBudget(learner);
    if (flags.strategy === 'asha' && budget === undefined) throw new HyperplaneError(`--strategy asha needs a budget: ${learner.name} declares none, so give --budget PARAM=MIN..MAX`);
    if (budget !== undefined && space.some((d) => d.name === budget.name)) throw new HyperplaneError(`--budget ${budget.name} is searched by --space too: ASHA sets it itself`);
    if (flags.budget !== undefined && flags.strategy !== 'asha') throw new HyperplaneError('--budget is for --strategy asha');
    const points = flags.strategy === 'grid' ? grid(space, steps) : randomPoints(space, trials, seed);

    const { loadData } = await import('../../data/load.js');
    const { absoluteSource } = await import('../training.js');
    const { crossValidation } = await import('../../pipeline/cross-validate.js');
    const { better } = await import('../../evaluate/evaluate.js');
    const { LearnError } = await import('../../learn/errors.js');
    const read = readOptionsFromFlags(flags);
    const data = await loadData(absoluteSource(source), read);
    const cv = crossValidation(data, { target: flags.target, ...(flags.task !== undefined ? { task: flags.task } : {}), ...(flags.metric !== undefined ? { metric: flags.metric } : {}), folds, seed });
    const higher = better(cv.metric, 1, 0);
    const inputs = [{ role: 'train', source: data.source, fingerprint: data.fingerprint, rows: data.table.nRows }];
    const settings = { source: absoluteSource(source), target: flags.target, learner: learner.name, strategy: flags.strategy, space: flags.space ?? null, trials, steps, folds, seed, budget: budget ?? null, eta, metric: cv.metric };

    const { RunRecorder } = await import('../run-recorder.js');
    const { openStoreLazily } = await import('../store.js');
    const recorder = flags.track
      ? await RunRecorder.start({ experiment: flags.experiment, name: `search ${learner.name}`, params: { learner: learner.name, strategy: flags.strategy, trials: points.length, cv: folds, ...(flags.space !== undefined ? { space: flags.space } : {}) }, tags: { target: flags.target, learner: learner.name, source: basename(data.source), search: flags.strategy }, seed, config: settings as unknown as JsonValue, inputs })
      : undefined;
    const store: Store | undefined = recorder !== undefined ? await openStoreLazily() : undefined;
    // Each trial records where it ran, as every run does (the dashboard's run page shows it).
    const { currentEnvironment, gitState } = await import('../../store/provenance.js');
    const { packageVersions } = await import('../version.js');
    const environment = currentEnvironment(packageVersions());
    const git = gitState(process.cwd());
    const results = new Map<number, TrialResult>();
    try {
      // One trial: its cross-validated score at a budget, logged on its run (ASHA: one point per rung, by budget).
      const evaluate = async (index: number, point: Record<string, unknown>, at: number | undefined): Promise<number> => {
        const params = { ...point, ...(budget !== undefined && at !== undefined ? { [budget.name]: at } : {}) };
        let result = results.get(index);
        if (result === undefined) {
          const run = store === undefined ? undefined : (await store.tracking.createRun({ experiment: flags.experiment, name: `trial ${index + 1}`, parent: recorder!.id, params: point as Record<string, JsonValue>, tags: { learner: learner.name, target: flags.target! }, seed, inputs, environment, ...(git !== undefined ? { git } : {}) })).id;
          result = { index, run, params, score: NaN };
          results.set(index, result);
        }
        if (at !== undefined) result.reached = at;
        let score: number;
        try {
          score = await cv.score({ learner: learner.name, params });
        } catch (e) {
          if (!(e instanceof LearnError)) throw e;
          result.score = NaN;
          result.note = `failed: ${e.message}`;
          if (result.run !== undefined) await store!.tracking.addWarnings(result.run, [result.note]);
          return Number.NEGATIVE_INFINITY;
        }
        // A trial's result is its best score over the budgets it ran at: more rounds can overfit a small table.
        if (Number.isNaN(result.score) || better(cv.metric, score, result.score)) {
          result.score = score;
          result.params = params;
          if (at !== undefined) result.budget = at;
        }
        if (result.run !== undefined) await store!.tracking.logMetrics(result.run, [{ name: cv.metric, value: score, step: at ?? 0 }]);
        process.stderr.write(`search: trial ${index + 1}/${points.length}${at !== undefined ? ` at ${budget!.name}=${at}` : ''}: ${cv.metric} ${score.toFixed(4)}  ${JSON.stringify(point)}\n`);
        return higher ? score : -score;
      };
      if (flags.strategy === 'asha') {
        const ranked = await asha(points, { trials: points.length, minBudget: budget!.low, maxBudget: budget!.high, eta }, (point, at, trial) => evaluate(trial.id, point, at));
        // The budget a trial reached is part of its result.
        for (const t of ranked) {
          const r = results.get(t.id);
          if (r?.run !== undefined) await store!.tracking.setTags(r.run, { [`best_${budget!.name}`]: String(r.budget), [`reached_${budget!.name}`]: String(r.reached), rung: String(t.rung) });
        }
      } else {
        for (const [i, point] of points.entries()) await evaluate(i, point, undefined);
      }
      for (const r of results.values()) if (r.run !== undefined) await store!.tracking.setStatus(r.run, Number.isNaN(r.score) ? 'failed' : 'finished');

      // Best first (ties: the earlier trial).
      const order = [...results.values()].sort((a, b) => (Number.isNaN(a.score) ? 1 : Number.isNaN(b.score) ? -1 : better(cv.metric, a.score, b.score) ? -1 : better(cv.metric, b.score, a.score) ? 1 : a.index - b.index));
      const best = order[0];
      if (best === undefined || Number.isNaN(best.score)) throw new HyperplaneError(`search: every trial failed: ${order[0]?.note ?? 'no trial ran'}`);

      // The best configuration fitted on every labelled row and measured as `train --cv` does: a run to register.
      const { train } = await import('./train.js');
      const { runId } = await train(
        { source: settings.source, read, target: flags.target, ...(flags.task !== undefined ? { task: flags.task } : {}), learner: learner.name, params: best.params as Record<string, JsonValue>, metric: cv.metric, evaluation: { kind: 'cv', folds }, seed, timeBudgetSeconds: 60 },
        { json: false, quiet: true, track: flags.track, experiment: flags.experiment, runName: `best of search (trial ${best.index + 1})`, tags: { search: recorder?.id ?? 'untracked', trial: String(best.index + 1) }, read: { data, evaluation: { kind: 'cv', folds }, inputs }, ...(recorder !== undefined ? { parent: recorder.id } : {}) },
      );
      await recorder?.finish({ metrics: { [`best_${cv.metric}`]: best.score }, artifacts: {}, warnings: [], tags: { best: runId ?? '' } });
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ search: recorder?.id ?? null, metric: cv.metric, folds, strategy: flags.strategy, best: { run: runId ?? null, trial: best.index + 1, params: best.params, score: best.score }, trials: order.map((r) => ({ trial: r.index + 1, run: r.run ?? null, params: r.params, score: Number.isNaN(r.score) ? null : r.score, ...(r.budget !== undefined ? { budget: r.budget, reached: r.reached } : {}), ...(r.note !== undefined ? { note: r.note } : {}) })) }, null, 2)}\n`);
        return;
      }
      const lines = [`${flags.strategy} search of ${learner.name}: ${points.length} configurations, ${folds}-fold cross-validation on ${cv.rows.toLocaleString('en-US')} rows, ${cv.metric}${recorder !== undefined ? ` (search run ${recorder.id})` : ''}`, ''];
      lines.push(`rank  ${cv.metric.padEnd(8)}  ${budget !== undefined ? `${`${budget.name} (of)`.padEnd(20)}  ` : ''}trial  params`);
      order.slice(0, 20).forEach((r, i) => {
        const score = Number.isNaN(r.score) ? r.note ?? 'failed' : r.score.toFixed(4);
        const point = Object.fromEntries(Object.entries(r.params).filter(([k]) => k !== budget?.name));
        lines.push(`${String(i + 1).padStart(4)}  ${score.padEnd(8)}  ${budget !== undefined ? `${`${r.budget ?? ''} (${r.reached ?? ''})`.padEnd(20)}  ` : ''}${String(r.index + 1).padStart(5)}  ${JSON.stringify(point)}`);
      });
      if (order.length > 20) lines.push(`  … ${order.length - 20} more (runs list --parent ${recorder?.id.slice(0, 8) ?? 'ID'})`);
      lines.push('', `best: trial ${best.index + 1}, fitted on every row${runId !== undefined ? ` as run ${runId}; register it with: hyperplane models register ${runId.slice(0, 8)} --name NAME` : ''}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    } catch (e) {
      for (const r of results.values()) if (r.run !== undefined) await store!.tracking.setStatus(r.run, 'failed').catch(() => undefined);
      await recorder?.fail(e);
      throw e;
    } finally {
      await store?.close();
    }
  });
}
