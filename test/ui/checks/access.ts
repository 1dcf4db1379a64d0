/// <reference lib="dom" />
import { expect, it } from 'vitest';
import type { Checks } from '../dashboard-suite.js';
import { XSS } from '../seed.js';

/** Keys and escaping: no data without a key the server accepts, and data shown as text, never run. */
export const accessChecks: Checks = (ctx, backend) => {
  it('without a key the data APIs answer 401 and the page asks for one, showing no data; a read key opens it', async () => {
    const { open, url, keys } = ctx();
    for (const path of ['/v1/runs', '/v1/registry/models', '/v1/deployments', '/v1/predictions', '/v1/monitor/credit', '/v1/alerts']) {
      expect((await fetch(`${url}${path}`)).status, path).toBe(401);
    }
    const { page } = await open('/runs', null);
    await page.waitForSelector('form[aria-label="API key"]');
    expect(await page.locator('table').count()).toBe(0);
    expect(await page.textContent('body')).not.toContain('credit-gbdt');
    // A wrong key is refused too.
    await page.fill('input[name="key"]', 'hp_not-a-key');
    await page.click('form[aria-label="API key"] button[type="submit"]');
    await page.waitForSelector('form[aria-label="API key"] >> text=refused');
    await page.fill('input[name="key"]', keys.read);
    await page.click('form[aria-label="API key"] button[type="submit"]');
    await expect.poll(() => page.locator('table[aria-label="Runs"] tbody tr').count()).toBe(4);
    // Kept for the tab only: sessionStorage, never localStorage or a cookie.
    expect(await page.evaluate(() => [sessionStorage.getItem('hyperplane.apiKey'), localStorage.length, document.cookie])).toEqual([keys.read, 0, '']);
  });

  it('shows markup from the data as text: a run named <img src=x onerror=alert(1)> runs nothing', async () => {
    const { open, seeded } = ctx();
    const { page, dialogs, errors } = await open('/runs');
    await page.waitForSelector(`text=${XSS}`);
    await page.goto(`${ctx().url}/ui/#/runs/${seeded.runs.xss}`);
    await expect.poll(() => page.locator('main').textContent()).toContain(XSS);
    await page.goto(`${ctx().url}/ui/#/predictions/xss-input`);
    await expect.poll(() => page.locator('main').textContent()).toContain('onerror=alert(2)');
    await page.waitForTimeout(300);
    // No element came from the data, no handler ran.
    expect(await page.locator('main img, main b').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  });

  it.runIf(backend === 'SQLite')('serves the page with a policy that lets it load and send nothing outside this server', async () => {
    const r = await fetch(`${ctx().url}/ui/`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(r.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect((await fetch(`${ctx().url}/`, { redirect: 'manual' })).headers.get('location')).toBe('/ui/');
  });
};
