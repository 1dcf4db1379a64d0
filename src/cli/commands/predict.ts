import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { evaluateScores } from '../../evaluate/evaluate.js';
import type { OutputColumn } from '../../pipeline/io.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import { encodeTarget, infiniteTarget } from '../../pipeline/target.js';
import { sameLevel } from '../../data/schema/values.js';
import type { Column } from '../../data/table.js';
import { HyperplaneError } from '../../errors.js';
import { addReadOptions, readOptionsFromFlags, type RawReadFlags } from '../read-options.js';
import { loadModelRef } from '../model-ref.js';
import { Explainer } from '../../explain/explainer.js';
import { rulesOnly } from '../../explain/rules.js';
import { explanationColumns, type ExplainDepth } from '../../explain/columns.js';
import { scorecardMember } from '../../explain/scorecard.js';
import { scorecardColumns } from '../../explain/scorecard-columns.js';

interface PredictFlags extends RawReadFlags {
  out?: string;
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

/** The data's id column as written beside the predictions: as it was read (datetimes in ISO 8601). */
function idColumn(id: Column): OutputColumn {
  switch (id.kind) {
    case 'categorical':
      return { name: id.name, kind: 'label', codes: id.codes, labels: id.dictionary };
    case 'text':
      return { name: id.name, kind: 'text', values: id.values };
    case 'numeric':
      return { name: id.name, kind: 'number', values: id.values };
    case 'datetime':
      return { name: id.name, kind: 'text', values: Array.from(id.values, (ms) => (ms === ms ? new Date(ms).toISOString() : null)) };
  }
}

/** Batch scoring: the id column (if the data has one), the prediction, and each class's probability. */
export function predictCommand(): Command {
  const command = new Command('predict')
    .description('score data with a trained model package')
    .argument('<model>', 'a model package file, or from the store: name@alias, name/3, name/latest or a run id')
    .argument('<data>', 'data to score: CSV/TSV/Parquet/JSON/NDJSON, a glob, or postgres://… with --query')
    .option('--out <file>', 'write predictions to a .csv or .parquet file (default: CSV on stdout)')
    .option('--interventional', "with --explain: measure each row against the package's background training rows (shap's interventional) instead of path-dependent TreeSHAP")
    .option('--explain <k|all>', "add each row's top K driving factors (factor_1 … factor_K: column = value → signed share), or with all a base and every input column's contribution to the margin; for a scorecard: score, points_<characteristic> and reason_1 … reason_K (K at most 4; all: one per characteristic)");
  addReadOptions(command);
  return command.action(async (modelPath: string, source: string, flags: PredictFlags) => {
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
    const columns: OutputColumn[] = [];
    const idName = pkg.pipeline.schema.find((c) => c.type === 'id' && table.columns.some((t) => t.name === c.name))?.name;
    const id = table.columns.find((c) => c.name === idName);
    if (id !== undefined) columns.push(idColumn(id));
    const classLabels = pkg.pipeline.target.labels;
    if (classLabels === undefined) columns.push({ name: 'prediction', kind: 'number', values: scores });
    else {
      columns.push({ name: 'prediction', kind: 'label', codes: pipeline.labelCodes(scores), labels: classLabels });
      const k = classLabels.length;
      classLabels.forEach((label, c) => {
        const values = new Float64Array(table.nRows);
        for (let i = 0; i < table.nRows; i++) values[i] = scores[i * k + c]!;
        columns.push({ name: `proba_${label}`, kind: 'number', values });
      });
    }
    if (explainer !== undefined) columns.push(...explanationColumns(explainer, pipeline, table, where, scores, depth!));
    if (card) columns.push(...scorecardColumns(pipeline, table, depth!)!);
    // A rules model's explanation: the condition that fired, or "otherwise".
    if (rules !== undefined) columns.push({ name: 'rule', kind: 'text', values: rules.explainTable(table, where).map((e) => e.rule ?? 'otherwise') });
    await writePredictions(flags.out, columns);
    if (flags.out === undefined) return;
    process.stderr.write(`${table.nRows.toLocaleString('en-US')} predictions written to ${flags.out}\n`);
  });
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
    const { readForPipeline } = await import('../../pipeline/io.js');
    const { table, source: where, infinite, warnings } = await readForPipeline(source, pipeline, readOptionsFromFlags(flags), true);
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    const inf = infinite.find((i) => i.column === target.name);
    if (inf !== undefined) throw infiniteTarget(inf, where);
    const encoded = encodeTarget(table, pkg.pipeline.schema, target.name, where, target.task);
    // The data's labels coded as the model's; rows without a target are left out.
    const want = new Map((target.labels ?? []).map((l, i) => [l, i]));
    const keep: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < table.nRows; i++) {
      const v = encoded.y[i]!;
      if (v !== v) continue;
      if (target.task === 'regression') y.push(v);
      else {
        const label = encoded.spec.labels![v]!;
        // A model trained before label spellings were kept knows Yes/No as true/false.
        const code = want.get(label) ?? (target.labels ?? []).findIndex((l) => sameLevel(label, l));
        if (code === -1) throw new HyperplaneError(`class '${label}' was not in the training data (classes: ${[...want.keys()].join(', ')})`, { file: where, column: target.name });
        y.push(code);
      }
      keep.push(i);
    }
    if (keep.length === 0) throw new HyperplaneError(`no row has a '${target.name}' value to evaluate against`, { file: where, column: target.name });
    const all = pipeline.scoreTable(table, where);
    const k = pipeline.classes;
    const scores = new Float64Array(keep.length * k);
    keep.forEach((row, r) => scores.set(all.subarray(row * k, row * k + k), r * k));
    const evaluation = evaluateScores(target.task, y, scores, target.labels ?? [], target.threshold ?? 0.5);
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
