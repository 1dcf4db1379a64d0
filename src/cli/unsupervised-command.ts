import type { Command } from 'commander';
import { HyperplaneError } from '../errors.js';
import { LEARNERS } from '../learn/registry.js';
import type { JsonValue } from '../store/index.js';
import { readOptionsFromFlags, type RawReadFlags } from './read-options.js';
import { snapshotPolicy } from './run-data.js';
import { absoluteSource, type EvaluationSetting } from './training.js';

// `train --task anomaly|cluster`: the flags of models of the inputs alone, checked and handed to train-unsupervised.ts.

/** What of `train`'s flags the unsupervised paths read. */
export interface UnsupervisedFlags extends RawReadFlags {
  task?: string;
  target?: string;
  learner: string;
  contamination?: string;
  k?: string;
  schema?: string;
  out?: string;
  json?: boolean;
  experiment: string;
  runName?: string;
  note?: string;
  track?: boolean;
  snapshot?: boolean;
  snapshotMaxMb?: string;
}

/** The learners that learn a target, and those that only score anomalies (by their capabilities). */
export const anomalyOnly = (): string[] => [...LEARNERS.values()].filter((l) => l.capabilities.tasks.every((t) => t === 'anomaly')).map((l) => l.name);
export const supervisedLearners = (): string[] => [...LEARNERS.keys()].filter((l) => !anomalyOnly().includes(l));

/** Flags that are about learning a target: refused with --task anomaly, naming them. */
const SUPERVISED_FLAGS = ['metric', 'cv', 'timeSplit', 'group', 'classWeight', 'upsample', 'refit', 'threshold', 'timeBudget', 'refine', 'prefer', 'queue'];

/**
 * `train --task anomaly|cluster`: models of the inputs alone, each its own path (an anomaly model's threshold
 * from a contamination share or labels; a clustering's k given or chosen by silhouette).
 */
export async function unsupervisedTraining(source: string, flags: UnsupervisedFlags, self: Command, given: Record<string, unknown>, seed: number, from: { evaluation: () => EvaluationSetting; note: (text: string) => string }): Promise<void> {
  const task = flags.task as 'anomaly' | 'cluster';
  const flagName = (f: string): string => `--${f.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)}`;
  const own = task === 'anomaly' ? ['k'] : ['contamination', 'target', 'learner', 'test', 'split'];
  const asked = [...SUPERVISED_FLAGS, ...own].filter((f) => self.getOptionValueSource(f) === 'cli');
  if (asked.length > 0) throw new HyperplaneError(`--task ${task} ${task === 'anomaly' ? 'learns no target' : 'clusters every row, on every input'}: drop ${asked.map(flagName).join(', ')}`);
  if (Object.keys(given).length > 0 && task === 'cluster') throw new HyperplaneError('--task cluster takes --k and --seed; learner parameters are for a named learner');
  if (flags.note !== undefined && flags.track === false) throw new HyperplaneError('--note is kept with the run in the store, and --no-track records no run: drop one of them');
  const note = flags.note === undefined ? undefined : from.note(flags.note);
  const run = { ...(flags.out !== undefined ? { out: flags.out } : {}), json: flags.json === true, track: flags.track !== false, snapshot: snapshotPolicy(flags), experiment: flags.experiment, ...(flags.runName !== undefined ? { runName: flags.runName } : {}), ...(note !== undefined ? { note } : {}) };
  const common = { source: absoluteSource(source), read: readOptionsFromFlags(flags), ...(flags.schema !== undefined ? { schemaPath: absoluteSource(flags.schema) } : {}), seed };
  const { trainUnsupervised } = await import('./train-unsupervised.js');
  if (task === 'cluster') {
    const k = flags.k === undefined ? undefined : Number(flags.k);
    if (k !== undefined && !(Number.isInteger(k) && k >= 1)) throw new HyperplaneError(`--k ${flags.k}: expected a whole number of clusters, 1 or more`);
    await trainUnsupervised({ task: 'cluster', ...common, ...(k !== undefined ? { k } : {}) }, run);
    return;
  }
  const contamination = flags.contamination === undefined ? undefined : Number(flags.contamination);
  if (contamination !== undefined && !(contamination > 0 && contamination < 0.5)) throw new HyperplaneError(`--contamination ${flags.contamination}: expected the share of rows that are anomalies, above 0 and below 0.5 (e.g. 0.01)`);
  if (flags.learner !== 'auto' && !LEARNERS.get(flags.learner)!.capabilities.tasks.includes('anomaly')) throw new HyperplaneError(`--learner ${flags.learner} learns a target; anomaly learners are auto, ${anomalyOnly().join(', ')}`);
  const evaluation = from.evaluation();
  if (evaluation.kind !== 'holdout' && evaluation.kind !== 'test') throw new HyperplaneError('--task anomaly is evaluated on a holdout (--split) or a --test file');
  if (evaluation.kind === 'holdout' && evaluation.group !== undefined) throw new HyperplaneError('--task anomaly learns no target: drop --group');
  await trainUnsupervised(
    {
      task: 'anomaly',
      ...common,
      ...(flags.target !== undefined ? { label: flags.target } : {}),
      learner: flags.learner,
      params: given as Record<string, JsonValue>,
      ...(contamination !== undefined ? { contamination } : {}),
      evaluation: evaluation.kind === 'test' ? evaluation : { kind: 'holdout', share: evaluation.share },
    },
    run,
  );
}

