import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { evaluateScores } from '../../evaluate/evaluate.js';
import type { OutputColumn } from '../../pipeline/io.js';
import { Pipeline, supervisedTarget } from '../../pipeline/pipeline.js';
import type { Table } from '../../data/table.js';
import { predictionColumns } from '../../pipeline/prediction-columns.js';
import { labelledScores } from '../../pipeline/labelled.js';
import { HyperplaneError } from '../../errors.js';
import { addReadOptions, readOptionsFromFlags, type RawReadFlags } from '../read-options.js';
import { loadModelRef } from '../model-ref.js';
import { withStore } from '../store.js';
import { Explainer } from '../../explain/explainer.js';
import { rulesOnly } from '../../explain/rules.js';
import { explanationColumns, type ExplainDepth } from '../../explain/columns.js';
import { scorecardMember } from '../../explain/scorecard.js';
import { scorecardColumns } from '../../explain/scorecard-columns.js';

interface PredictFlags extends RawReadFlags {
  out?: string;
  queue?: string;
  outputFormat?: 'csv' | 'parquet';
  explain?: string;
  interventional?: boolean;
}

/** `--explain K` (the top K driving factors) or `--explain all` (every column's contribution). */
function explainDepth(text: string): ExplainDepth {
  if (text === 'all') return 'all';
  if (!/^[1-9]\d{0,3}$/.test(text)) throw new HyperplaneError(`--explain ${text}: expected a number of driving factors from 1 to 9999, or all`);
  return Number(text);
}

/** About 100k rows of a typical CSV: below it, prediction runs on one thread anyway. */
const BIG_BATCH_BYTES = 8 << 20;

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0; // a glob or a database query: no warm start
  }
}

/** Batch scoring: the id column (if the data has one), the prediction, and each class's probability. */
export function predictCommand(): Command {
  const command = new Command('predict')
    .description('score data with a trained model package')
    .argument('<model>', 'a model package file, or from the store: name@alias, name/3, name/latest or a run id')
    .argument('<data>', 'data to score: CSV/TSV/Parquet/JSON/NDJSON, a glob, or postgres://… with --query')
    .option('--out <file>', 'write predictions to a .csv or .parquet file (default: CSV on stdout); with --queue, a directory (DIR/) for one output per input file')
    .option('--queue <url>', "score the data's files as jobs on this queue (redis://HOST:PORT) for `hyperplane worker`s to take, one file a job; with --out DIR/")
    .addOption(new Option('--output-format <format>', "with --queue: the outputs' format (default csv)").choices(['csv', 'parquet']))
    .option('--interventional', "with --explain: measure each row against the package's background training rows (shap's interventional) instead of path-dependent TreeSHAP")
    .option('--explain <k|all>', "add each row's top K driving factors (factor_1 … factor_K: column = value → signed share), or with all a base and every input column's contribution to the margin; for a scorecard: score, points_<characteristic> and reason_1 … reason_K (K at most 4; all: one per characteristic)");
  addReadOptions(command);
  return command.action(async (modelPath: string, source: string, flags: PredictFlags) => {
    if (flags.queue !== undefined) return predictOnQueue(modelPath, source, flags);
    const depth = flags.explain !== undefined ? explainDepth(flags.explain) : undefined;
    if (flags.interventional === true && depth === undefined) throw new HyperplaneError('--interventional is a way to --explain: give --explain K or --explain all too');
    const { pkg } = await loadModelRef(modelPath);
    const pipeline = new Pipeline(pkg.pipeline);
    // Before the data is read: a model that cannot explain is said at once.
    const rules = depth !== undefined ? rulesOnly(pipeline) : undefined;
    // A scorecard is explained by its own points and reason codes, not by contributions.
    const card = depth !== undefined && scorecardMember(pipeline) !== undefined;
    if (card && flags.interventional === true) throw new HyperplaneError("--interventional measures contributions; a scorecard's --explain gives its points and reason codes: leave --interventional out");
    const explainer = depth !== undefined && rules === undefined && !card ? new Explainer(pipeline, flags.interventional === true ? 'interventional' : 'path-dependent') : undefined;
    // A big file: the prediction threads start while it is read.
    if (fileSize(source) > BIG_BATCH_BYTES) pipeline.prepareBatch();
    // DuckDB loads when data is read, not when the CLI starts.
    const { readForPipeline, writePredictions } = await import('../../pipeline/io.js');
    const { table, source: where, warnings } = await readForPipeline(source, pipeline, readOptionsFromFlags(flags));
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    const scores = pipeline.scoreTable(table, where);
    const columns: OutputColumn[] = predictionColumns(pipeline, table, scores);
    if (explainer !== undefined) columns.push(...explanationColumns(explainer, pipeline, table, where, scores, depth!));
    if (card) columns.push(...scorecardColumns(pipeline, table, depth!)!);
    // A rules model's explanation: the condition that fired, or "otherwise".
    if (rules !== undefined) columns.push({ name: 'rule', kind: 'text', values: rules.explainTable(table, where).map((e) => e.rule ?? 'otherwise') });
    await writePredictions(flags.out, columns);
    if (flags.out === undefined) return;
    process.stderr.write(`${table.nRows.toLocaleString('en-US')} predictions written to ${flags.out}\n`);
  });
}

/**
 * `predict MODEL 'data/*.parquet' --queue URL --out DIR/`: each file a job on the queue, scored whole by whichever
 * `hyperplane worker` takes it, one output per input in DIR. The model goes into the store first (the workers read
 * it there, as they read a search's snapshot); the files must be at the same paths for every worker (a shared disk).
 */
async function predictOnQueue(modelPath: string, source: string, flags: PredictFlags): Promise<void> {
  if (flags.explain !== undefined) throw new HyperplaneError('--explain is not done on the queue yet: score without --queue to explain');
  const out = flags.out;
  if (out === undefined || !(out.endsWith('/') || (existsSync(out) && statSync(out).isDirectory()))) throw new HyperplaneError(`with --queue, --out is a directory (e.g. --out predictions/): one output per input file${out !== undefined ? `; '${out}' is not one` : ''}`);
  const { chosenQueue, checkRedis, scoreFilesOnQueue } = await import('../../queue/index.js');
  const queue = chosenQueue(flags.queue)!;
  const { globFiles } = await import('../../data/read/duckdb-reader.js');
  const files = /[*?[]/.test(source) ? (await globFiles(resolve(source))).map((f) => resolve(f)) : [resolve(source)];
  if (files.length === 0) throw new HyperplaneError(`no file matches '${source}'`);
  for (const f of files) if (!existsSync(f)) throw new HyperplaneError('no such file', { file: f });
  await checkRedis(queue);
  const { pkg } = await loadModelRef(modelPath);
  const { encodePackage } = await import('../../pipeline/package.js');
  const { storeTarget } = await import('../../store/index.js');
  const target = storeTarget();
  const storeUri = target.dialect === 'sqlite' ? `sqlite:${target.file}` : target.uri;
  const sha256 = await withStore((store) => store.artifacts.put(encodePackage(pkg)));
  const batch = await scoreFilesOnQueue({
    queue,
    model: { sha256, store: storeUri },
    files,
    outDir: resolve(out),
    format: flags.outputFormat ?? 'csv',
    read: readOptionsFromFlags(flags),
    onFile: (f, done, total) => process.stderr.write(`predict: ${done}/${total} ${'error' in f ? `${f.input} failed: ${f.error}` : `${f.input}: ${f.rows.toLocaleString('en-US')} predictions written to ${f.output}${f.warnings.map((w) => `\nwarning: ${w}`).join('')}`}\n`),
  });
  process.stderr.write(`predict: ${files.length} file${files.length === 1 ? '' : 's'} queued on ${queue.url} as batch ${batch.id.slice(0, 8)}; each is scored by a \`hyperplane worker\`\n`);
  const stop = (signal: NodeJS.Signals): void => {
    void batch.cancel(`stopped by ${signal}`).then((n) => process.stderr.write(`predict: ${signal}: ${n} file${n === 1 ? '' : 's'} not yet taken removed from the queue\n`));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const outcomes = await batch.done;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  const failed = outcomes.filter((o) => 'error' in o);
  if (failed.length > 0) throw new HyperplaneError(`${failed.length} of ${outcomes.length} files failed: ${failed.map((f) => `${f.input}: ${'error' in f ? f.error : ''}`).join('; ')}`);
  const rows = outcomes.reduce((s, o) => s + ('rows' in o ? o.rows : 0), 0);
  process.stderr.write(`predict: ${rows.toLocaleString('en-US')} predictions in ${outcomes.length} file${outcomes.length === 1 ? '' : 's'} under ${resolve(out)}\n`);
}

interface EvaluateFlags extends RawReadFlags {
  out?: string;
  json?: boolean;
}

/** The train report's metrics, curves and confusion matrix on new labelled data. */
export function evaluateCommand(): Command {
  const command = new Command('evaluate')
    .description('measure a trained model on new labelled data')
    .argument('<model>', 'a model package file, or from the store: name@alias, name/3, name/latest or a run id')
    .argument('<data>', 'labelled data with the target column')
    .option('--out <dir>', 'also write report.html and evaluation.json there')
    .option('--json', 'print the evaluation as JSON');
  addReadOptions(command);
  return command.action(async (modelPath: string, source: string, flags: EvaluateFlags) => {
    const { pkg } = await loadModelRef(modelPath);
    const pipeline = new Pipeline(pkg.pipeline);
    const target = pkg.pipeline.target;
    if (target.task === 'anomaly' && target.positive === undefined) throw new HyperplaneError(`this anomaly model was trained without a column marking anomalies: there is nothing to check its flags against (train it with --target COLUMN to evaluate it, or use predict)`);
    const { readForPipeline } = await import('../../pipeline/io.js');
    const { table, source: where, infinite, warnings } = await readForPipeline(source, pipeline, readOptionsFromFlags(flags), true);
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    if (target.task === 'anomaly') return evaluateAnomalyModel(pipeline, pkg.info.metrics, table, where, flags);
    const { rows: keep, y, scores } = labelledScores(pipeline, table, where, infinite);
    const evaluation = evaluateScores(supervisedTarget(target, 'be evaluated').task, y, scores, target.labels ?? [], target.threshold ?? 0.5);
    if (flags.out !== undefined) {
      mkdirSync(flags.out, { recursive: true });
      writeFileSync(join(flags.out, 'evaluation.json'), `${JSON.stringify(evaluation, null, 2)}\n`);
      const { renderReportHtml } = await import('../render/report-html.js');
      writeFileSync(join(flags.out, 'report.html'), await renderReportHtml({ title: `${target.name}: ${pkg.info.learner} on ${where}`, info: { ...pkg.info, evaluation: `${keep.length.toLocaleString('en-US')} labelled rows of ${where}` }, target, metric: (Object.keys(evaluation.metrics)[0] ?? 'auc') as never, test: evaluation }));
    }
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(evaluation.metrics, null, 2)}\n`);
      return;
    }
    process.stdout.write(`${pkg.info.learner} on ${keep.length.toLocaleString('en-US')} rows of ${where}:\n`);
    for (const [name, v] of Object.entries(evaluation.metrics)) process.stdout.write(`  ${name.padEnd(12)} ${v === undefined || Number.isNaN(v) ? '—' : v.toFixed(4)}   (at training: ${pkg.info.metrics[name]?.toFixed(4) ?? '—'})\n`);
    if (flags.out !== undefined) process.stdout.write(`report written to ${join(flags.out, 'report.html')}\n`);
  });
}

/** `evaluate` of an anomaly model: its flags and scores against the column that marked anomalies at training. */
async function evaluateAnomalyModel(pipeline: Pipeline, atTraining: Record<string, number>, table: Table, where: string, flags: EvaluateFlags): Promise<void> {
  const target = pipeline.spec.target;
  const { anomalyLabels } = await import('../../pipeline/train-anomaly.js');
  const { evaluateAnomaly } = await import('../../evaluate/anomaly.js');
  const { y } = anomalyLabels(table, target.name, where, target.positive!);
  const evaluation = evaluateAnomaly(pipeline.scoreTable(table, where), target.threshold!, y);
  if (flags.out !== undefined) {
    mkdirSync(flags.out, { recursive: true });
    writeFileSync(join(flags.out, 'evaluation.json'), `${JSON.stringify(evaluation, null, 2)}\n`);
  }
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(evaluation.metrics, null, 2)}\n`);
    return;
  }
  process.stdout.write(`anomaly model on ${evaluation.rows.toLocaleString('en-US')} rows of ${where} (${(evaluation.labelled?.anomalies ?? 0).toLocaleString('en-US')} marked '${target.name}' = ${target.positive}):\n`);
  for (const [name, v] of Object.entries(evaluation.metrics)) process.stdout.write(`  ${name.padEnd(18)} ${v === undefined || Number.isNaN(v) ? '—' : v.toFixed(4)}   (at training: ${atTraining[name]?.toFixed(4) ?? '—'})\n`);
}
