import { describe, expect, it } from 'vitest';
import { distributionBars, type DistributionBar } from '../../src/cli/render/monitor-charts.js';
import { monitorHtml } from '../../src/cli/render/monitor-html.js';
import { fitIsotonic } from '../../src/monitor/calibration.js';
import { monitor, type MonitorOptions } from '../../src/monitor/monitor.js';
import type { MonitorReference } from '../../src/monitor/reference.js';
import { categoricalReference, numericBin, numericReference, type NumericSketch } from '../../src/monitor/sketch.js';
import { HOUR_MS, mergeWindows, WindowFolder } from '../../src/monitor/window.js';
import type { Alert } from '../../src/store/alerts.js';
import type { PredictionWithFeedback } from '../../src/store/serving.js';
import { Random } from '../../src/synth/random.js';

const LABELS = ['no', 'yes'];
const REGIONS = ['north', 'south', 'east', 'west'];
const NEW_LABEL = '<b>new</b>';

/** A binary classifier's reference: two numbers and a category over 5,000 training rows, calibrated scores. */
function reference(rng: Random): MonitorReference {
  const n = 5000;
  const scores = Float64Array.from({ length: n }, () => rng.uniform());
  const y = Array.from(scores, (s) => (rng.uniform() < s ? 1 : 0));
  return {
    version: 1,
    rows: n,
    columns: {
      income: numericReference(Float64Array.from({ length: n }, () => rng.normal())),
      age: numericReference(Float64Array.from({ length: n }, () => rng.normal())),
      region: categoricalReference(Array.from({ length: n }, (_, i) => REGIONS[i % 4]!)),
    },
    prediction: { source: 'held-out', score: numericReference(scores), labels: categoricalReference(Array.from(scores, (s) => LABELS[s >= 0.5 ? 1 : 0]!)), calibration: fitIsotonic(scores, y) },
    importance: { income: 0.5, age: 0.3, region: 0.2 },
  };
}

/** Three hours of traffic: income shifted by one standard deviation, a tenth of regions a label training never had; half the rows get their outcome. */
function traffic(rng: Random): PredictionWithFeedback[] {
  return Array.from({ length: 1200 }, (_, i) => {
    const p = rng.uniform();
    const timestamp = Math.floor(i / 400) * HOUR_MS + (i % 400) * 1000;
    const outcome = rng.uniform() < p ? 'yes' : 'no';
    return {
      id: `p${i}`,
      model: 'churn',
      version: 3,
      timestamp,
      request: { income: rng.normal() + 1, age: rng.normal(), region: i % 10 === 0 ? NEW_LABEL : REGIONS[i % 4]! },
      response: { prediction: p >= 0.5 ? 'yes' : 'no', probabilities: { no: 1 - p, yes: p } },
      latencyMs: 1,
      feedback: i % 2 === 0 ? { id: i, outcome, reward: null, timestamp: timestamp + 60_000 } : null,
    };
  });
}

const OPTIONS: MonitorOptions = { model: 'churn', version: 3, since: 0, task: 'binary', labels: LABELS, trainingMetrics: { auc: 0.83, accuracy: 0.76 } };

/** Every <svg>…</svg> of the page, by its id. */
const svgs = (html: string): Map<string, string> => new Map([...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => [/^<svg id="([^"]+)"/.exec(m[0])?.[1] ?? '?', m[0]]));
/** The visible texts of an SVG's marks of a role (axis-label, axis-title, legend-label, title-text). */
const texts = (svg: string, role: string): string[] =>
  [...svg.matchAll(new RegExp(`class="mark-text role-${role}"[^]*?</g>`, 'g'))].flatMap((g) => [...g[0].matchAll(/<text [^>]*opacity="1"[^>]*>([^<>]+)<\/text>/g)].map((t) => t[1]!));
/** The texts a chart writes as marks (the rules' labels). */
const labels = (svg: string): string[] => [...svg.matchAll(/<text [^>]*aria-roledescription="text mark"[^>]*>([^<>]+)<\/text>/g)].map((t) => t[1]!);
/** The page from a heading to the next. */
const section = (html: string, heading: string): string => html.split(`<h2>${heading}</h2>`)[1]?.split('<h2>')[0] ?? '';
/** A table row of the page whose first cell is `first`. */
const row = (html: string, first: string): string | undefined => new RegExp(`<tr[^>]*><td>${first}</td>.*?</tr>`).exec(html)?.[0];

describe('the monitoring report as HTML', () => {
  const rng = new Random(23);
  const ref = reference(rng);
  const predictions = traffic(rng);

  it('one self-contained page: drift table, windows, charts with axes, quality, alerts; data escaped', async () => {
    const report = monitor(ref, predictions, OPTIONS);
    const alert: Alert = { id: 'a1', model: 'churn', version: 3, rule: 'income <moved>', condition: 'psi(income) > 0.2', state: 'firing', firedAt: 2 * HOUR_MS, resolvedAt: null, updatedAt: 2 * HOUR_MS, silencedUntil: null, webhook: null, evidence: { metric: 'psi(income)', op: '>', threshold: 0.2, windows: [{ version: 3, start: new Date(0).toISOString(), end: new Date(HOUR_MS).toISOString(), value: 0.61 }] } };
    report.alerts = [alert];
    const folder = new WindowFolder(ref, LABELS, HOUR_MS);
    for (const p of predictions) folder.add(p);
    const html = await monitorHtml(report, ref, mergeWindows(folder.windows()));

    expect(html.startsWith('<!doctype html><html lang="en">')).toBe(true);
    expect(html.match(/<html\b/g)).toHaveLength(1);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(html).not.toMatch(/<script|<(img|link|iframe)\b|src="http|href="http/i);
    expect([...new Set(html.match(/https?:\/\/[^\s"'<>)]*/g) ?? [])]).toEqual(['http://www.w3.org/2000/svg']);
    expect(html).toContain('<h1>Monitoring churn/3</h1>');
    expect(html).toContain('1,200 predictions since 1970-01-01T00:00:00.000Z in 3 windows');

    // The shifted column and the one with a new label are marked as drift; the untouched one is not.
    expect(report.columns.map((c) => [c.column, c.drifted])).toEqual([['income', true], ['region', true], ['age', false]]);
    expect(row(html, 'income')).toMatch(/^<tr class="drift">.*<b>DRIFT<\/b><\/td><\/tr>$/);
    expect(row(html, 'age')).toMatch(/^<tr><td>age<\/td>.*<td><\/td><\/tr>$/);
    expect(html).toContain('Drift in <b>2 of 3</b> columns (66.7%): income, region.');
    expect(row(html, 'prediction score')).toBeDefined();
    // The windows table: one row per hour, income and region drifted in each.
    const windows = section(html, 'Windows');
    expect(windows.match(/<tr><td>1970-01-01 0[012]:00<\/td><td>400<\/td><td>66.7%<\/td>.*?<td>income, region<\/td><\/tr>/g)).toHaveLength(3);
    // Each window's prediction score quartiles, in order.
    expect(windows).toContain('<th>score p10 / p50 / p90</th>');
    for (const [, p10, p50, p90] of windows.matchAll(/<td>([\d.]+) \/ ([\d.]+) \/ ([\d.]+)<\/td>/g)) expect(Number(p10) <= Number(p50) && Number(p50) <= Number(p90)).toBe(true);
    expect([...windows.matchAll(/<td>([\d.]+) \/ ([\d.]+) \/ ([\d.]+)<\/td>/g)]).toHaveLength(3);

    // The label training never had shows as text, in the table and in the region chart, never as markup.
    expect(html).not.toContain(NEW_LABEL);
    expect(html).toContain('&#60;b&#62;new&#60;/b&#62; 10.0%');
    expect(html).toContain('&lt;b&gt;new&lt;/b&gt;');
    expect(html).toContain('<td>income &#60;moved&#62;</td>');

    const charts = svgs(html);
    expect([...charts.keys()]).toEqual(['drift-over-time', 'distribution-0', 'distribution-1', 'distribution-2', 'distribution-prediction', 'quality-0', 'quality-1', 'quality-2', 'quality-3']);
    const overTime = charts.get('drift-over-time')!;
    expect(texts(overTime, 'axis-title')).toEqual(['window start (UTC)', 'effect']);
    expect(texts(overTime, 'axis-label').length).toBeGreaterThan(4);
    expect(texts(overTime, 'legend-label')).toEqual(['income', 'region', 'age']);
    // The threshold is a dashed rule, labelled.
    expect(overTime).toMatch(/class="mark-rule role-mark[^"]*"[^>]*><line [^>]*stroke-dasharray="5,4"/);
    expect(labels(overTime)).toEqual(['threshold 0.1']);
    // Distributions: drifted columns first; number bins labelled by their ranges; reference beside current.
    expect(['distribution-0', 'distribution-1', 'distribution-2'].map((id) => texts(charts.get(id)!, 'title-text')[0])).toEqual(['income (drift)', 'region (drift)', 'age']);
    const income = charts.get('distribution-0')!;
    expect(texts(income, 'axis-title')).toEqual(['share of rows']);
    expect(texts(income, 'legend-label')).toEqual(['reference', 'current']);
    expect(texts(income, 'axis-label').some((t) => /^≤ -\d/.test(t))).toBe(true);
    expect(texts(income, 'axis-label').some((t) => /^&gt; \d/.test(t))).toBe(true);
    expect(texts(charts.get('distribution-1')!, 'axis-label')).toEqual(expect.arrayContaining(['north', 'south', 'east', 'west', '(other)', 'new: &lt;b&gt;new&lt;/b&gt;']));
    // Quality: realized beside estimated, training's value as a rule; training metrics stated.
    expect(texts(charts.get('quality-0')!, 'title-text')).toEqual(['accuracy over time']);
    expect(texts(charts.get('quality-0')!, 'legend-label')).toEqual(['realized (outcomes)', 'estimated (CBPE)']);
    expect(labels(charts.get('quality-1')!)).toEqual(['at training 0.83']);
    // A metric CBPE does not estimate has one line, and its legend says only that.
    expect(texts(charts.get('quality-2')!, 'title-text')).toEqual(['pr_auc over time']);
    expect(texts(charts.get('quality-2')!, 'legend-label')).toEqual(['realized (outcomes)']);
    expect(html).toContain('At training, on held-out rows: auc 0.83, accuracy 0.76.');
    expect(html).toMatch(/<h2>Estimated before outcomes arrive<\/h2>.*<td>1970-01-01 02:00<\/td><td>400<\/td>/);
    expect(html).toMatch(/<h2>Alerts<\/h2>.*<tr class="firing"><td>income &#60;moved&#62;<\/td><td>psi\(income\) &#62; 0.2<\/td><td>firing<\/td><td>1970-01-01 02:00<\/td><td>psi\(income\) &#62; 0.2: 1970-01-01 00:00 0.61<\/td><\/tr>/);
  });

  it('distribution bars: shares of the rows on each side, new labels apart from (other), the missing share where there is one', () => {
    const folder = new WindowFolder(ref, LABELS, HOUR_MS);
    for (const p of predictions) folder.add({ ...p, request: { ...(p.request as object), income: p.id.endsWith('5') ? null : 1 } });
    const current = mergeWindows(folder.windows())!;
    const share = (bars: DistributionBar[], side: DistributionBar['side']): Record<string, number> => Object.fromEntries(bars.filter((b) => b.side === side).map((b) => [b.bin, Number(b.share.toFixed(6))]));
    const region = distributionBars(ref.columns.region!, current.columns.region!);
    expect(share(region, 'reference')).toEqual({ east: 0.25, north: 0.25, south: 0.25, west: 0.25, '(other)': 0, 'new: <b>new</b>': 0 });
    expect(share(region, 'current')).toEqual({ east: 0.2, north: 0.2, south: 0.25, west: 0.25, '(other)': 0, 'new: <b>new</b>': 0.1 });
    const income = distributionBars(ref.columns.income!, current.columns.income!);
    const edges = (ref.columns.income as NumericSketch).edges;
    expect(income.map((b) => b.order)).toEqual(Array.from({ length: 2 * (edges.length + 2) }, (_, k) => Math.floor(k / 2)));
    // Every value is 1 but a tenth missing: the bin holding 1 and the missing bar.
    const bin = numericBin(edges, 1);
    const current1 = Object.entries(share(income, 'current')).filter(([, v]) => v > 0);
    expect(current1).toEqual([[income[2 * bin]!.bin, 0.9], ['(missing)', 0.1]]);
    expect(income[2 * bin]!.bin).toMatch(/^-?[\d.]+ – [\d.]+$/);
    expect(Object.values(share(income, 'reference')).reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
  });

  it('a range with no traffic says so, with no tables or charts', async () => {
    const html = await monitorHtml(monitor(ref, [], OPTIONS), ref, undefined);
    expect(html).toContain('No traffic in this range: nothing to compare.');
    expect(html).toContain('0 predictions since');
    expect(html).not.toMatch(/<svg|<table/);
  });
});
