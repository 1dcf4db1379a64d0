import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/evaluate/diagnostics.js';
import { evaluateScores } from '../../src/evaluate/evaluate.js';
import { inlineable, renderChart } from '../../src/cli/render/charts.js';
import { renderReportHtml, type ReportInput } from '../../src/cli/render/report-html.js';
import type { PackageInfo } from '../../src/pipeline/package.js';

const info: PackageInfo = { createdAt: '2026-01-01T00:00:00Z', learner: 'gbdt', params: {}, seed: 0, fingerprint: 'f'.repeat(64), source: 'data.csv', trainRows: 1000, metrics: {}, evaluation: 'holdout' };

/** Every <svg>…</svg> of the page, by its id. */
const svgs = (html: string): Map<string, string> => new Map([...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => [/^<svg id="([^"]+)"/.exec(m[0])?.[1] ?? '?', m[0]]));
/** The texts of an SVG's axis labels, and of its legend's labels. */
/** The visible texts (Vega hides overlapping labels with opacity 0) of an SVG's axis labels, or legend labels. */
const texts = (svg: string, role: string): string[] =>
  [...svg.matchAll(new RegExp(`class="mark-text role-${role}"[^]*?</g>`, 'g'))].flatMap((g) => [...g[0].matchAll(/<text [^>]*opacity="1"[^>]*>([^<>]+)<\/text>/g)].map((t) => t[1]!));

function selfContained(html: string): void {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<(img|link|iframe)\b/i);
  expect([...new Set(html.match(/https?:\/\/[^\s"'<>)]*/g) ?? [])]).toEqual(['http://www.w3.org/2000/svg']);
}

describe('the HTML report', () => {
  it('says its figures measure the evaluated model, an estimate of the refit one it packages, or that there was no refit', async () => {
    const test = evaluateScores('regression', [1, 2, 3, 4], Float64Array.from([1.1, 2.2, 2.9, 4.1]), []);
    const base = { title: 't', target: { name: 'y', task: 'regression' as const }, metric: 'r2' as const, test };
    const refit = await renderReportHtml({ ...base, info: { ...info, trainRows: 1250, fit: { refit: true, evaluatedRows: 1000, why: 'the default up to 100,000 rows' } } });
    expect(refit).toContain('The figures and curves below measure the evaluated model, fitted on 1,000 rows. The package holds the same pipeline refit on all 1,250 labelled rows after evaluation (the default up to 100,000 rows): they estimate it.');
    const kept = await renderReportHtml({ ...base, info: { ...info, fit: { refit: false, evaluatedRows: 1000, why: 'as --no-refit asks' } } });
    expect(kept).toContain('The package holds the model these figures measure (no refit: as --no-refit asks).');
    expect(kept).not.toContain('refit on all');
  });

  it('binary: four charts with numbered axes, AUC and AP in the legends, the no-skill lines; readable leaderboard parameters', async () => {
    const n = 400;
    const y = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const p = y.map((v, i) => Math.min(0.99, Math.max(0.01, (v === 1 ? 0.55 : 0.3) + (((i * 7919) % 101) / 101 - 0.5) * 0.6)));
    const test = evaluateScores('binary', y, Float64Array.from(p.flatMap((q) => [1 - q, q])), ['no', 'yes']);
    const r: ReportInput = {
      title: 'churn: gbdt',
      info,
      target: { name: 'churn', task: 'binary', labels: ['no', 'yes'], threshold: 0.5 },
      metric: 'auc',
      test,
      leaderboard: [{ learner: 'gbdt', params: { num_leaves: 31, learning_rate: 0.05, min_data_in_leaf: 20, colsample: 0.8 }, score: 0.9, seconds: 1.2 }],
    };
    const html = await renderReportHtml(r);
    selfContained(html);
    const charts = svgs(html);
    expect([...charts.keys()]).toEqual(['roc', 'pr', 'calibration', 'gain']);
    for (const svg of charts.values()) {
      const ticks = texts(svg, 'axis-label');
      // Both axes numbered from 0.0 to 1.0.
      for (const t of ['0.0', '0.5', '1.0']) expect(ticks.filter((x) => x === t)).toHaveLength(2);
    }
    const auc = test.metrics.auc!;
    expect(auc).toBeGreaterThan(0.6);
    expect(auc).toBeLessThan(0.99);
    expect(texts(charts.get('roc')!, 'legend-label')).toEqual([`model (AUC ${auc.toFixed(3)})`, 'no skill (AUC 0.500)']);
    expect(texts(charts.get('pr')!, 'legend-label')).toEqual([`model (AP ${test.metrics.pr_auc!.toFixed(3)})`, `no skill (precision ${(134 / 400).toFixed(3)})`]);
    expect(texts(charts.get('calibration')!, 'legend-label')).toContain('perfectly calibrated');
    expect(charts.get('calibration')!).toMatch(/rows in bin/);
    // Each chart's title and axis titles.
    expect(texts(charts.get('roc')!, 'title-text')).toEqual(['ROC']);
    expect(texts(charts.get('roc')!, 'axis-title')).toEqual(['false positive rate', 'true positive rate']);
    // Parameters as wrapping key=value items, not one long JSON line.
    expect(html).toMatch(/<td class="params"><span class="kv">num_leaves=31<\/span> <span class="kv">learning_rate=0.05<\/span>/);
    expect(html).toMatch(/table\.leaderboard\{table-layout:fixed/);
    expect(html).not.toMatch(/<code>\{/);
  });

  it('multiclass: one-vs-rest ROC and PR with one line per class and its AUC, and the low-recall class flagged', async () => {
    const labels = ['rain', 'sun', 'fog'];
    const y: number[] = [];
    const scores: number[] = [];
    for (let i = 0; i < 300; i++) {
      const actual = i % 10 < 5 ? 0 : i % 10 < 8 ? 1 : 2;
      y.push(actual);
      // fog is mostly taken for sun: its own probability is high only on a few rows.
      const lean = actual === 2 ? (i % 60 === 9 ? 2 : 1) : actual;
      const noise = ((i * 7919) % 101) / 404;
      scores.push(...labels.map((_, c) => (c === lean ? 0.5 + noise : 0.25 - noise / 2 + (c === actual ? 0.1 : 0))));
    }
    const test = evaluateScores('multiclass', y, Float64Array.from(scores), labels);
    const diagnostics = diagnose({ metric: 'accuracy', train: test, test, baseline: undefined, converged: [] });
    const html = await renderReportHtml({ title: 'weather', info, target: { name: 'weather', task: 'multiclass', labels }, metric: 'accuracy', test, diagnostics });
    selfContained(html);
    const charts = svgs(html);
    expect([...charts.keys()]).toEqual(['ovr-roc', 'ovr-pr']);
    const roc = charts.get('ovr-roc')!;
    const byLabel = new Map(test.oneVsRest!.map((c) => [c.label, c]));
    // Largest class first, each with its own AUC.
    expect(texts(roc, 'legend-label')).toEqual([...['rain', 'sun', 'fog'].map((l) => `${l} (AUC ${byLabel.get(l)!.auc.toFixed(3)})`), 'no skill (AUC 0.500)']);
    expect(texts(charts.get('ovr-pr')!, 'legend-label')).toEqual(['rain', 'sun', 'fog'].map((l) => `${l} (AP ${byLabel.get(l)!.ap.toFixed(3)})`));
    // One line per class and the diagonal.
    expect(roc.match(/aria-roledescription="line mark"/g)).toHaveLength(4);
    for (const t of ['0.0', '0.5', '1.0']) expect(texts(roc, 'axis-label')).toContain(t);
    const fog = test.multiclass!.perClass[2]!;
    expect(fog.recall).toBeLessThan(0.1);
    expect(html).toContain(`<li><b>low-recall</b>: class &#39;fog&#39; is almost never recognised: recall ${fog.recall.toFixed(3)}, ${Math.round(fog.recall * fog.support)} of its ${fog.support} test rows (most are predicted &#39;sun&#39;).`);
  });

  it('multiclass with more classes than the charts draw: the 10 largest, and a note saying so', async () => {
    const k = 12;
    const labels = Array.from({ length: k }, (_, c) => `c${c}`);
    const y: number[] = [];
    const scores: number[] = [];
    for (let i = 0; i < 600; i++) {
      // Class c has about (c + 1) shares of the rows: c0 and c1 are the smallest.
      let c = 0;
      for (let acc = 0, t = i % 78; c < k && (acc += c + 1) <= t; ) c++;
      y.push(c);
      scores.push(...labels.map((_, j) => (j === c ? 0.3 : 0.7 / (k - 1))));
    }
    const test = evaluateScores('multiclass', y, Float64Array.from(scores), labels);
    const html = await renderReportHtml({ title: 't', info, target: { name: 't', task: 'multiclass', labels }, metric: 'accuracy', test });
    const legend = texts(svgs(html).get('ovr-roc')!, 'legend-label');
    expect(legend).toHaveLength(11);
    expect(legend.some((l) => l.startsWith('c0 ') || l.startsWith('c1 '))).toBe(false);
    expect(html).toContain('Curves of the 10 classes with the most test rows; the other 2 are left out');
  });
});

describe('a chart', () => {
  it('has its own id, prefixes the ids Vega defines (numbered from 1 in every SVG), and drops the unused xlink namespace', async () => {
    const vegaLike = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" class="marks"><g clip-path="url(#clip1)"></g><defs><clipPath id="clip1"><rect/></clipPath></defs></svg>';
    expect(inlineable(vegaLike, 'roc')).toBe('<svg id="roc" xmlns="http://www.w3.org/2000/svg" class="marks"><g clip-path="url(#roc-clip1)"></g><defs><clipPath id="roc-clip1"><rect/></clipPath></defs></svg>');
    // A chart that does use xlink keeps its namespace.
    expect(inlineable('<svg xmlns:xlink="http://www.w3.org/1999/xlink"><use xlink:href="#a"/></svg>', 'c')).toContain('xmlns:xlink');
    const svg = await renderChart({ id: 'one', title: 't', x: 'x', y: 'y', series: [{ name: 's', points: [{ x: 0, y: 0 }, { x: 1, y: 1 }] }] });
    expect(svg.startsWith('<svg id="one" xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).not.toMatch(/xlink/);
  });
});
