import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LoadedData, LoadOptions } from '../data/load.js';
import { tableBytes } from '../data/snapshot.js';
import { parseDateText } from '../data/schema/values.js';
import type { ReadOptions } from '../data/read/options.js';
import type { ClassCurves, Point } from '../evaluate/curves.js';
import type { ThresholdRule } from '../evaluate/metrics.js';
import { HyperplaneError } from '../errors.js';
import { featureImportance } from '../explain/importance.js';
import { scorecardOf, scoreTable } from '../explain/scorecard.js';
import { PACKAGE_FILE } from '../pipeline/io.js';
import { encodePackage } from '../pipeline/package.js';
import type { SupervisedTask } from '../pipeline/pipeline.js';
import type { EvaluationPlan, RemoteScoring, TrainProgress, TrainResult } from '../pipeline/train.js';
import type { PhaseTimer } from '../pipeline/timings.js';
import type { RulesSpec } from '../learn/rules/rules-params.js';
import type { DataInput, JsonValue } from '../store/index.js';
import type { ScorecardReport } from './render/report-scorecard.js';

/** How the model is measured, as recorded: a test file by its path (read again to reproduce); a holdout or folds keep each `group` whole. */
export type EvaluationSetting = { kind: 'holdout'; share: number; group?: string } | { kind: 'cv'; folds: number; group?: string } | { kind: 'time'; column: string; cutoff: number } | { kind: 'test'; source: string };

/**
 * Everything one training is, as plain JSON: what `train` runs, what the store records with the run,
 * and what `reproduce` trains from again. Files are absolute paths, so a run reproduces from anywhere.
 */
export interface TrainSettings {
  source: string;
  read: ReadOptions;
  schemaPath?: string;
  target: string;
  task?: SupervisedTask;
  learner: string;
  params: Record<string, JsonValue>;
  metric?: string;
  evaluation: EvaluationSetting;
  classWeight?: 'balanced';
  upsample?: boolean;
  /** Absent: refit up to 100,000 labelled rows (what train decided is in the package and the run's tags). */
  refit?: boolean;
  threshold?: string;
  seed: number;
  timeBudgetSeconds: number;
  /** auto: ASHA over this many configurations after the portfolio. */
  refineTrials?: number;
  /** auto: the best candidate, or the simplest within noise of it. */
  prefer?: 'best' | 'simple';
  rules?: RulesSpec;
  recipe?: { outputs: string[]; groups: Record<string, string[]> };
}

/** A local file as an absolute path; globs, URLs and queries as given. */
export const absoluteSource = (source: string): string => (existsSync(source) ? resolve(source) : source);

/** `--time-split COLUMN=DATE`: the column and the cutoff (epoch ms). */
export function timeSplitFlag(text: string): { column: string; cutoff: number } {
  const eq = text.indexOf('=');
  const cutoff = parseDateText(text.slice(eq + 1));
  if (eq <= 0 || Number.isNaN(cutoff)) throw new HyperplaneError(`--time-split '${text}': expected COLUMN=DATE, e.g. signup=2024-06-01`);
  return { column: text.slice(0, eq), cutoff };
}

/** --threshold max-f1 | recall=0.9 | cost=1:5 */
export function thresholdRule(text: string): ThresholdRule {
  if (text === 'max-f1') return { kind: 'max-f1' };
  const recall = /^recall=(0?\.\d+|1(?:\.0*)?)$/.exec(text);
  if (recall) return { kind: 'recall', target: Number(recall[1]) };
  const cost = /^cost=(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(text);
  if (cost) return { kind: 'cost', falsePositive: Number(cost[1]), falseNegative: Number(cost[2]) };
  throw new HyperplaneError(`--threshold '${text}': expected max-f1, recall=R (0 < R ≤ 1) or cost=FP:FN (e.g. cost=1:5)`);
}

/** Whether to keep a Parquet copy of the data: always, never, or when the data as read is at most `maxBytes`. */
export type SnapshotPolicy = { mode: 'on' } | { mode: 'off' } | { mode: 'auto'; maxBytes: number };

/** The artifact a run keeps its snapshot of each data set under. */
export const SNAPSHOT_ARTIFACT: Record<DataInput['role'], string> = { train: 'data', test: 'test-data' };

/** The data one training reads, with the fingerprints the run records. */
export interface TrainingData {
  data: LoadedData;
  evaluation: EvaluationPlan;
  /** The data sets read, with their fingerprints: the run's inputs. */
  inputs: DataInput[];
  /** Parquet snapshots to attach to the run, by artifact name (none when absent). */
  snapshots?: Record<string, Uint8Array>;
  /** Why a data set has no snapshot, for stderr and the run's warnings. */
  notes?: string[];
}

export interface Trained extends TrainingData {
  result: TrainResult;
}

const mib = (bytes: number): string => (bytes < 2 ** 20 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`);

/** Reads one data set and, as the policy says, its snapshot (written from the table as read, then dropped). */
export async function readInput(role: DataInput['role'], source: string, options: LoadOptions, policy: SnapshotPolicy): Promise<{ data: LoadedData; snapshot?: Uint8Array; note?: string }> {
  // What training needs is loaded when it runs, not when the CLI starts (DuckDB, the trainer, the report's charts).
  const { loadData } = await import('../data/load.js');
  const { raw, ...data } = await loadData(source, { ...options, keepRaw: policy.mode !== 'off' });
  if (raw === undefined) return { data };
  const size = tableBytes(raw);
  if (policy.mode === 'auto' && size > policy.maxBytes) {
    return { data, note: `no snapshot of the ${role} data: it is ${mib(size)} as read, above the ${mib(policy.maxBytes)} limit for a default snapshot (train --snapshot keeps one, --snapshot-max-mb moves the limit); reproduce needs the source unchanged` };
  }
  const { snapshotBytes } = await import('../data/snapshot.js');
  return { data, snapshot: await snapshotBytes(raw) };
}

export async function readTrainingData(settings: TrainSettings, policy: SnapshotPolicy = { mode: 'off' }): Promise<TrainingData> {
  const snapshots: Record<string, Uint8Array> = {};
  const notes: string[] = [];
  const keep = (role: DataInput['role'], read: { snapshot?: Uint8Array; note?: string }): void => {
    if (read.snapshot !== undefined) snapshots[SNAPSHOT_ARTIFACT[role]] = read.snapshot;
    if (read.note !== undefined) notes.push(read.note);
  };
  const train = await readInput('train', settings.source, { ...settings.read, ...(settings.schemaPath !== undefined ? { schemaPath: settings.schemaPath } : {}) }, policy);
  keep('train', train);
  const data = train.data;
  const inputs: DataInput[] = [{ role: 'train', source: data.source, fingerprint: data.fingerprint, rows: data.table.nRows }];
  const e = settings.evaluation;
  if (e.kind !== 'test') return { data, evaluation: e, inputs, snapshots, notes };
  const read = await readInput('test', e.source, settings.read, policy);
  keep('test', read);
  const test = read.data;
  inputs.push({ role: 'test', source: test.source, fingerprint: test.fingerprint, rows: test.table.nRows });
  return { data, evaluation: { kind: 'test', table: test.table, source: test.source, infinite: test.infinite }, inputs, snapshots, notes };
}

/** Trains on data read by readTrainingData, as the settings say; `scoring`: auto's candidates scored elsewhere (a queue), or on this many threads here. */
export async function trainOn(settings: TrainSettings, read: TrainingData, onProgress?: (event: TrainProgress) => void, scoring?: RemoteScoring | number, timings?: PhaseTimer): Promise<Trained> {
  const threshold = settings.threshold === undefined ? undefined : thresholdRule(settings.threshold);
  const { trainPipeline } = await import('../pipeline/train.js');
  const result = await trainPipeline(read.data, {
    target: settings.target,
    ...(settings.task !== undefined ? { task: settings.task } : {}),
    learner: settings.learner,
    params: settings.params,
    ...(settings.metric !== undefined ? { metric: settings.metric } : {}),
    evaluation: read.evaluation,
    ...(settings.classWeight !== undefined ? { classWeight: settings.classWeight } : {}),
    ...(settings.upsample === true ? { upsample: true } : {}),
    ...(settings.refit !== undefined ? { refit: settings.refit } : {}),
    ...(threshold !== undefined ? { threshold } : {}),
    seed: settings.seed,
    timeBudgetSeconds: settings.timeBudgetSeconds,
    ...(settings.refineTrials !== undefined ? { refineTrials: settings.refineTrials } : {}),
    ...(settings.prefer !== undefined ? { prefer: settings.prefer } : {}),
    // The config's rules are the rules learner's params: alone with `learner: rules`, beside the learners under auto.
    ...(settings.learner === 'auto' && settings.rules !== undefined ? { teamCandidates: [{ learner: 'rules', params: settings.rules }] } : {}),
    ...(settings.recipe !== undefined ? { recipe: settings.recipe } : {}),
    ...(onProgress !== undefined ? { onProgress } : {}),
    ...(typeof scoring === 'object' ? { remote: scoring } : typeof scoring === 'number' ? { threads: scoring } : {}),
    ...(timings !== undefined ? { timings } : {}),
  });
  return { ...read, result };
}

/** What `train --json` prints and summary.json holds. */
export function trainSummary(trained: Trained, modelPath: string): Record<string, unknown> {
  const { result, data } = trained;
  const card = scorecardOf(result.pipeline);
  return {
    model: modelPath,
    target: result.package.pipeline.target,
    learner: result.package.info.learner,
    params: result.package.info.params,
    metric: result.metric,
    evaluation: result.package.info.evaluation,
    fit: result.fit,
    test: result.test.metrics,
    train: result.trainEvaluation.metrics,
    leaderboard: result.leaderboard,
    ...(result.preference !== undefined ? { preference: result.preference } : {}),
    ...(result.suspects !== undefined ? { suspects: result.suspects } : {}),
    importance: featureImportance(result.package.pipeline),
    ...(result.importance !== undefined ? { drivers: result.importance } : {}),
    diagnostics: result.diagnostics,
    warnings: result.warnings,
    fingerprint: data.fingerprint,
    ...testCurves(result),
    // The card is the model itself for a scorecard: readers of summary.json get it without loading the package.
    ...(card !== undefined ? { scorecard: card } : {}),
  };
}

/** A chart's worth of a curve: four decimals are finer than a pixel, and keep summary.json small. */
const rounded = (points: readonly Point[], most = 100): Point[] => {
  const step = points.length <= most ? 1 : (points.length - 1) / (most - 1);
  const picked = step === 1 ? points : Array.from({ length: most }, (_, i) => points[Math.round(i * step)]!);
  return picked.map((q) => ({ x: Math.round(q.x * 1e4) / 1e4, y: Math.round(q.y * 1e4) / 1e4 }));
};

/**
 * The held-out rows' curves, for the dashboard's run page and run comparison: ROC, precision-recall,
 * calibration and gain of a binary model; ROC and PR of each drawn class of a multiclass one.
 */
function testCurves(result: TrainResult): { curves?: Record<string, Point[]>; classCurves?: ClassCurves[] } {
  const binary = result.test.binary?.curves;
  if (binary !== undefined) return { curves: { roc: rounded(binary.roc), pr: rounded(binary.pr), calibration: rounded(binary.calibration), gain: rounded(binary.gain) } };
  const classes = result.test.oneVsRest;
  if (classes !== undefined) return { classCurves: classes.map((c) => ({ ...c, ...(c.roc !== undefined ? { roc: rounded(c.roc) } : {}), ...(c.pr !== undefined ? { pr: rounded(c.pr) } : {}) })) };
  return {};
}

/**
 * A scorecard model's report section: the packaged card, and the held-out rows scored by the evaluated
 * card (the one the test figures measure; a refit card has seen those rows).
 */
function scorecardReport(result: TrainResult): ScorecardReport | undefined {
  const card = scorecardOf(result.pipeline);
  if (card === undefined) return undefined;
  const labels = result.package.pipeline.target.labels ?? ['0', '1'];
  const held = result.heldOut;
  const rows = held !== undefined ? scoreTable(held.pipeline, held.table, 0) : undefined;
  const test =
    held !== undefined && rows !== undefined
      ? {
          scores: rows.map((r) => r.score),
          classes: held.y,
          ...(result.fit.refit ? { note: `Scored by the card fitted on the other ${result.fit.evaluatedRows.toLocaleString('en-US')} rows, the one the test figures measure; the packaged card above was refit with these rows.` } : {}),
        }
      : undefined;
  return { card, labels: [labels[0] ?? '0', labels[1] ?? '1'], ...(test !== undefined ? { test } : {}) };
}

export interface TrainOutputs {
  files: { model: string; report: string; summary: string };
  bytes: { model: Uint8Array; report: Uint8Array; summary: Uint8Array };
  summary: Record<string, unknown>;
}

/** The package, report and summary, written to `out`. */
export async function writeTrainOutputs(trained: Trained, out: string): Promise<TrainOutputs> {
  const { result } = trained;
  mkdirSync(out, { recursive: true });
  const files = { model: join(out, PACKAGE_FILE), report: join(out, 'report.html'), summary: join(out, 'summary.json') };
  const summary = trainSummary(trained, files.model);
  const importance = summary['importance'] as ReturnType<typeof featureImportance>;
  const scorecard = scorecardReport(result);
  const encoder = new TextEncoder();
  // The report's chart renderer loads when a report is written, not when the CLI starts.
  const { renderReportHtml } = await import('./render/report-html.js');
  const bytes = {
    model: encodePackage(result.package),
    summary: encoder.encode(`${JSON.stringify(summary, null, 2)}\n`),
    report: encoder.encode(
      await renderReportHtml({
        title: `${result.package.pipeline.target.name}: ${result.package.info.learner}`,
        info: result.package.info,
        target: result.package.pipeline.target,
        test: result.test,
        train: result.trainEvaluation,
        leaderboard: result.leaderboard,
        importance,
        ...(result.importance !== undefined ? { globalImportance: result.importance } : {}),
        ...(result.searchPlan !== undefined ? { searchPlan: result.searchPlan } : {}),
        ...(result.preference !== undefined ? { preference: result.preference } : {}),
        ...(result.suspects !== undefined ? { suspects: result.suspects } : {}),
        diagnostics: result.diagnostics,
        warnings: result.warnings,
        metric: result.metric,
        ...(scorecard !== undefined ? { scorecard } : {}),
      }),
    ),
  };
  // The package is renamed into place: a reader never sees half of it.
  const tmp = `${files.model}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes.model);
  renameSync(tmp, files.model);
  writeFileSync(files.summary, bytes.summary);
  writeFileSync(files.report, bytes.report);
  return { files, bytes, summary };
}

/** The run's metrics: the test metrics under their names, the training rows' under `train_<name>`. */
export function runMetrics(result: TrainResult): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const [k, v] of Object.entries(result.test.metrics)) if (typeof v === 'number') metrics[k] = v;
  for (const [k, v] of Object.entries(result.trainEvaluation.metrics)) if (typeof v === 'number') metrics[`train_${k}`] = v;
  return metrics;
}
