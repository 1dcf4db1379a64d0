import type { LeaderboardEntry, TrainResult } from '../../pipeline/train.js';
import { SUSPECTS_LISTED } from '../../pipeline/suspect-rows.js';

const num = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? '—' : Math.abs(v) >= 1000 ? v.toFixed(1) : v.toFixed(4));

/** What `train` prints: the choice, the test metrics, the leaderboard, diagnostics and where files went. */
export function renderTrainText(result: TrainResult, files: { model: string; report: string; summary: string }, importance: readonly { column: string; importance: number }[] = []): string {
  const info = result.package.info;
  const lines: string[] = [];
  lines.push(`model: ${info.learner}  (${result.package.pipeline.target.task}, target '${result.package.pipeline.target.name}', ${info.trainRows.toLocaleString('en-US')} training rows)`);
  lines.push(`evaluation: ${info.evaluation}`);
  const fit = result.fit;
  lines.push(fit.refit ? `fit: refit on all ${fit.rows.toLocaleString('en-US')} labelled rows after evaluation, ${fit.why}; the test metrics measure the evaluated model (fitted on ${fit.evaluatedRows.toLocaleString('en-US')} rows), an estimate of this one` : `fit: no refit: ${fit.why}`);
  lines.push('');
  lines.push('test metrics:');
  for (const [k, v] of Object.entries(result.test.metrics)) lines.push(`  ${(k === result.metric ? `${k} *` : k).padEnd(14)} ${num(v)}   (train ${num(result.trainEvaluation.metrics[k as keyof typeof result.trainEvaluation.metrics])})`);
  if (result.leaderboard.length > 0) {
    lines.push('');
    lines.push(`leaderboard (${result.metric}, ${result.searchPlan ?? 'cross-validation on the training rows'}):`);
    for (const e of result.leaderboard) {
      // Stopping settings left out: they are the same for every candidate of a learner. Rounds and trees stay (refined candidates differ in them).
      const params = Object.entries(e.params).filter(([k]) => !['early_stopping_rounds', 'validation_fraction', 'max_iter', 'tol'].includes(k)).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');
      lines.push(`  ${num(e.score).padStart(8)}  ${cost(e)}  ${e.learner.padEnd(22)} ${params.padEnd(48)} ${e.note ?? `${e.seconds.toFixed(1)} s`}`);
    }
    lines.push(`  (±: the score's spread over the folds; then the kind of model, its measured time to predict one row, and its size)`);
    if (result.preference !== undefined) lines.push(result.preference);
  }
  if (result.suspects !== undefined && result.suspects.length > 0) {
    lines.push('');
    lines.push(`suspect labels: ${result.suspects.length.toLocaleString('en-US')}${result.suspects.length === SUSPECTS_LISTED ? '+' : ''} training row${result.suspects.length === 1 ? '' : 's'} whose label the model confidently contradicts (out of fold); check the first:`);
    for (const s of result.suspects.slice(0, 5)) lines.push(`  row ${s.row}${s.id !== undefined ? ` (${s.id})` : ''}: labelled ${JSON.stringify(s.label)}, the model says ${JSON.stringify(s.suggested)} at ${s.probability.toFixed(2)} (the label at ${s.labelProbability.toFixed(2)})`);
  }
  if (importance.length > 0) {
    lines.push('');
    lines.push(`most important columns: ${importance.slice(0, 5).map((c) => `${c.column} ${(c.importance * 100).toFixed(0)}%`).join(', ')}`);
  }
  if (result.diagnostics.length > 0 || result.warnings.length > 0) {
    lines.push('');
    for (const d of result.diagnostics) lines.push(`! ${d.kind}: ${d.message}`);
    for (const w of result.warnings) lines.push(`! ${w}`);
  }
  lines.push('');
  lines.push(`model   ${files.model}`);
  lines.push(`report  ${files.report}`);
  lines.push(`summary ${files.summary}`);
  return lines.join('\n');
}

/** A leaderboard row's spread and what the model costs in production: kind, one row's predict time, size. */
function cost(e: LeaderboardEntry): string {
  const spread = e.spread === undefined || Number.isNaN(e.score) ? '' : `±${e.spread.toFixed(4)}`;
  const latency = e.latencyUs === undefined || Number.isNaN(e.latencyUs) ? '—' : e.latencyUs < 1000 ? `${e.latencyUs.toFixed(0)} µs` : `${(e.latencyUs / 1000).toFixed(1)} ms`;
  const size = e.bytes === undefined ? '—' : e.bytes < 1024 ? `${e.bytes} B` : e.bytes < 1024 ** 2 ? `${(e.bytes / 1024).toFixed(0)} KB` : `${(e.bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${spread.padEnd(8)}  ${(e.interpretability ?? '').padEnd(8)} ${latency.padStart(7)} ${size.padStart(7)}`;
}
