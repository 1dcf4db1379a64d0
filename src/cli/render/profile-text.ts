import type { RowClusters } from '../../data/profile/profile.js';
import type { ColumnProfile } from '../../data/profile/profile.js';
import type { ProfileReport } from '../../data/load.js';
import { fmtDate, fmtInt, fmtNum, fmtPct, sparkline, textTable, truncate } from './format.js';

/** The profile as a person reads it in a terminal. */
export function renderProfileText(report: ProfileReport): string {
  const out: string[] = [];
  out.push(`source       ${report.source} (${report.format}), ${fmtInt(report.rows)} rows × ${report.columns.length} columns`);
  out.push(`fingerprint  sha256:${report.fingerprint}`);
  if (report.target !== undefined) {
    const t = report.target;
    out.push(`target       ${t.name}: ${t.task} (${t.reason})`);
    if (t.classes !== undefined) {
      const shown = t.classes.slice(0, 8).map((c) => `${truncate(c.label, 20)} ${fmtInt(c.count)} (${fmtPct(c.share)})`);
      if (t.classes.length > 8) shown.push(`… ${t.classes.length - 8} more`);
      out.push(`labels       ${shown.join(' · ')}`);
    }
  }
  out.push('');
  const rows = report.columns.map((c) => [
    truncate(c.name, 28) + (c.role === 'target' ? ' ◀' : ''),
    c.type + (c.role === 'ignored' ? ' (ignored)' : ''),
    fmtPct(c.missing / Math.max(1, report.rows)),
    fmtInt(c.distinct),
    summary(c),
    c.histogram ? sparkline(c.histogram.counts) : c.top ? sparkline(c.top.map((t) => t.count)) : '',
  ]);
  out.push(textTable(['column', 'type', 'missing', 'distinct', 'summary', 'histogram'], rows, new Set([2, 3])));
  out.push('');
  out.push('why these types');
  const nameWidth = Math.min(28, Math.max(...report.columns.map((c) => [...c.name].length)));
  for (const c of report.columns) out.push(`  ${truncate(c.name, 28).padEnd(nameWidth)}  ${c.reason}`);
  out.push('');
  if (report.warnings.length === 0) out.push('warnings: none');
  else {
    out.push(`warnings (${report.warnings.length})`);
    for (const w of report.warnings) out.push(`  ! ${w.message}`);
  }
  if (report.clusters !== undefined) {
    out.push('');
    out.push(...clusterLines(report.clusters));
  }
  out.push('');
  out.push(`read ${fmtInt(report.timings.readMs)} ms · profile ${fmtInt(report.timings.profileMs)} ms`);
  return out.join('\n');
}

function summary(c: ColumnProfile): string {
  if (c.kind === 'datetime') {
    if (c.count === 0) return 'all missing';
    return `${fmtDate(c.min)} … ${fmtDate(c.max)}`;
  }
  if (c.mean !== undefined) {
    if (c.count === 0) return 'all missing';
    const q = c.quantiles ?? {};
    return `mean ${fmtNum(c.mean)} ± ${fmtNum(c.std)} · min ${fmtNum(c.min)} · median ${fmtNum(q['p50'])} · max ${fmtNum(c.max)}`;
  }
  if (c.top !== undefined) {
    if (c.count === 0) return 'all missing';
    const parts = c.top.slice(0, 3).map((t) => `${truncate(t.value, 18)} ${fmtPct(t.share)}`);
    const more = c.distinct > 3 ? ` … +${fmtInt(c.distinct - 3)}` : '';
    return parts.join(' · ') + more;
  }
  return '';
}

/** The clusters-of-rows section: each cluster's size and the columns that set it apart, in standard deviations. */
export function clusterLines(c: RowClusters): string[] {
  const sample = c.sampleRows < c.clusters.reduce((s, x) => s + x.size, 0) ? ` (k chosen on a sample of ${fmtInt(c.sampleRows)} rows)` : '';
  const out = [`clusters of rows: k = ${c.k} by silhouette (${c.silhouette.toFixed(3)}), k-means on ${c.columns} column${c.columns === 1 ? '' : 's'}${sample}`];
  const rows = c.clusters.map((x, i) => [
    `  ${i}`,
    fmtInt(x.size),
    fmtPct(x.share),
    x.differences.map((d) => `${truncate(d.column, 24)}${d.level !== undefined ? ` = ${truncate(d.level, 16)}` : ''} ${d.difference >= 0 ? '+' : '−'}${Math.abs(d.difference).toFixed(1)}σ`).join(' · '),
  ]);
  out.push(textTable(['  cluster', 'rows', 'share', 'differs most in'], rows, new Set([1, 2])));
  return out;
}
