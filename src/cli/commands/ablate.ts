import { Command } from 'commander';
import { HyperplaneError } from '../../errors.js';
import type { Candidate } from '../../search/index.js';
import type { JsonValue, Run, Store } from '../../store/index.js';
import { wholeNumber } from '../read-options.js';
import type { TrainSettings } from '../training.js';

interface AblateFlags {
  groups?: string;
  cv: string;
  experiment?: string;
  track: boolean;
  json?: boolean;
}

/** The settings `train` recorded with the run: only a trained run has a pipeline to ablate. */
async function trainedSettings(run: Run): Promise<TrainSettings> {
  const { recordedTraining } = await import('../run-data.js');
  const settings = recordedTraining(run);
  if (settings === undefined) throw new HyperplaneError(`run ${run.id} was not recorded by \`hyperplane train\` (a search, a trial or an ablation): ablate a trained run, such as a search's best`);
  return settings;
}

/** The run's pipeline: its named learner and params, or the members an auto run's packaged model chose. */
async function pipelineCandidates(store: Store, run: Run, settings: TrainSettings): Promise<Candidate[]> {
  if (settings.learner !== 'auto') return [{ learner: settings.learner, params: settings.params }];
  const artifact = run.artifacts.find((a) => a.name === 'model');
  const bytes = artifact === undefined ? undefined : await store.artifacts.get(artifact.sha256).catch(() => undefined);
  if (bytes === undefined) throw new HyperplaneError(`run ${run.id} was trained by auto and its model is not in the store: ablation refits the members that model chose`);
  const { decodePackage } = await import('../../pipeline/package.js');
  const pkg = decodePackage(bytes, `run ${run.id}'s model`);
  return pkg.pipeline.members.map((m) => ({ learner: m.model.kind, params: m.model.params as Record<string, unknown>, weight: m.weight }));
}

const signed = (v: number): string => (Number.isNaN(v) ? '—' : `${v >= 0 ? '+' : '-'}${Math.abs(v).toFixed(4)}`);
const fixed = (v: number): string => (Number.isNaN(v) ? '—' : v.toFixed(4));

/**
 * `hyperplane ablate RUN [--groups 'a,b;c'] [--cv K]`: the run's pipeline (its learner and params; an auto run's
 * chosen members) retrained by k-fold cross-validation without each input column, or each group, and how much
 * worse the metric gets, with a band from the paired per-fold differences.
 */
export function ablateCommand(): Command {
  return new Command('ablate')
    .description("retrain a run's pipeline without each input column (or group of columns) and rank them by what the metric loses, with a noise band from the folds")
    .argument('<run>', 'a run recorded by train: its id (or a unique prefix of 6+ characters)')
    .option('--groups <spec>', "columns dropped together: groups separated by ';', columns in a group by ',', e.g. 'age,income;city' (default: each input column on its own)")
    .option('--cv <k>', 'folds the pipeline is retrained and scored on', '5')
    .option('--experiment <name>', "record the ablation under this experiment (default: the run's)")
    .option('--no-track', 'do not record the ablation as a run under RUN')
    .option('--json', 'print the ranking as JSON')
    .action(async (ref: string, flags: AblateFlags) => {
      const { parseGroups, checkGroups, BAND } = await import('../../search/index.js');
      // Every flag is checked before the store or any data is read.
      const folds = wholeNumber('--cv', flags.cv, 2);
      const given = flags.groups !== undefined ? parseGroups(flags.groups) : undefined;

      const { runOrFail, withStore } = await import('../store.js');
      const { run, experiment, candidates, settings } = await withStore(async (store) => {
        const found = await runOrFail(store, ref);
        const settings = await trainedSettings(found);
        const experiments = await store.tracking.listExperiments();
        return { run: found, settings, experiment: experiments.find((e) => e.id === found.experimentId)?.name ?? 'Default', candidates: await pipelineCandidates(store, found, settings) };
      });
      const { readTrainingData } = await import('../training.js');
      const { data } = await readTrainingData(settings);
      const notes: string[] = [];
      const recorded = run.inputs.find((i) => i.role === 'train');
      if (recorded !== undefined && recorded.fingerprint !== data.fingerprint) notes.push(`${data.source} has changed since run ${run.id.slice(0, 8)} read it (fingerprint ${data.fingerprint.slice(0, 12)}, then ${recorded.fingerprint.slice(0, 12)}): the ablation measures today's rows`);
      if (settings.upsample === true) notes.push('the run upsampled its training rows: the ablation fits on the rows as they are');
      if (settings.evaluation.kind === 'time') notes.push(`the run was measured on a time split: the ablation's folds are random, not by ${settings.evaluation.column}`);

      const { ablatePipeline, inputColumns } = await import('../../pipeline/ablate.js');
      // A run measured on group folds is ablated on them too; its group column is no input.
      const group = settings.evaluation.kind === 'cv' || settings.evaluation.kind === 'holdout' ? settings.evaluation.group : undefined;
      const inputs = inputColumns(data.schema, settings.target, settings.recipe).filter((c) => c !== group);
      const groups = given ?? inputs.map((c) => [c]);
      checkGroups(groups, inputs, settings.target);

      const { RunRecorder } = await import('../run-recorder.js');
      const recorder = flags.track
        ? await RunRecorder.start({
            experiment: flags.experiment ?? experiment,
            name: `ablation of ${run.name ?? run.id.slice(0, 8)}`,
            params: { cv: folds, groups: groups.map((g) => g.join(',')).join(';') },
            tags: { ablates: run.id, target: settings.target },
            seed: settings.seed,
            config: { ablates: run.id, folds, groups } as unknown as JsonValue,
            inputs: [{ role: 'train', source: data.source, fingerprint: data.fingerprint, rows: data.table.nRows }],
            parent: run.id,
          })
        : undefined;
      try {
        process.stderr.write(`ablate: the full pipeline on ${folds} folds\n`);
        const result = await ablatePipeline(data, {
          target: settings.target,
          ...(settings.task !== undefined ? { task: settings.task } : {}),
          ...(settings.metric !== undefined ? { metric: settings.metric } : {}),
          candidates,
          folds,
          seed: settings.seed,
          groups,
          ...(group !== undefined ? { group } : {}),
          ...(settings.classWeight !== undefined ? { classWeight: settings.classWeight } : {}),
          ...(settings.recipe !== undefined ? { recipe: settings.recipe } : {}),
          onGroup: (g, done, total, metric) => process.stderr.write(`ablate: ${done}/${total} without ${g.columns.join(', ')}: ${metric} ${fixed(g.score)} (cost ${signed(g.cost)} ± ${fixed((g.high - g.low) / 2)})\n`),
        });
        notes.push(...result.notes);
        const label = (columns: readonly string[]): string => columns.join('+');
        // full_<metric>, not <metric>: runs sorted by the metric are models, and an ablation is none.
        await recorder?.finish({ metrics: { [`full_${result.metric}`]: result.full.score, ...Object.fromEntries(result.groups.map((g) => [`cost_${label(g.columns)}`, g.cost])) }, artifacts: {}, warnings: notes });
        if (flags.json) {
          const body = {
            run: run.id,
            ablation: recorder?.id ?? null,
            target: result.target,
            pipeline: candidates.map((c) => ({ learner: c.learner, params: c.params, weight: c.weight ?? 1 })),
            metric: result.metric,
            folds,
            rows: result.rows,
            seed: result.seed,
            band: result.band,
            full: result.full,
            groups: result.groups.map((g, i) => ({ rank: i + 1, columns: g.columns, score: g.score, cost: g.cost, low: g.low, high: g.high, significant: g.significant, perFold: g.perFold })),
            notes,
          };
          // NaN (a metric undefined on a fold) as null: JSON has no NaN.
          process.stdout.write(`${JSON.stringify(body, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
          return;
        }
        const members = candidates.map((c) => `${c.learner}${(c.weight ?? 1) !== 1 ? `×${c.weight}` : ''}`).join(' + ');
        const width = Math.max(9, ...result.groups.map((g) => label(g.columns).length));
        const without = `${result.metric} without`;
        const lines = [
          `ablation of run ${run.id.slice(0, 8)} (${settings.learner === 'auto' ? `auto: ${members}` : members} on ${data.source}, target ${result.target})${recorder !== undefined ? `, recorded as run ${recorder.id}` : ''}`,
          `full pipeline: ${result.metric} ${fixed(result.full.score)}, the mean over ${folds}-fold ${group !== undefined ? `group cross-validation (by '${group}')` : `cross-validation${result.task !== 'regression' ? ' (stratified)' : ''}`} on ${result.rows.toLocaleString('en-US')} rows, seed ${result.seed}`,
          '',
          `rank  ${'column(s)'.padEnd(width)}  ${without.padEnd(Math.max(without.length, 7))}  cost ± band`,
        ];
        result.groups.forEach((g, i) => {
          const band = Number.isNaN(g.low) ? '' : ` ± ${fixed((g.high - g.low) / 2)}`;
          lines.push(`${String(i + 1).padStart(4)}  ${label(g.columns).padEnd(width)}  ${fixed(g.score).padEnd(Math.max(without.length, 7))}  ${signed(g.cost)}${band}${g.significant ? '  *' : ''}`);
        });
        lines.push('', `cost: how much worse ${result.metric} is without the column(s) (positive: they help); band: ${BAND}; * the band excludes 0`);
        for (const n of notes) lines.push(`! ${n}`);
        process.stdout.write(`${lines.join('\n')}\n`);
      } catch (e) {
        await recorder?.fail(e);
        throw e;
      }
    });
}
