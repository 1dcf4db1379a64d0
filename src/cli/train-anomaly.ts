import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ReadOptions } from '../data/read/options.js';
import { PACKAGE_FILE } from '../pipeline/io.js';
import { encodePackage } from '../pipeline/package.js';
import type { AnomalyTrainResult } from '../pipeline/train-anomaly.js';
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

export interface AnomalyRunOptions {
  out?: string;
  json: boolean;
  track: boolean;
  snapshot?: SnapshotPolicy;
  experiment: string;
  runName?: string;
  note?: string;
}

/** Reads, trains an anomaly model, writes model.hpkg and summary.json, and records the run. */
export async function trainAnomaly(settings: AnomalySettings, options: AnomalyRunOptions): Promise<void> {
  const progress = progressReporter({ prefix: 'train: ' });
  let recorder: RunRecorder | undefined;
  try {
    progress.update({ step: 'reading data', done: 0, total: 1 });
    const read = await readTrainingData(
      { source: settings.source, read: settings.read, ...(settings.schemaPath !== undefined ? { schemaPath: settings.schemaPath } : {}), target: settings.label ?? '', learner: settings.learner, params: settings.params, evaluation: settings.evaluation, seed: settings.seed, timeBudgetSeconds: 0 },
      options.track ? (options.snapshot ?? { mode: 'off' }) : { mode: 'off' },
    );
    recorder = options.track
      ? await RunRecorder.start({
          experiment: options.experiment,
          ...(options.runName !== undefined ? { name: options.runName } : {}),
          ...(options.note !== undefined ? { note: options.note } : {}),
          params: { learner: settings.learner, ...settings.params, ...(settings.contamination !== undefined ? { contamination: settings.contamination } : {}) },
          tags: { target: settings.label ?? 'anomaly', learner: settings.learner, source: basename(settings.source), task: 'anomaly' },
          seed: settings.seed,
          config: settings as unknown as JsonValue,
          inputs: read.inputs,
        })
      : undefined;
    let result: AnomalyTrainResult;
    let files: { model: string; summary: string };
    let summary: Record<string, unknown>;
    try {
      const { trainAnomalyPipeline } = await import('../pipeline/train-anomaly.js');
      const evaluation = read.evaluation.kind === 'test' ? { kind: 'test' as const, table: read.evaluation.table, source: read.evaluation.source } : { kind: 'holdout' as const, share: settings.evaluation.kind === 'holdout' ? settings.evaluation.share : 0.2 };
      result = await trainAnomalyPipeline(read.data, {
        ...(settings.label !== undefined ? { label: settings.label } : {}),
        learner: settings.learner,
        params: settings.params,
        ...(settings.contamination !== undefined ? { contamination: settings.contamination } : {}),
        evaluation,
        seed: settings.seed,
        onProgress: (e) => progress.update(e),
      });
      progress.stop();
      const runs = join('.hyperplane', 'runs');
      const out = options.out ?? (recorder !== undefined ? join(runs, recorder.id) : claimRunFolder(runs, new Date(), settings.label ?? 'anomaly'));
      mkdirSync(out, { recursive: true });
      files = { model: join(out, PACKAGE_FILE), summary: join(out, 'summary.json') };
      summary = anomalySummary(result, files.model, read.data.fingerprint);
      const bytes = { model: encodePackage(result.package), summary: new TextEncoder().encode(`${JSON.stringify(summary, null, 2)}\n`) };
      // The package is renamed into place: a reader never sees half of it.
      const tmp = `${files.model}.tmp-${process.pid}`;
      writeFileSync(tmp, bytes.model);
      renameSync(tmp, files.model);
      writeFileSync(files.summary, bytes.summary);
      const metrics: Record<string, number> = {};
      for (const [k, v] of Object.entries(result.test.metrics)) if (v !== undefined) metrics[k] = v;
      for (const [k, v] of Object.entries(result.train.metrics)) if (v !== undefined) metrics[`train_${k}`] = v;
      metrics['threshold'] = result.threshold.value;
      await recorder?.finish({ metrics, artifacts: { ...bytes, ...(read.snapshots ?? {}) }, warnings: [...result.warnings, ...(read.notes ?? [])], tags: { model: result.package.info.learner, task: 'anomaly', refit: 'no' } });
    } catch (e) {
      await recorder?.fail(e);
      throw e;
    }
    for (const note of read.notes ?? []) process.stderr.write(`note: ${note}\n`);
    if (options.json) process.stdout.write(`${JSON.stringify({ ...summary, ...(recorder !== undefined ? { run: recorder.id } : {}) }, null, 2)}\n`);
    else {
      process.stdout.write(`${renderAnomalyText(result, settings, files)}\n`);
      if (recorder !== undefined) process.stdout.write(`run     ${recorder.id} (in ${recorder.location})\n`);
    }
  } finally {
    progress.stop();
  }
}

function anomalySummary(result: AnomalyTrainResult, modelPath: string, fingerprint: string): Record<string, unknown> {
  return {
    model: modelPath,
    target: result.package.pipeline.target,
    learner: result.package.info.learner,
    params: result.package.info.params,
    threshold: result.threshold,
    evaluation: result.package.info.evaluation,
    test: result.test,
    train: result.train,
    leaderboard: result.leaderboard,
    warnings: result.warnings,
    fingerprint,
  };
}

const int = (n: number): string => n.toLocaleString('en-US');
const pct = (x: number): string => `${Number((x * 100).toPrecision(3))}%`;

function renderAnomalyText(result: AnomalyTrainResult, settings: AnomalySettings, files: { model: string; summary: string }): string {
  const { test, train, threshold, leaderboard, warnings } = result;
  const target = result.package.pipeline.target;
  const lines: string[] = [];
  const labels = settings.label !== undefined ? `; anomalies are '${settings.label}' = ${target.positive ?? '?'}` : '';
  lines.push(`model: ${result.package.info.learner}  (anomaly, ${int(result.package.info.trainRows)} training rows${labels})`);
  lines.push(`threshold: ${Number(threshold.value.toPrecision(6))}, ${threshold.how}; a row scored at or above it is answered 'anomaly'`);
  lines.push(`evaluation: ${result.package.info.evaluation}`);
  lines.push('');
  lines.push('test:');
  lines.push(`  flagged            ${pct(test.metrics.flagged_share)} (${int(test.flagged)} of ${int(test.rows)} rows; training rows ${pct(train.metrics.flagged_share)})`);
  if (test.labelled !== undefined) {
    lines.push(`  labelled           ${int(test.labelled.rows)} rows, ${int(test.labelled.anomalies)} anomalies`);
    const m = test.metrics;
    if (m.auc !== undefined) {
      lines.push(`  auc                ${m.auc.toFixed(4)}   (train ${train.metrics.auc?.toFixed(4) ?? '–'})`);
      lines.push(`  average_precision  ${m.average_precision!.toFixed(4)}`);
      lines.push(`  precision          ${m.precision!.toFixed(4)}   of the flagged rows, the share that are anomalies`);
      lines.push(`  recall             ${m.recall!.toFixed(4)}   of the anomalies, the share flagged`);
    } else lines.push('  (the test rows hold one kind of label: nothing to rank against)');
  }
  if (leaderboard.length > 0) {
    lines.push('');
    lines.push("leaderboard (ROC AUC on the labelled training rows, which the models do not read):");
    for (const e of leaderboard) lines.push(`  ${e.auc.toFixed(4)}  ${e.learner.padEnd(18)} ${e.seconds.toFixed(1)} s`);
  }
  for (const w of warnings) lines.push(`warning: ${w}`);
  lines.push('');
  lines.push(`model   ${files.model}`);
  lines.push(`summary ${files.summary}`);
  return lines.join('\n');
}
