import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ReadOptions } from '../data/read/options.js';
import { PACKAGE_FILE } from '../pipeline/io.js';
import { encodePackage } from '../pipeline/package.js';
import type { TrainingData } from './training.js';
import type { ModelPackage } from '../pipeline/package.js';
import type { AnomalyTrainResult } from '../pipeline/train-anomaly.js';
import type { ClusterTrainResult } from '../pipeline/train-cluster.js';
import type { Data } from '../pipeline/train.js';
import type { JsonValue } from '../store/index.js';
import { progressReporter } from './progress.js';
import { claimRunFolder } from './run-folder.js';
import { RunRecorder } from './run-recorder.js';
import { readTrainingData, type SnapshotPolicy } from './training.js';

/** What `train --task anomaly` runs, as plain JSON (recorded with the run). */
export interface AnomalySettings {
  task: 'anomaly';
  source: string;
  read: ReadOptions;
  schemaPath?: string;
  /** The column marking known anomalies, if the data has one. */
  label?: string;
  learner: string;
  params: Record<string, JsonValue>;
  contamination?: number;
  evaluation: { kind: 'holdout'; share: number } | { kind: 'test'; source: string };
  seed: number;
}

/** What `train --task cluster` runs, as plain JSON (recorded with the run). */
export interface ClusterSettings {
  task: 'cluster';
  source: string;
  read: ReadOptions;
  schemaPath?: string;
  /** The number of clusters; absent, chosen by silhouette. */
  k?: number;
  seed: number;
}

export type UnsupervisedSettings = AnomalySettings | ClusterSettings;

/** A fitted unsupervised model as the runner writes and records it. */
interface Fitted {
  package: ModelPackage;
  summary: Record<string, unknown>;
  text: string;
  metrics: Record<string, number>;
  warnings: string[];
}

export interface UnsupervisedRunOptions {
  out?: string;
  json: boolean;
  /** Print nothing (the caller prints its own: reproduce). */
  quiet?: boolean;
  /** The data, when the caller has read it already (reproduce checks its fingerprints first). */
  read?: TrainingData;
  /** Tags added to the run, e.g. which run a reproduction repeats. */
  tags?: Record<string, string>;
  track: boolean;
  snapshot?: SnapshotPolicy;
  experiment: string;
  runName?: string;
  note?: string;
}

/** Reads, trains an anomaly model or a clustering, writes model.hpkg and summary.json, and records the run. */
export async function trainUnsupervised(settings: UnsupervisedSettings, options: UnsupervisedRunOptions): Promise<{ package: ModelPackage; metrics: Record<string, number>; runId?: string }> {
  const name = settings.task === 'anomaly' ? (settings.label ?? 'anomaly') : 'cluster';
  const progress = progressReporter({ prefix: 'train: ' });
  let recorder: RunRecorder | undefined;
  try {
    progress.update({ step: 'reading data', done: 0, total: 1 });
    const read = options.read ?? await readTrainingData(
      { source: settings.source, read: settings.read, ...(settings.schemaPath !== undefined ? { schemaPath: settings.schemaPath } : {}), target: name, learner: settings.task === 'anomaly' ? settings.learner : 'kmeans', params: settings.task === 'anomaly' ? settings.params : {}, evaluation: settings.task === 'anomaly' ? settings.evaluation : { kind: 'holdout', share: 0.2 }, seed: settings.seed, timeBudgetSeconds: 0 },
      options.track ? (options.snapshot ?? { mode: 'off' }) : { mode: 'off' },
    );
    recorder = options.track
      ? await RunRecorder.start({
          experiment: options.experiment,
          ...(options.runName !== undefined ? { name: options.runName } : {}),
          ...(options.note !== undefined ? { note: options.note } : {}),
          params: settings.task === 'anomaly' ? { learner: settings.learner, ...settings.params, ...(settings.contamination !== undefined ? { contamination: settings.contamination } : {}) } : { learner: 'kmeans', ...(settings.k !== undefined ? { k: settings.k } : {}) },
          tags: { target: name, learner: settings.task === 'anomaly' ? settings.learner : 'kmeans', source: basename(settings.source), task: settings.task, ...options.tags },
          seed: settings.seed,
          config: settings as unknown as JsonValue,
          inputs: read.inputs,
        })
      : undefined;
    let fitted: Fitted;
    try {
      fitted = settings.task === 'anomaly' ? await fitAnomaly(settings, read, progress) : await fitClusters(settings, read.data, progress);
      progress.stop();
      const runs = join('.hyperplane', 'runs');
      const out = options.out ?? (recorder !== undefined ? join(runs, recorder.id) : claimRunFolder(runs, new Date(), name));
      mkdirSync(out, { recursive: true });
      const files = { model: join(out, PACKAGE_FILE), summary: join(out, 'summary.json') };
      fitted.summary = { model: files.model, ...fitted.summary, fingerprint: read.data.fingerprint };
      fitted.text += `\n\nmodel   ${files.model}\nsummary ${files.summary}`;
      const bytes = { model: encodePackage(fitted.package), summary: new TextEncoder().encode(`${JSON.stringify(fitted.summary, null, 2)}\n`) };
      // The package is renamed into place: a reader never sees half of it.
      const tmp = `${files.model}.tmp-${process.pid}`;
      writeFileSync(tmp, bytes.model);
      renameSync(tmp, files.model);
      writeFileSync(files.summary, bytes.summary);
      await recorder?.finish({ metrics: fitted.metrics, artifacts: { ...bytes, ...(read.snapshots ?? {}) }, warnings: [...fitted.warnings, ...(read.notes ?? [])], tags: { model: fitted.package.info.learner, task: settings.task, refit: 'no' } });
    } catch (e) {
      await recorder?.fail(e);
      throw e;
    }
    const result = { package: fitted.package, metrics: fitted.metrics, ...(recorder !== undefined ? { runId: recorder.id } : {}) };
    if (options.quiet === true) return result;
    for (const note of read.notes ?? []) process.stderr.write(`note: ${note}\n`);
    if (options.json) process.stdout.write(`${JSON.stringify({ ...fitted.summary, ...(recorder !== undefined ? { run: recorder.id } : {}) }, null, 2)}\n`);
    else {
      process.stdout.write(`${fitted.text}\n`);
      if (recorder !== undefined) process.stdout.write(`run     ${recorder.id} (in ${recorder.location})\n`);
    }
    return result;
  } finally {
    progress.stop();
  }
}

async function fitAnomaly(settings: AnomalySettings, read: TrainingData, progress: ReturnType<typeof progressReporter>): Promise<Fitted> {
  const { trainAnomalyPipeline } = await import('../pipeline/train-anomaly.js');
  const evaluation = read.evaluation.kind === 'test' ? { kind: 'test' as const, table: read.evaluation.table, source: read.evaluation.source } : { kind: 'holdout' as const, share: settings.evaluation.kind === 'holdout' ? settings.evaluation.share : 0.2 };
  const result = await trainAnomalyPipeline(read.data, {
    ...(settings.label !== undefined ? { label: settings.label } : {}),
    learner: settings.learner,
    params: settings.params,
    ...(settings.contamination !== undefined ? { contamination: settings.contamination } : {}),
    evaluation,
    seed: settings.seed,
    onProgress: (e) => progress.update(e),
  });
  const metrics: Record<string, number> = {};
  for (const [k, v] of Object.entries(result.test.metrics)) if (v !== undefined) metrics[k] = v;
  for (const [k, v] of Object.entries(result.train.metrics)) if (v !== undefined) metrics[`train_${k}`] = v;
  metrics['threshold'] = result.threshold.value;
  return { package: result.package, summary: anomalySummary(result), text: renderAnomalyText(result, settings), metrics, warnings: result.warnings };
}

async function fitClusters(settings: ClusterSettings, data: Data, progress: ReturnType<typeof progressReporter>): Promise<Fitted> {
  const { trainClusterPipeline } = await import('../pipeline/train-cluster.js');
  const result = await trainClusterPipeline(data, { ...(settings.k !== undefined ? { k: settings.k } : {}), seed: settings.seed, onProgress: (e) => progress.update(e) });
  const summary = { target: result.package.pipeline.target, learner: 'kmeans', k: result.k, chosenBy: result.chosenBy, ...(result.tried !== undefined ? { tried: result.tried } : {}), silhouette: result.silhouette, inertia: result.inertia, clusters: result.sizes, warnings: result.warnings };
  return { package: result.package, summary, text: renderClusterText(result), metrics: { ...result.package.info.metrics }, warnings: result.warnings };
}

function renderClusterText(result: ClusterTrainResult): string {
  const lines = [`model: kmeans  (cluster, ${int(result.package.info.trainRows)} rows; k = ${result.k}, ${result.chosenBy === 'given' ? 'as given' : 'chosen by silhouette'})`];
  if (result.tried !== undefined) lines.push(`tried: ${result.tried.map((t) => `k=${t.k} ${Number.isFinite(t.silhouette) ? t.silhouette.toFixed(3) : '–'}`).join(', ')}`);
  lines.push(`silhouette ${result.silhouette === null ? '–' : result.silhouette.toFixed(4)}, inertia ${Number(result.inertia.toPrecision(6))} (on the recipe's standardised features)`);
  lines.push('');
  lines.push('cluster   rows   share');
  for (const c of result.sizes) lines.push(`${String(c.cluster).padStart(7)}  ${int(c.rows).padStart(5)}  ${pct(c.share).padStart(6)}`);
  lines.push("a row's answer is its nearest centroid's cluster; monitor watches the clusters' shares in live traffic");
  for (const w of result.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}

function anomalySummary(result: AnomalyTrainResult): Record<string, unknown> {
  return {
    target: result.package.pipeline.target,
    learner: result.package.info.learner,
    params: result.package.info.params,
    threshold: result.threshold,
    evaluation: result.package.info.evaluation,
    test: result.test,
    train: result.train,
    leaderboard: result.leaderboard,
    warnings: result.warnings,
  };
}

const int = (n: number): string => n.toLocaleString('en-US');
const pct = (x: number): string => `${Number((x * 100).toPrecision(3))}%`;

function renderAnomalyText(result: AnomalyTrainResult, settings: AnomalySettings): string {
  const { test, train, threshold, leaderboard, warnings } = result;
  const target = result.package.pipeline.target;
  const lines: string[] = [];
  const labels = settings.label !== undefined ? `; anomalies are '${settings.label}' = ${target.positive ?? '?'}` : '';
  lines.push(`model: ${result.package.info.learner}  (anomaly, ${int(result.package.info.trainRows)} training rows${labels})`);
  lines.push(`threshold: ${Number(threshold.value.toPrecision(6))}, ${threshold.how}; a row scored at or above it is answered 'anomaly'`);
  lines.push(`evaluation: ${result.package.info.evaluation}`);
  lines.push('');
  lines.push('test:');
  lines.push(`  flagged            ${pct(test.metrics.flagged_share)} (${int(test.flagged)} of ${int(test.rows)} rows; training rows, out of fold, ${pct(train.metrics.flagged_share)})`);
  if (test.labelled !== undefined) {
    lines.push(`  labelled           ${int(test.labelled.rows)} rows, ${int(test.labelled.anomalies)} anomalies`);
    const m = test.metrics;
    if (m.auc !== undefined) {
      lines.push(`  auc                ${m.auc.toFixed(4)}   (training rows, out of fold: ${train.metrics.auc?.toFixed(4) ?? '–'})`);
      lines.push(`  average_precision  ${m.average_precision!.toFixed(4)}`);
      lines.push(`  precision          ${m.precision!.toFixed(4)}   of the flagged rows, the share that are anomalies`);
      lines.push(`  recall             ${m.recall!.toFixed(4)}   of the anomalies, the share flagged`);
    } else lines.push('  (the test rows hold one kind of label: nothing to rank against)');
  }
  if (leaderboard.length > 0) {
    lines.push('');
    lines.push('leaderboard (ROC AUC on the labelled training rows, scored out of fold; the models never read the labels):');
    for (const e of leaderboard) lines.push(`  ${e.auc.toFixed(4)}  ${e.learner.padEnd(18)} ${e.seconds.toFixed(1)} s`);
  }
  for (const w of warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}
