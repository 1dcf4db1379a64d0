import type { Diagnostic } from '../../evaluate/diagnostics.js';
import type { Evaluation, MetricName } from '../../evaluate/evaluate.js';
import type { PackageInfo } from '../../pipeline/package.js';
import type { TargetSpec } from '../../pipeline/pipeline.js';
import type { LeaderboardEntry } from '../../pipeline/train.js';
import type { SuspectLabel } from '../../pipeline/suspect-rows.js';
import type { GlobalImportance } from '../../explain/global.js';
import { esc } from './html.js';
import { area, binaryCharts, oneVsRestCharts } from './report-curves.js';
import { SCORECARD_CSS, scorecardSection, type ScorecardReport } from './report-scorecard.js';
const num = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? '—' : v.toFixed(4));

export interface ReportInput {
  title: string;
  info: PackageInfo;
  target: TargetSpec;
  metric: MetricName;
  test: Evaluation;
  train?: Evaluation;
  leaderboard?: LeaderboardEntry[];
  /** `--prefer simple`: what was chosen instead of the best, in words. */
  preference?: string;
  /** Training rows whose label the model confidently contradicts. */
  suspects?: SuspectLabel[];
  searchPlan?: string;
  importance?: readonly { column: string; importance: number }[];
  /** Mean |SHAP| and permutation importance on the test rows. */
  globalImportance?: GlobalImportance;
  diagnostics?: Diagnostic[];
  warnings?: string[];
  /** A scorecard model's card, and its scores on the test rows. */
  scorecard?: ScorecardReport;
}

/** A self-contained HTML report (no scripts, no network): metrics, curves, confusion matrix, diagnostics, leaderboard. */
export async function renderReportHtml(r: ReportInput): Promise<string> {
  const sections: string[] = [];
  sections.push(`<h1>${esc(r.title)}</h1><p class="sub">${esc(r.target.task)} · target <b>${esc(r.target.name)}</b> · ${esc(r.info.evaluation)} · trained ${esc(r.info.createdAt)} on ${r.info.trainRows.toLocaleString('en-US')} rows · data ${esc(r.info.fingerprint.slice(0, 12))}</p>`);
  const fit = r.info.fit;
  if (fit?.refit === true) sections.push(`<p class="fit">The figures and curves below measure the evaluated model, fitted on ${fit.evaluatedRows.toLocaleString('en-US')} rows. The package holds the same pipeline refit on all ${r.info.trainRows.toLocaleString('en-US')} labelled rows after evaluation (${esc(fit.why)}): they estimate it.</p>`);
  else if (fit !== undefined) sections.push(`<p class="fit">The package holds the model these figures measure (no refit: ${esc(fit.why)}).</p>`);
  const rows = Object.entries(r.test.metrics)
    .map(([k, v]) => `<tr${k === r.metric ? ' class="main"' : ''}><td>${esc(k)}</td><td>${num(v)}</td><td>${num(r.train?.metrics[k as MetricName])}</td></tr>`)
    .join('');
  sections.push(`<h2>Metrics</h2><table><tr><th>metric</th><th>test</th><th>train</th></tr>${rows}</table>`);
  const notes = [...(r.diagnostics ?? []).map((d) => `<li><b>${esc(d.kind)}</b>: ${esc(d.message)}</li>`), ...(r.warnings ?? []).map((w) => `<li>${esc(w)}</li>`)];
  sections.push(`<h2>Diagnostics</h2>${notes.length > 0 ? `<ul>${notes.join('')}</ul>` : '<p>Nothing to flag: no overfitting, underfitting, degenerate predictions or imbalance found.</p>'}`);
  if (r.test.binary !== undefined) {
    const b = r.test.binary;
    const c = b.atThreshold.confusion;
    const labels = r.target.labels ?? ['0', '1'];
    sections.push(
      `<h2>Confusion matrix at threshold ${b.atThreshold.threshold}</h2><table><tr><th></th><th>predicted ${esc(labels[0]!)}</th><th>predicted ${esc(labels[1]!)}</th></tr><tr><th>actual ${esc(labels[0]!)}</th><td>${c.tn}</td><td>${c.fp}</td></tr><tr><th>actual ${esc(labels[1]!)}</th><td>${c.fn}</td><td>${c.tp}</td></tr></table>` +
        `<p>precision ${num(b.atThreshold.precision)} · recall ${num(b.atThreshold.recall)} · specificity ${num(b.atThreshold.specificity)} · F1 ${num(b.atThreshold.f1)}. The best F1 on these rows, ${num(b.atBestF1.f1)}, is at threshold ${num(b.atBestF1.threshold)}.</p>`,
    );
    sections.push(`<h2>Curves</h2><div class="charts">${(await binaryCharts(r.test)).map(figure).join('')}</div>`);
  }
  if (r.test.multiclass !== undefined) {
    const m = r.test.multiclass;
    const head = m.perClass.map((c) => `<th>${esc(c.label)}</th>`).join('');
    const body = m.confusion.map((row, a) => `<tr><th>${esc(m.perClass[a]!.label)}</th>${row.map((v) => `<td>${v}</td>`).join('')}</tr>`).join('');
    sections.push(`<h2>Confusion matrix (rows: actual, columns: predicted)</h2><table><tr><th></th>${head}</tr>${body}</table>`);
    const ovr = new Map((r.test.oneVsRest ?? []).map((c) => [c.label, c]));
    sections.push(
      `<h2>Per class</h2><table><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>AUC (vs rest)</th><th>AP (vs rest)</th><th>rows</th></tr>${m.perClass.map((c) => `<tr><td>${esc(c.label)}</td><td>${num(c.precision)}</td><td>${num(c.recall)}</td><td>${num(c.f1)}</td><td>${area(ovr.get(c.label)?.auc)}</td><td>${area(ovr.get(c.label)?.ap)}</td><td>${c.support}</td></tr>`).join('')}</table>`,
    );
    if (r.test.oneVsRest !== undefined) {
      const { charts, note } = await oneVsRestCharts(r.test);
      sections.push(`<h2>Curves, one class against the rest</h2><p>${esc(note)}</p><div class="charts">${charts.map(figure).join('')}</div>`);
    }
  }
  if (r.scorecard !== undefined) sections.push(scorecardSection(r.scorecard));
  if (r.importance !== undefined && r.importance.length > 0) {
    const top = r.importance.slice(0, 20);
    const max = top[0]!.importance;
    const rows = top.map((c) => `<tr><td>${esc(c.column)}</td><td class="bar"><span style="width:${((c.importance / max) * 100).toFixed(1)}%"></span></td><td>${(c.importance * 100).toFixed(1)}%</td></tr>`).join('');
    sections.push(`<h2>Feature importance</h2><p>Share of the model's split gain (trees) or standardized coefficient size (linear models), by input column.</p><table>${rows}</table>`);
  }
  if (r.globalImportance !== undefined && r.globalImportance.columns.length > 0) sections.push(drivers(r.globalImportance));
  if (r.leaderboard !== undefined && r.leaderboard.length > 0) {
    const latency = (us: number | undefined): string => (us === undefined || Number.isNaN(us) ? '—' : us < 1000 ? `${us.toFixed(0)} µs` : `${(us / 1000).toFixed(1)} ms`);
    const size = (bytes: number | undefined): string => (bytes === undefined ? '—' : bytes < 1024 ** 2 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 ** 2).toFixed(1)} MB`);
    const body = r.leaderboard
      .map(
        (e) =>
          `<tr><td>${num(e.score)}${e.spread !== undefined && !Number.isNaN(e.score) ? ` <span class="none">±${e.spread.toFixed(4)}</span>` : ''}</td><td>${esc(e.learner)}</td><td class="params">${e.learner.startsWith('ensemble(') ? '<span class="none">the members named, their scores averaged with these weights</span>' : params(e.params)}</td><td>${esc(e.interpretability ?? '—')}</td><td>${latency(e.latencyUs)}</td><td>${size(e.bytes)}</td><td>${e.note !== undefined ? esc(e.note) : `${e.seconds.toFixed(1)} s`}</td></tr>`,
      )
      .join('');
    sections.push(
      `<h2>Leaderboard</h2><p>${esc(r.metric)} by ${esc(r.searchPlan ?? 'cross-validation on the training rows')} (± its spread over the folds), with what each would cost in production: the kind of model, its measured time to predict one row, and its size.</p>${r.preference !== undefined ? `<p>${esc(r.preference)}</p>` : ''}<table class="leaderboard"><colgroup><col class="score"><col class="learner"><col><col class="kind"><col class="time"><col class="time"><col class="time"></colgroup><tr><th>${esc(r.metric)}</th><th>learner</th><th class="params">params</th><th>kind</th><th>a row</th><th>size</th><th>time</th></tr>${body}</table>`,
    );
  }
  if (r.suspects !== undefined && r.suspects.length > 0) {
    const rows = r.suspects.slice(0, 20).map((s) => `<tr><td>${s.row}</td><td>${esc(s.id ?? '')}</td><td>${esc(s.label)}</td><td>${esc(s.suggested)}</td><td>${s.probability.toFixed(2)}</td><td>${s.labelProbability.toFixed(2)}</td></tr>`).join('');
    sections.push(`<h2>Suspect labels</h2><p>${r.suspects.length} training rows whose label the model confidently contradicts, by confident learning on out-of-fold probabilities (a class reaches its own average confidence and beats the label); the first ${Math.min(20, r.suspects.length)}, most confident first. Wrong labels teach the model wrong answers: check them.</p><table><tr><th>row</th><th>id</th><th>labelled</th><th>the model says</th><th>its probability</th><th>the label's</th></tr>${rows}</table>`);
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(r.title)}</title><style>${CSS}${r.scorecard !== undefined ? `\n${SCORECARD_CSS}` : ''}</style></head><body>${sections.join('\n')}</body></html>\n`;
}

const figure = (svg: string): string => `<figure>${svg}</figure>`;

/** The SHAP summary as bars (mean |contribution| by column) beside permutation importance with its noise band. */
function drivers(g: GlobalImportance): string {
  const top = g.columns.slice(0, 20);
  const maxShap = Math.max(...top.map((c) => c.meanAbsContribution ?? 0));
  const maxDrop = Math.max(...top.map((c) => Math.abs(c.permutation.drop) + c.permutation.sd), 1e-12);
  const bar = (v: number, max: number): string => `<td class="bar"><span style="width:${max > 0 ? ((Math.max(0, v) / max) * 100).toFixed(1) : '0'}%"></span></td>`;
  const rows = top
    .map((c) => `<tr><td>${esc(c.column)}</td>${c.meanAbsContribution !== undefined ? `${bar(c.meanAbsContribution, maxShap)}<td>${c.meanAbsContribution.toFixed(4)}</td>` : ''}${bar(c.permutation.drop, maxDrop)}<td>${c.permutation.drop.toFixed(4)} ± ${c.permutation.sd.toFixed(4)}</td></tr>`)
    .join('');
  const shap = g.scale !== undefined ? `<th colspan="2">mean |contribution| (${esc(g.scale)})</th>` : '';
  return `<h2>What drives the predictions</h2><p>On ${g.rows.toLocaleString('en-US')} test rows: each column's mean absolute contribution to the model's margin (SHAP values, summed over the column's features), and how much ${esc(g.metric)} worsens when the column's values are shuffled among the rows (mean ± standard deviation over ${g.repeats} shuffles; a drop within its band is noise).</p><table><tr><th>column</th>${shap}<th colspan="2">${esc(g.metric)} drop when shuffled</th></tr>${rows}</table>`;
}

/** A learner's parameters as key=value chips that wrap, rather than one long line of JSON. */
function params(p: object): string {
  const entries = Object.entries(p);
  if (entries.length === 0) return '<span class="none">defaults</span>';
  return entries.map(([k, v]) => `<span class="kv">${esc(k)}=${esc(typeof v === 'string' ? v : JSON.stringify(v))}</span>`).join(' ');
}

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:980px;color:#1d2430;padding:0 1rem}
h1{font-size:1.4rem;margin-bottom:.2rem}.sub{color:#5b6574;margin-top:0}h2{font-size:1.05rem;margin-top:1.6rem;border-bottom:1px solid #e3e6ea;padding-bottom:.2rem}
table{border-collapse:collapse}td,th{padding:.25rem .7rem;border-bottom:1px solid #eef0f2;text-align:right}th:first-child,td:nth-child(2){text-align:left}
tr.main td{font-weight:600}.charts{display:flex;flex-wrap:wrap;gap:1.5rem 2rem;align-items:flex-start}figure{margin:0}figure svg{max-width:100%;height:auto}
table.leaderboard{table-layout:fixed;width:100%}col.score{width:6rem}col.learner{width:15rem}table.leaderboard th:nth-child(2){text-align:left}col.time{width:5rem}col.kind{width:6rem}
th.params{text-align:left}td.params{text-align:left;overflow-wrap:anywhere;font-size:.8rem;color:#444}.kv{display:inline-block;background:#f3f5f7;border-radius:3px;padding:0 .35rem;margin:.1rem 0;font-family:ui-monospace,monospace}.none{color:#8a929c}
td.bar{width:240px}td.bar span{display:block;height:10px;background:#2f6fdb;border-radius:2px}`;
