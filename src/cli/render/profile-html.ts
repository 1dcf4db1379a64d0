import type { ColumnProfile } from '../../data/profile/profile.js';
import type { ProfileReport } from '../../data/load.js';
import { fmtDate, fmtInt, fmtNum, fmtPct } from './format.js';

const esc = (s: string): string => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** A self-contained HTML report: no scripts, no external files; histograms are inline SVG. */
export function renderProfileHtml(report: ProfileReport): string {
  const target = report.target;
  const parts: string[] = [];
  parts.push(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`);
  parts.push(`<title>Profile of ${esc(report.source)}</title><style>${CSS}</style></head><body>`);
  parts.push(`<header><h1>Profile of <code>${esc(report.source)}</code></h1>`);
  parts.push(`<p>${fmtInt(report.rows)} rows × ${report.columns.length} columns · ${esc(report.format)} · fingerprint <code>sha256:${report.fingerprint}</code></p></header>`);
  if (target !== undefined) {
    parts.push(`<section><h2>Target: ${esc(target.name)}</h2><p><b>${target.task}</b> — ${esc(target.reason)}</p>`);
    if (target.classes !== undefined) parts.push(barChart(target.classes.map((c) => ({ label: c.label, count: c.count, share: c.share }))));
    parts.push('</section>');
  }
  parts.push(`<section><h2>Warnings</h2>`);
  if (report.warnings.length === 0) parts.push('<p>None.</p>');
  else parts.push(`<ul class="warnings">${report.warnings.map((w) => `<li><b>${esc(w.kind)}</b> ${esc(w.message)}</li>`).join('')}</ul>`);
  parts.push('</section>');
  parts.push(`<section><h2>Columns</h2><table class="overview"><thead><tr><th>column</th><th>type</th><th>role</th><th>missing</th><th>distinct</th><th>why</th></tr></thead><tbody>`);
  for (const c of report.columns) {
    parts.push(
      `<tr><td><a href="#col-${slug(c.name)}">${esc(c.name)}</a></td><td><span class="type ${c.type}">${c.type}</span></td><td>${c.role}</td>` +
        `<td class="num">${fmtPct(c.missing / Math.max(1, report.rows))}</td><td class="num">${fmtInt(c.distinct)}</td><td>${esc(c.reason)}</td></tr>`,
    );
  }
  parts.push('</tbody></table></section>');
  if (report.clusters !== undefined) {
    const k = report.clusters;
    parts.push(`<section><h2>Clusters of rows</h2><p>k-means on ${k.columns} columns; k = ${k.k} by silhouette (${k.silhouette.toFixed(3)}${k.sampleRows < report.rows ? `, on a sample of ${fmtInt(k.sampleRows)} rows` : ''}).</p>`);
    parts.push(`<table class="overview"><thead><tr><th>cluster</th><th>rows</th><th>share</th><th>differs most in (standard deviations from the overall mean)</th></tr></thead><tbody>`);
    k.clusters.forEach((c, i) => {
      const diffs = c.differences.map((d) => `${esc(d.column)}${d.level !== undefined ? ` = ${esc(d.level)}` : ''} ${d.difference >= 0 ? '+' : '−'}${Math.abs(d.difference).toFixed(1)}σ`).join(' · ');
      parts.push(`<tr><td>${i}</td><td class="num">${fmtInt(c.size)}</td><td class="num">${fmtPct(c.share)}</td><td>${diffs}</td></tr>`);
    });
    parts.push('</tbody></table></section>');
  }
  for (const c of report.columns) parts.push(columnCard(c, report.rows));
  parts.push(`<footer>Made by hyperplane profile.</footer></body></html>`);
  return parts.join('\n');
}

function slug(name: string): string {
  return encodeURIComponent(name).replace(/%/g, '_');
}

function columnCard(c: ColumnProfile, rows: number): string {
  const stats: [string, string][] = [
    ['count', fmtInt(c.count)],
    ['missing', `${fmtInt(c.missing)} (${fmtPct(c.missing / Math.max(1, rows))})`],
    ['distinct', fmtInt(c.distinct)],
  ];
  const show = c.kind === 'datetime' ? fmtDate : (x: number | undefined) => fmtNum(x, 6);
  if (c.mean !== undefined && c.count > 0) {
    if (c.kind !== 'datetime') stats.push(['mean', show(c.mean)], ['std', fmtNum(c.std, 6)]);
    stats.push(['min', show(c.min)]);
    for (const [k, v] of Object.entries(c.quantiles ?? {})) stats.push([k, show(v)]);
    stats.push(['max', show(c.max)]);
  }
  if (c.meanLength !== undefined) stats.push(['mean length', fmtNum(c.meanLength, 3)]);
  const chart = c.histogram && c.histogram.counts.length > 0 ? histogramSvg(c.histogram.edges, c.histogram.counts, show) : c.top ? barChart(c.top) : '';
  return (
    `<section class="card" id="col-${slug(c.name)}"><h3>${esc(c.name)} <span class="type ${c.type}">${c.type}</span></h3><p class="reason">${esc(c.reason)}</p>` +
    `<div class="row"><table class="stats">${stats.map(([k, v]) => `<tr><th>${esc(k)}</th><td class="num">${esc(v)}</td></tr>`).join('')}</table>` +
    `<div class="chart">${chart}</div></div></section>`
  );
}

function histogramSvg(edges: readonly number[], counts: readonly number[], show: (x: number) => string): string {
  const w = 420;
  const h = 140;
  const max = Math.max(...counts, 1);
  const bw = w / counts.length;
  const bars = counts
    .map((c, i) => {
      const bh = (c / max) * (h - 20);
      const title = `${show(edges[i]!)} – ${show(edges[i + 1]!)}: ${fmtInt(c)}`;
      return `<rect x="${(i * bw + 1).toFixed(1)}" y="${(h - 20 - bh).toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${bh.toFixed(1)}"><title>${esc(title)}</title></rect>`;
    })
    .join('');
  const labels = `<text x="0" y="${h - 4}">${esc(show(edges[0]!))}</text><text x="${w}" y="${h - 4}" text-anchor="end">${esc(show(edges[edges.length - 1]!))}</text>`;
  return `<svg class="hist" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="histogram">${bars}${labels}</svg>`;
}

function barChart(items: readonly { label?: string; value?: string; count: number; share: number }[]): string {
  const rows = items
    .map((t) => {
      const label = t.label ?? t.value ?? '';
      return `<div class="bar"><span class="label" title="${esc(label)}">${esc(label)}</span><span class="track"><span class="fill" style="width:${(t.share * 100).toFixed(1)}%"></span></span><span class="num">${fmtInt(t.count)} · ${fmtPct(t.share)}</span></div>`;
    })
    .join('');
  return `<div class="bars">${rows}</div>`;
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto;max-width:1100px;padding:24px;color:#1b1f24;background:#fafbfc}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}h3{font-size:15px;margin:0 0 4px}
code{font:12px ui-monospace,Menlo,monospace;background:#eef1f4;padding:1px 4px;border-radius:3px}
table{border-collapse:collapse}th,td{padding:3px 10px 3px 0;text-align:left;vertical-align:top}
.overview{width:100%}.overview th{border-bottom:1px solid #ccd}.overview td{border-bottom:1px solid #eee}
.num{text-align:right;font-variant-numeric:tabular-nums}
.type{font-size:11px;padding:1px 6px;border-radius:8px;background:#e4e8ee}
.type.numeric{background:#dbeafe}.type.categorical{background:#dcfce7}.type.binary{background:#fef3c7}.type.text{background:#f3e8ff}
.type.datetime{background:#cffafe}.type.id,.type.constant{background:#f1f1f1;color:#666}
.warnings li{margin:4px 0}.warnings b{color:#b45309}
.card{background:#fff;border:1px solid #e3e6ea;border-radius:6px;padding:12px 16px;margin:12px 0}
.reason{color:#555;margin:0 0 8px}.row{display:flex;gap:24px;flex-wrap:wrap}.stats th{color:#555;font-weight:500}
.hist rect{fill:#4f7cc2}.hist text{font-size:11px;fill:#555}
.bars{min-width:420px}.bar{display:flex;align-items:center;gap:8px;margin:2px 0}
.bar .label{width:140px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}.bar .track{flex:1;background:#eef1f4;height:12px;border-radius:2px}
.bar .fill{display:block;height:12px;background:#4f7cc2;border-radius:2px}.bar .num{width:130px}
footer{color:#888;margin-top:32px;font-size:12px}
`;
