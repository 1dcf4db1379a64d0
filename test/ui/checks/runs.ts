/// <reference lib="dom" />
import { expect, it } from 'vitest';
import type { Checks } from '../dashboard-suite.js';

/** The runs page: a real page of runs from the store, filtered, sorted and paged by the server. */
export const runsChecks: Checks = (ctx, backend) => {
  it('lists the runs, newest first, with their metrics, and filters, sorts and pages them on the server', async () => {
    const { open, seeded } = ctx();
    const { page, errors } = await open('/runs');
    const rows = page.locator('table[aria-label="Runs"] tbody tr');
    await expect.poll(() => rows.count()).toBe(4);
    await expect.poll(() => page.locator('.pager').textContent()).toContain('4 runs match');
    // Newest first: the two runs made from the script last.
    const names = await page.locator('table[aria-label="Runs"] tbody tr td:nth-child(3)').allTextContents();
    expect(names.slice(2).sort()).toEqual(['credit-gbdt', 'credit-logistic']);
    // A where filter, as `runs list --where`: only the trained runs have accuracy above 0.8.
    await page.fill('input[name="where"]', 'accuracy > 0.8');
    await page.click('form[aria-label="Filters"] button[type="submit"]');
    await expect.poll(() => page.locator('.pager').textContent()).toContain('2 runs match');
    // Sorted by auc, descending then ascending, by its header.
    await page.getByRole('button', { name: /^auc/ }).click();
    await expect.poll(() => page.locator('table[aria-label="Runs"] tbody tr td:nth-child(3)').allTextContents()).toEqual(['credit-gbdt', 'credit-logistic']);
    await page.getByRole('button', { name: /^auc/ }).click();
    await expect.poll(() => page.locator('table[aria-label="Runs"] tbody tr td:nth-child(3)').allTextContents()).toEqual(['credit-logistic', 'credit-gbdt']);
    expect(page.url()).toContain('order=auc');
    // A tag filter and a chosen column (a param).
    await page.fill('input[name="where"]', '');
    await page.fill('input[name="tag"]', 'learner=script');
    await page.fill('input[name="columns"]', 'auc, params.lr');
    await page.click('form[aria-label="Filters"] button[type="submit"]');
    await expect.poll(() => rows.count()).toBe(1);
    await expect.poll(() => page.locator('table[aria-label="Runs"] thead').textContent()).toContain('params.lr');
    expect(await rows.first().textContent()).toContain('0.01');
    expect(await rows.first().textContent()).toContain(seeded.runs.curve.slice(0, 8));
    expect(errors).toEqual([]);
  });

  it.runIf(backend === 'SQLite')('pages with the server\'s cursor: next and previous', async () => {
    const { open } = ctx();
    const { page } = await open('/runs?limit=25');
    const first = page.locator('table[aria-label="Runs"] tbody tr td:nth-child(3)');
    await expect.poll(() => first.count()).toBe(4);
    // Two runs a page (the choice is kept in the address, as every filter is).
    await page.evaluate(() => (location.hash = '#/runs?limit=2'));
    await expect.poll(() => first.count()).toBe(2);
    const pageOne = await first.allTextContents();
    await page.getByRole('button', { name: 'next →' }).click();
    await expect.poll(() => first.allTextContents()).not.toEqual(pageOne);
    const pageTwo = await first.allTextContents();
    expect(new Set([...pageOne, ...pageTwo]).size).toBe(4);
    await expect.poll(() => page.getByRole('button', { name: 'next →' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: '← previous' }).click();
    await expect.poll(() => first.allTextContents()).toEqual(pageOne);
  });

  it.runIf(backend === 'SQLite')('shows an invalid filter as the server\'s message, naming the field', async () => {
    const { open } = ctx();
    const { page } = await open('/runs');
    await page.fill('input[name="where"]', 'auc >> high');
    await page.click('form[aria-label="Filters"] button[type="submit"]');
    await expect.poll(() => page.locator('[role="alert"]').textContent()).toMatch(/400: .*where/);
  });
};
