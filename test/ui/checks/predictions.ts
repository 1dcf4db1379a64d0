/// <reference lib="dom" />
import { expect, it } from 'vitest';
import type { Checks, DashboardContext } from '../dashboard-suite.js';

interface Explained {
  id: string;
  output: { prediction: string; explanation: { contributions: { column: string; value: unknown; contribution: number; share: number }[] } };
  feedback: { outcome: unknown } | null;
}

async function api<T>(ctx: DashboardContext, url: string): Promise<T> {
  const r = await ctx.server.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${ctx.keys.admin}` } });
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as T;
}

/** As the page writes a value: integers and strings as they are, other numbers to 4 significant digits. */
const shown = (v: unknown): string => (typeof v === 'number' ? (Number.isInteger(v) ? v.toLocaleString('en-US') : Number(v.toPrecision(4)).toString()) : String(v));

/** The prediction log: searched and paged by the server; one prediction with its explanation and feedback. */
export const predictionsChecks: Checks = (ctx, backend) => {
  it('predictions: searches by model and version: only that version\'s rows, as many as the store holds', async () => {
    const { open, store } = ctx();
    const expected = (await store.predictions.list({ model: 'credit', version: 2, limit: 10_000 })).predictions;
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(500);
    const { page, errors } = await open('/predictions?limit=500');
    const rows = page.locator('table[aria-label="Predictions"] tbody tr');
    await expect.poll(() => rows.count()).toBe(500);
    await page.fill('form[aria-label="Filters"] input[name="model"]', 'credit');
    await page.fill('form[aria-label="Filters"] input[name="version"]', '2');
    await page.click('form[aria-label="Filters"] button[type="submit"]');
    await expect.poll(() => rows.count()).toBe(expected.length);
    expect(page.url()).toMatch(/version=2/);
    expect(new Set(await page.locator('table[aria-label="Predictions"] tbody tr td:nth-child(3)').allTextContents())).toEqual(new Set(['credit v2']));
    expect((await page.locator('table[aria-label="Predictions"] tbody tr td:nth-child(1)').allTextContents()).sort()).toEqual(expected.map((p) => p.id).sort());
    // Labelled only: version 2's labelled rows are the bandit arm's (the shadow's copies get no feedback).
    const labelled = (await store.predictions.listWithFeedback({ model: 'credit', version: 2, labelled: true, limit: 10_000 })).predictions;
    await page.check('form[aria-label="Filters"] input[name="labelled"]');
    await page.click('form[aria-label="Filters"] button[type="submit"]');
    await expect.poll(() => rows.count()).toBe(labelled.length);
    expect(errors).toEqual([]);
  });

  it.runIf(backend === 'SQLite')('predictions: narrows to a time range given as local date-times (sent as epoch ms)', async () => {
    const { open, store, seeded } = ctx();
    const HOUR = 3_600_000;
    const since = seeded.start + HOUR;
    const until = seeded.start + HOUR + 10 * 60_000;
    const expected = (await store.predictions.list({ model: 'credit', since, until, limit: 10_000 })).predictions;
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(500);
    const { page, errors } = await open('/predictions?model=credit&limit=500');
    const rows = page.locator('table[aria-label="Predictions"] tbody tr');
    await expect.poll(() => rows.count()).toBe(500);
    // The inputs take the browser's local time, to the minute.
    const local = (ms: number): Promise<string> =>
      page.evaluate((t) => {
        const d = new Date(t);
        const pad = (n: number): string => String(n).padStart(2, '0');
        return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
      }, ms);
    await page.fill('form[aria-label="Filters"] input[name="since"]', await local(since));
    await page.fill('form[aria-label="Filters"] input[name="until"]', await local(until));
    await page.click('form[aria-label="Filters"] button[type="submit"]');
    await expect.poll(() => rows.count()).toBe(expected.length);
    expect(page.url()).toContain(`since=${since}`);
    expect(page.url()).toContain(`until=${until}`);
    expect(await page.locator('table[aria-label="Predictions"] tbody tr td:nth-child(1)').allTextContents()).toEqual(expected.map((p) => p.id));
    // The range stays in the inputs after the page reloads from the address.
    await page.reload();
    await expect.poll(() => page.inputValue('form[aria-label="Filters"] input[name="since"]')).toBe(await local(since));
    expect(errors).toEqual([]);
  });

  it.runIf(backend === 'SQLite')('predictions: pages with the server\'s cursor, next and previous, over every row once', async () => {
    const { open, store } = ctx();
    const all = (await store.predictions.list({ model: 'credit', version: 2, limit: 10_000 })).predictions.map((p) => p.id);
    const { page, errors } = await open('/predictions?model=credit&version=2&limit=25');
    const ids = page.locator('table[aria-label="Predictions"] tbody tr td:nth-child(1)');
    await expect.poll(() => ids.count()).toBe(Math.min(25, all.length));
    const pageOne = await ids.allTextContents();
    const seen = [...pageOne];
    const next = page.getByRole('button', { name: 'next →' });
    while (!(await next.isDisabled())) {
      const before = await ids.allTextContents();
      await next.click();
      await expect.poll(() => ids.allTextContents()).not.toEqual(before);
      seen.push(...(await ids.allTextContents()));
    }
    expect(seen.sort()).toEqual([...all].sort());
    // One page back at a time, each click waited out: the buttons are disabled while a page loads, so a check of
    // "disabled" right after a click could read the loading state (or click a button about to be disabled).
    const previous = page.getByRole('button', { name: '← previous' });
    const back = async (): Promise<void> => {
      const before = await ids.allTextContents();
      await previous.click();
      await expect.poll(() => ids.allTextContents()).not.toEqual(before);
    };
    await back();
    if (all.length > 50) expect(await ids.allTextContents()).not.toEqual(pageOne);
    // Back to the first page, where previous is disabled.
    for (let guard = 0; guard < 1000 && JSON.stringify(await ids.allTextContents()) !== JSON.stringify(pageOne); guard++) await back();
    await expect.poll(() => ids.allTextContents()).toEqual(pageOne);
    await expect.poll(() => previous.isDisabled()).toBe(true);
    expect(errors).toEqual([]);
  });

  it('predictions: opens a prediction by its id, and shows its 3 contributions and its feedback as stored', async () => {
    const { open, seeded } = ctx();
    const record = await api<Explained>(ctx(), `/v1/predictions/${seeded.explained}`);
    const contributions = record.output.explanation.contributions;
    expect(contributions).toHaveLength(3);
    const { page, errors } = await open('/predictions');
    await page.fill('form[aria-label="Find a prediction"] input[name="id"]', seeded.explained);
    await page.click('form[aria-label="Find a prediction"] button[type="submit"]');
    await expect.poll(() => page.url()).toContain(`#/predictions/${seeded.explained}`);
    await expect.poll(() => page.locator('h1').textContent()).toContain(seeded.explained);
    const rows = page.locator('[aria-label="Contributions"] .contribution');
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.locator('.c-column').allTextContents()).toEqual(contributions.map((c) => c.column));
    expect(await rows.locator('.c-value').allTextContents()).toEqual(contributions.map((c) => shown(c.value)));
    expect(await rows.locator('.c-contribution').allTextContents()).toEqual(contributions.map((c) => shown(c.contribution)));
    // Signed bars: a negative contribution's bar is left of the axis, a positive one's right.
    for (let i = 0; i < 3; i++) {
      const sign = contributions[i]!.contribution;
      expect(await rows.nth(i).locator(sign < 0 ? '.neg span' : '.pos span').count()).toBe(1);
      expect(await rows.nth(i).locator(sign < 0 ? '.pos span' : '.neg span').count()).toBe(0);
    }
    // The answer and its feedback.
    expect(record.feedback).not.toBeNull();
    const feedback = page.locator('dl.fields div', { has: page.locator('dt', { hasText: /^feedback$/ }) }).locator('dd');
    expect(await feedback.textContent()).toBe(String(record.feedback!.outcome));
    expect(await page.locator('table[aria-label="Feedback history"] tbody tr td:nth-child(2)').allTextContents()).toEqual([String(record.feedback!.outcome)]);
    expect(await page.locator('[aria-label="Probabilities"] .predicted').textContent()).toBe(record.output.prediction);
    expect(await page.locator('a', { hasText: /^credit version \d+$/ }).getAttribute('href')).toMatch(/^#\/monitor\/credit/);
    expect(errors).toEqual([]);
  });

  it.runIf(backend === 'SQLite')('predictions: shows an unknown prediction as the server\'s 404 message', async () => {
    const { open } = ctx();
    const { page } = await open('/predictions/no-such-prediction');
    await expect.poll(() => page.locator('[role="alert"]').textContent()).toMatch(/^404: .*no-such-prediction/);
  });
};
