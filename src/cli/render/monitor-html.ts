/**
 * `hyperplane monitor --html FILE`: the report reportText prints, as a self-contained page (no
 * scripts, no network; the charts are inline SVG from Vega-Lite), with drift over time, each column's
 * reference and current distributions, and quality over time.
 */
import type { ColumnDrift } from '../../monitor/drift.js';
import type { MonitorReport } from '../../monitor/monitor.js';
import type { MonitorReference } from '../../monitor/reference.js';
import type { WindowAggregate } from '../../monitor/window.js';
import type { Alert } from '../../store/alerts.js';
import { renderSpec } from './charts.js';
import { esc } from './html.js';
import { distributionBars, distributionSpec, DRIFT_LINES, driftOverTimeSpec, qualityLines, qualitySpec } from './monitor-charts.js';

/** Columns whose distributions are drawn: the drifted first, then by rank. */
export const DISTRIBUTION_CHARTS = 12;

const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;
const num = (v: number | undefined): string => (v === undefined ? '–' : !Number.isFinite(v) ? '∞' : Math.abs(v) >= 1000 ? v.toFixed(0) : Number(v.toPrecision(3)).toString());
const int = (v: number): string => v.toLocaleString('en-US');
const when = (iso: string): string => esc(iso.slice(0, 16).replace('T', ' '));
const figure = (svg: string): string => `<figure>${svg}</figure>`;

/** A table: header cells and rows of cells already escaped; a row's class where given. */
function table(header: readonly string[], rows: readonly { cells: readonly string[]; className?: string }[]): string {
  const head = `<tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`;
  return `<table>${head}${rows.map((r) => `<tr${r.className !== undefined ? ` class="${r.className}"` : ''}>${r.cells.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</table>`;
}

const DRIFT_HEADER = ['column', 'test', 'statistic', 'p-value', 'effect', 'PSI', 'missing', 'new categories', 'importance', ''];

/** A column's row as reportText prints it: test, statistic, p-value, effect, PSI, missing share, new categories, importance. */
function driftRow(c: ColumnDrift, importance: number | undefined): { cells: string[]; className?: string } {
  const newCategories = (c.newCategories ?? []).map((n) => `${esc(n.label)} ${pct(n.share)}`).join(', ') || '–';
  const cells = [esc(c.column), c.test, num(c.statistic), num(c.pValue), num(c.effect), num(c.psi), `${pct(c.missing.reference)} → ${pct(c.missing.window)}`, newCategories, importance === undefined ? '–' : pct(importance), c.drifted ? '<b>DRIFT</b>' : ''];
  return c.drifted ? { cells, className: 'drift' } : { cells };
}

function driftSections(r: MonitorReport): string[] {
  const drifted = r.columns.filter((c) => c.drifted);
  const summary = `<p class="summary">Drift in <b>${drifted.length} of ${r.columns.length}</b> columns (${pct(r.driftShare)})${drifted.length > 0 ? `: ${drifted.map((c) => esc(c.column)).join(', ')}` : ''}.</p>`;
  const out = [`<h2>Drift</h2>${summary}${table(DRIFT_HEADER, r.columns.map((c) => driftRow(c, c.importance)))}`];
  out.push(`<h2>Prediction drift</h2>${table(DRIFT_HEADER, r.prediction.map((c) => driftRow(c, undefined)))}`);
  if (r.target !== null) {
    const t = r.target;
    out.push(`<p>Outcomes sent back against the training target: ${t.test} ${num(t.statistic)}${t.pValue !== undefined ? ` (p ${num(t.pValue)})` : ''}, effect ${num(t.effect)} over ${int(t.rows)} outcomes${t.drifted ? ': <b>DRIFT</b>' : ''}.</p>`);
  }
  const m = r.multivariate;
  if (m === null) out.push('<p>Multivariate drift: not measured (the reference keeps no sample of training rows: a package trained before it did).</p>');
  else if (m !== undefined && m.auc !== null) out.push(`<p>Multivariate drift: a classifier tells live rows from training rows with AUC <b>${num(m.auc)}</b> (${int(m.rows)} against ${int(m.referenceRows)} sampled rows; drift above ${num(m.threshold)})${m.drifted ? `: <b>DRIFT</b>; it leaned on ${m.features.map(esc).join(', ')}` : ''}.</p>`);
  const schema = (w: MonitorReport['windows'][number]): string => {
    const q = w.dataQuality;
    if (q === undefined) return '–';
    const parts = [[q.invalid, 'invalid'], [q.outOfRange, 'out of range'], [q.unknownCategory, 'unknown']].filter(([n]) => typeof n === 'number' && n > 0).map(([n, what]) => `${int(n as number)} ${String(what)}`);
    return parts.join(', ') || '–';
  };
  const windows = r.windows.map((w) => ({
    cells: [
      when(w.start),
      int(w.rows),
      w.tooFewRows === true ? 'too few rows' : pct(w.driftShare),
      w.driftShareVsPrevious === null ? '–' : pct(w.driftShareVsPrevious),
      w.prediction.drifted ? '<b>DRIFT</b>' : '',
      w.score === undefined || w.score === null ? '–' : `${num(w.score.p10)} / ${num(w.score.p50)} / ${num(w.score.p90)}`,
      w.multivariate === undefined || w.multivariate.auc === null ? '–' : `${num(w.multivariate.auc)}${w.multivariate.drifted ? ' <b>DRIFT</b>' : ''}`,
      schema(w),
      w.drifted.map(esc).join(', ') || '–',
    ],
  }));
  out.push(`<h2>Windows</h2>${table(['window (UTC)', 'rows', 'drift', 'vs previous', 'prediction', 'score p10 / p50 / p90', 'classifier AUC', 'schema issues', 'drifted columns'], windows)}`);
  for (const view of r.segments ?? []) {
    const names = [...new Set(view.levels.flatMap((l) => Object.keys(l.quality.metrics)))];
    const rows = view.levels.map((l) => ({ cells: [esc(l.level), int(l.rows), l.tooFewRows === true ? 'too few rows' : pct(l.driftShare), l.prediction.drifted ? '<b>DRIFT</b>' : '', l.drifted.map(esc).join(', ') || '–', pct(l.quality.labelledShare), ...names.map((n) => num(l.quality.metrics[n]))], ...(l.drifted.length > 0 ? { className: 'drift' } : {}) }));
    out.push(`<h2>Segments by ${esc(view.column)}</h2><p>Each level's drift (of the other columns) and quality over the range, folded from the raw prediction log.</p>${table(['level', 'rows', 'drift', 'prediction', 'drifted columns', 'labelled', ...names], rows)}`);
  }
  if (r.arms !== undefined && r.arms.length > 0) {
    const names = [...new Set(r.arms.flatMap((a) => Object.keys(a.metrics)))];
    out.push(`<h2>Quality by arm</h2>${table(['arm', 'predictions', 'labelled', ...names], r.arms.map((a) => ({ cells: [esc(a.arm), int(a.predictions), pct(a.labelledShare), ...names.map((n) => num(a.metrics[n]))] })))}`);
  }
  return out;
}

async function chartSections(r: MonitorReport, reference: MonitorReference, current: WindowAggregate | undefined): Promise<string[]> {
  const overTime = await renderSpec(driftOverTimeSpec(r), 'drift-over-time');
  const out = [
    `<h2>Drift over time</h2><p>Each window's effect for the ${Math.min(DRIFT_LINES, r.columns.length)} top-ranked columns: Wasserstein distance in reference standard deviations for numbers, Jensen–Shannon distance for categories. Windows of more than 1,000 rows drift at the dashed threshold; smaller ones by their test's p-value.</p>${figure(overTime)}`,
  ];
  if (current === undefined) return [...out, '<h2>Distributions</h2><p>No folded windows were given: distributions not drawn.</p>'];
  const columns = r.columns.filter((c) => reference.columns[c.column] !== undefined && current.columns[c.column] !== undefined).slice(0, DISTRIBUTION_CHARTS);
  const charts = await Promise.all([
    ...columns.map((c, k) => renderSpec(distributionSpec(`${c.column}${c.drifted ? ' (drift)' : ''}`, distributionBars(reference.columns[c.column]!, current.columns[c.column]!)), `distribution-${k}`)),
    renderSpec(distributionSpec('prediction score', distributionBars(reference.prediction.score, current.prediction.score)), 'distribution-prediction'),
  ]);
  out.push(`<h2>Distributions</h2><p>Share of rows in each bin (numbers: the reference's quantile bins) or level, at training and over the range; drifted columns first, then by rank.</p><div class="charts">${charts.map(figure).join('')}</div>`);
  return out;
}

async function qualitySections(r: MonitorReport): Promise<string[]> {
  const out: string[] = [];
  const trained = Object.entries(r.reference.metrics).map(([k, v]) => `${esc(k)} ${num(v)}`).join(', ') || 'none recorded';
  const lines = qualityLines(r);
  if (r.quality.some((q) => q.labelled > 0)) {
    const names = [...new Set(r.quality.flatMap((q) => Object.keys(q.metrics)))];
    const rows = r.quality.map((q) => ({ cells: [when(q.start), int(q.predictions), pct(q.labelledShare), q.labelDelayMs === null ? '–' : duration(q.labelDelayMs.median), ...names.map((n) => num(q.metrics[n]))] }));
    out.push(`<h2>Quality from outcomes sent back</h2><p>At training, on held-out rows: ${trained}.</p>${table(['window (UTC)', 'predictions', 'labelled', 'label delay', ...names], rows)}`);
  } else out.push(`<h2>Quality</h2><p>No outcomes sent back in this range. At training, on held-out rows: ${trained}.</p>`);
  if (r.estimated.length > 0) {
    const rows = r.estimated.map((e) => ({ cells: [when(e.start), int(e.rows), num(e.accuracy), e.auc === null ? '–' : num(e.auc)] }));
    out.push(`<h2>Estimated before outcomes arrive</h2><p>CBPE: each answer's calibrated probability is the chance it is right.</p>${table(['window (UTC)', 'rows', 'accuracy', 'auc'], rows)}`);
  }
  if (lines.length > 0) out.push(`<h2>Quality over time</h2><div class="charts">${(await Promise.all(lines.map((q, k) => renderSpec(qualitySpec(q), `quality-${k}`)))).map(figure).join('')}</div>`);
  return out;
}

function alertsSection(alerts: readonly Alert[]): string {
  if (alerts.length === 0) return '<h2>Alerts</h2><p>None firing (rules are evaluated with --config).</p>';
  const evidence = (a: Alert): string => `${esc(a.evidence.metric)} ${esc(a.evidence.op)} ${num(a.evidence.threshold)}: ${a.evidence.windows.map((w) => `${when(w.start)} ${w.value === null ? '–' : num(w.value)}`).join(', ')}`;
  const rows = alerts.map((a) => ({ cells: [esc(a.rule), esc(a.condition), esc(a.state), when(new Date(a.firedAt).toISOString()), evidence(a)], className: a.state }));
  return `<h2>Alerts</h2>${table(['rule', 'condition', 'state', 'fired (UTC)', 'evidence: value per window'], rows)}`;
}

/** The monitoring report as one HTML page; `current` is the range's windows merged (mergeWindows), for the distributions. */
export async function monitorHtml(report: MonitorReport, reference: MonitorReference, current: WindowAggregate | undefined): Promise<string> {
  const name = `${report.model}/${report.version}`;
  const sections = [`<h1>Monitoring ${esc(name)}</h1><p class="sub">${int(report.rows)} predictions since ${esc(report.since)} in ${report.windows.length} windows of ${duration(report.windowMs)} · reference: ${int(report.reference.rows)} training rows, predictions on ${esc(report.reference.predictionSource)} rows</p>`];
  if (report.rows === 0) sections.push('<p class="summary">No traffic in this range: nothing to compare.</p>');
  else sections.push(...driftSections(report), ...(await chartSections(report, reference, current)), ...(await qualitySections(report)), alertsSection(report.alerts));
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Monitoring ${esc(name)}</title><style>${CSS}</style></head><body>${sections.join('\n')}</body></html>\n`;
}

function duration(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(0)} s` : ms < 3_600_000 ? `${(ms / 60_000).toFixed(0)} min` : ms < 86_400_000 ? `${(ms / 3_600_000).toFixed(1)} h` : `${(ms / 86_400_000).toFixed(1)} d`;
}

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#1d2430;padding:0 1rem}
h1{font-size:1.4rem;margin-bottom:.2rem}.sub{color:#5b6574;margin-top:0}h2{font-size:1.05rem;margin-top:1.6rem;border-bottom:1px solid #e3e6ea;padding-bottom:.2rem}
table{border-collapse:collapse}td,th{padding:.25rem .7rem;border-bottom:1px solid #eef0f2;text-align:right}th:first-child,td:first-child{text-align:left}
tr.drift td,tr.firing td{background:#fdf0ec}tr.drift td:last-child{color:#c2410c}.summary{font-size:1rem}
.charts{display:flex;flex-wrap:wrap;gap:1.5rem 2rem;align-items:flex-start}figure{margin:0}figure svg{max-width:100%;height:auto}`;
