/// <reference lib="dom" />
import { expect, it } from 'vitest';
import type { Checks, DashboardContext } from '../dashboard-suite.js';

interface Report {
  version: number;
  windowMs: number;
  quality: { start: string; metrics: Record<string, number | null> }[];
  estimated: { start: string; auc?: number }[];
  heatmap: { columns: string[]; windows: string[]; effect: (number | null)[][]; drifted: boolean[][] };
}

async function api<T>(ctx: DashboardContext, url: string): Promise<T> {
  const r = await ctx.server.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${ctx.keys.admin}` } });
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as T;
}

/** The monitoring pages: the registered models and firing alerts; one model's report drawn from the API's numbers. */
export const monitorChecks: Checks = (ctx, backend) => {
  it('monitor: draws the drift heatmap from the report: a row per column, income drifted in the 2nd and 3rd hours but not the 1st', async () => {
    const { open, seeded } = ctx();
    const report = await api<Report>(ctx(), '/v1/monitor/credit?window=1h');
    const { page, errors } = await open('/monitor/credit?window=1h');
    await expect.poll(() => page.locator('h1').textContent()).toContain(`version ${report.version}`);
    const rows = page.locator('table.heatmap tbody tr');
    await expect.poll(() => rows.count()).toBe(report.heatmap.columns.length);
    expect(await page.locator('table.heatmap tbody tr th').allTextContents()).toEqual(report.heatmap.columns);
    const c = report.heatmap.columns.indexOf('income');
    const first = report.heatmap.windows.indexOf(new Date(seeded.start).toISOString());
    expect(c).toBeGreaterThanOrEqual(0);
    expect(first).toBeGreaterThanOrEqual(0);
    // The API says so (the seed doubles income from the second hour), and the page marks the same cells.
    expect(report.heatmap.drifted[c]!.slice(first, first + 3)).toEqual([false, true, true]);
    const income = page.locator('table.heatmap tbody tr[data-column="income"] td.cell');
    expect(await income.evaluateAll((tds) => tds.map((td) => td.getAttribute('data-drifted')))).toEqual(report.heatmap.drifted[c]!.map(String));
    expect(await income.evaluateAll((tds) => tds.map((td) => td.classList.contains('drifted')))).toEqual(report.heatmap.drifted[c]);
    // Every cell carries its number in its title; a drifted one says so.
    const second = income.nth(first + 1);
    expect(await second.getAttribute('title')).toMatch(/effect \d+(\.\d+)? \(drifted\)/);
    expect(Number((await second.textContent())!.replace('●', '').trim())).toBeCloseTo(report.heatmap.effect[c]![first + 1]!, 1);
    expect(await income.nth(first).getAttribute('title')).not.toContain('drifted');
    // Columns that did not drift anywhere have no marked cell.
    const quiet = report.heatmap.columns.filter((_, i) => report.heatmap.drifted[i]!.every((d) => !d));
    for (const name of quiet) expect(await page.locator(`table.heatmap tbody tr[data-column="${name}"] td.cell.drifted`).count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('monitor: draws realized and estimated quality on one chart, and shows the first window\'s realized auc as the API gives it', async () => {
    const { open } = ctx();
    const report = await api<Report>(ctx(), '/v1/monitor/credit?window=1h');
    const { page, errors } = await open('/monitor/credit?window=1h');
    const legend = page.locator('.u-legend');
    await expect.poll(() => legend.textContent()).toContain('realized auc');
    const labels = await page.locator('.u-legend .u-series .u-label').allTextContents();
    expect(labels).toEqual(expect.arrayContaining(['realized auc', 'estimated auc', 'realized accuracy', 'estimated accuracy']));
    expect(await page.locator('.chart canvas').count()).toBeGreaterThan(0);
    // The quality table: the first window's realized auc, to the digits shown.
    const table = page.locator('table[aria-label="Quality per window"]');
    const headers = await table.locator('thead th').allTextContents();
    const col = headers.indexOf('realized auc');
    expect(col).toBeGreaterThan(0);
    const shown = (await table.locator(`tbody tr:first-child td:nth-child(${col + 1})`).textContent())!.trim();
    const auc = report.quality[0]!.metrics['auc']!;
    const digits = shown.split('.')[1]?.length ?? 0;
    expect(digits).toBeGreaterThanOrEqual(3);
    expect(shown).toBe(auc.toFixed(digits));
    // The estimate (CBPE) for the same window sits next to it.
    const est = report.estimated.find((e) => e.start === report.quality[0]!.start)!.auc!;
    const shownEst = (await table.locator(`tbody tr:first-child td:nth-child(${headers.indexOf('estimated auc') + 1})`).textContent())!.trim();
    expect(shownEst).toBe(est.toFixed(shownEst.split('.')[1]?.length ?? 0));
    expect(errors).toEqual([]);
  });

  it('monitor: lists the model\'s alerts with their evidence against the threshold; the index lists models and only firing alerts', async () => {
    const { open, seeded } = ctx();
    const { page, errors } = await open('/monitor/credit?window=1h');
    const card = page.locator(`[data-alert="${seeded.alert}"]`);
    await expect.poll(() => card.count()).toBe(1);
    expect(await card.locator('.badge').first().textContent()).toBe('firing');
    expect(await card.textContent()).toContain('drift_share > 0.1');
    const cells = await card.locator('tbody tr:first-child td').allTextContents();
    expect(cells[2]).toBe('0.4');
    expect(cells[3]).toBe('> 0.1');
    expect(await page.locator('[data-alert="alert-old"] .badge').first().textContent()).toBe('resolved');
    // The index: the registered model, linked to its report; the firing alert, not the resolved one.
    await page.goto(`${ctx().url}/ui/#/monitor`);
    await expect.poll(() => page.locator('table[aria-label="Models"] tbody tr').count()).toBe(1);
    expect(await page.locator('table[aria-label="Models"] a').getAttribute('href')).toBe('#/monitor/credit');
    await expect.poll(() => page.locator(`[data-alert="${seeded.alert}"]`).count()).toBe(1);
    expect(await page.locator('[data-alert="alert-old"]').count()).toBe(0);
    await page.locator('table[aria-label="Models"] a').click();
    await expect.poll(() => page.locator('table.heatmap tbody tr').count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });

  it.runIf(backend === 'SQLite')('monitor: keeps the window choice in the address and draws the daily report', async () => {
    const { open } = ctx();
    const daily = await api<Report>(ctx(), '/v1/monitor/credit?window=1d&since=24h');
    const { page } = await open('/monitor/credit?window=1h');
    await expect.poll(() => page.locator('table.heatmap tbody tr').count()).toBeGreaterThan(0);
    await page.selectOption('select[name="window"]', '1d');
    await page.selectOption('select[name="since"]', '24h');
    await expect.poll(() => page.url()).toMatch(/window=1d/);
    expect(page.url()).toMatch(/since=24h/);
    await expect.poll(() => page.locator('table.heatmap thead th').count()).toBe(daily.heatmap.windows.length + 1);
  });

  it.runIf(backend === 'SQLite')('monitor: shows an unknown model as the server\'s 404 message', async () => {
    const { open } = ctx();
    const { page } = await open('/monitor/nomodel');
    await expect.poll(() => page.locator('[role="alert"]').textContent()).toMatch(/^404: .*nomodel/);
  });
};
