import type { Point } from '../../evaluate/curves.js';
import type { Diagnostic } from '../../evaluate/diagnostics.js';
import type { Evaluation, MetricName } from '../../evaluate/evaluate.js';
import type { PackageInfo } from '../../pipeline/package.js';
import type { TargetSpec } from '../../pipeline/pipeline.js';
import type { LeaderboardEntry } from '../../pipeline/train.js';

const esc = (s: string): string => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
const num = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? '—' : v.toFixed(4));

export interface ReportInput {
  title: string;
  info: PackageInfo;
  target: TargetSpec;
  metric: MetricName;
  test: Evaluation;
  train?: Evaluation;
  leaderboard?: LeaderboardEntry[];
  searchPlan?: string;
  importance?: readonly { column: string; importance: number }[];
  diagnostics?: Diagnostic[];
  warnings?: string[];
}

/** A self-contained HTML report (no scripts, no network): metrics, curves, confusion matrix, diagnostics, leaderboard. */
export function renderReportHtml(r: ReportInput): string {
  const sections: string[] = [];
  sections.push(`<h1>${esc(r.title)}</h1><p class="sub">${esc(r.target.task)} · target <b>${esc(r.target.name)}</b> · ${esc(r.info.evaluation)} · trained ${esc(r.info.createdAt)} on ${r.info.trainRows.toLocaleString('en-US')} rows · data ${esc(r.info.fingerprint.slice(0, 12))}</p>`);
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
    sections.push(
      `<h2>Curves</h2><div class="charts">${chart('ROC', b.curves.roc, 'false positive rate', 'true positive rate', true)}${chart('Precision–recall', b.curves.pr, 'recall', 'precision', false)}${chart('Calibration', b.curves.calibration, 'mean predicted', 'share positive', true)}${chart('Cumulative gain', b.curves.gain, 'share of rows', 'share of positives', true)}</div>`,
    );
  }
  if (r.test.multiclass !== undefined) {
    const m = r.test.multiclass;
    const head = m.perClass.map((c) => `<th>${esc(c.label)}</th>`).join('');
    const body = m.confusion.map((row, a) => `<tr><th>${esc(m.perClass[a]!.label)}</th>${row.map((v) => `<td>${v}</td>`).join('')}</tr>`).join('');
    sections.push(`<h2>Confusion matrix (rows: actual, columns: predicted)</h2><table><tr><th></th>${head}</tr>${body}</table>`);
    sections.push(`<h2>Per class</h2><table><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>rows</th></tr>${m.perClass.map((c) => `<tr><td>${esc(c.label)}</td><td>${num(c.precision)}</td><td>${num(c.recall)}</td><td>${num(c.f1)}</td><td>${c.support}</td></tr>`).join('')}</table>`);
  }
  if (r.importance !== undefined && r.importance.length > 0) {
    const top = r.importance.slice(0, 20);
    const max = top[0]!.importance;
    const rows = top.map((c) => `<tr><td>${esc(c.column)}</td><td class="bar"><span style="width:${((c.importance / max) * 100).toFixed(1)}%"></span></td><td>${(c.importance * 100).toFixed(1)}%</td></tr>`).join('');
    sections.push(`<h2>Feature importance</h2><p>Share of the model's split gain (trees) or standardized coefficient size (linear models), by input column.</p><table>${rows}</table>`);
  }
  if (r.leaderboard !== undefined && r.leaderboard.length > 0) {
    const body = r.leaderboard.map((e) => `<tr><td>${num(e.score)}</td><td>${esc(e.learner)}</td><td><code>${esc(JSON.stringify(e.params))}</code></td><td>${e.note !== undefined ? esc(e.note) : `${e.seconds.toFixed(1)} s`}</td></tr>`).join('');
    sections.push(`<h2>Leaderboard</h2><p>${esc(r.metric)} by ${esc(r.searchPlan ?? 'cross-validation on the training rows')}.</p><table><tr><th>${esc(r.metric)}</th><th>learner</th><th>params</th><th>time</th></tr>${body}</table>`);
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(r.title)}</title><style>${CSS}</style></head><body>${sections.join('\n')}</body></html>\n`;
}

/** A line chart of points in the unit square, with the diagonal where it means "no skill". */
function chart(title: string, points: readonly Point[], xLabel: string, yLabel: string, diagonal: boolean): string {
  const W = 260;
  const H = 220;
  const P = 30;
  const x = (v: number): number => P + v * (W - P - 8);
  const y = (v: number): number => H - P - v * (H - P - 8);
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`).join('');
  return `<figure><figcaption>${esc(title)}</figcaption><svg width="${W}" height="${H}" role="img" aria-label="${esc(title)}"><rect x="${P}" y="8" width="${W - P - 8}" height="${H - P - 8}" class="frame"/>${diagonal ? `<line x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" class="diag"/>` : ''}<path d="${path}" class="curve"/><text x="${W / 2}" y="${H - 8}" class="axis">${esc(xLabel)}</text><text x="10" y="${H / 2}" class="axis" transform="rotate(-90 10 ${H / 2})">${esc(yLabel)}</text></svg></figure>`;
}

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:980px;color:#1d2430;padding:0 1rem}
h1{font-size:1.4rem;margin-bottom:.2rem}.sub{color:#5b6574;margin-top:0}h2{font-size:1.05rem;margin-top:1.6rem;border-bottom:1px solid #e3e6ea;padding-bottom:.2rem}
table{border-collapse:collapse}td,th{padding:.25rem .7rem;border-bottom:1px solid #eef0f2;text-align:right}th:first-child,td:nth-child(2){text-align:left}
tr.main td{font-weight:600}.charts{display:flex;flex-wrap:wrap;gap:1rem}figure{margin:0}figcaption{font-weight:600;font-size:.9rem}
.frame{fill:#fafbfc;stroke:#d5d9de}.diag{stroke:#c4c9d0;stroke-dasharray:4 3}.curve{fill:none;stroke:#2f6fdb;stroke-width:2}.axis{font-size:11px;fill:#5b6574;text-anchor:middle}
code{font-size:.8rem;color:#444}td.bar{width:240px}td.bar span{display:block;height:10px;background:#2f6fdb;border-radius:2px}`;
