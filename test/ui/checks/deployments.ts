/// <reference lib="dom" />
import { describe, expect, it } from 'vitest';
import type { Checks, DashboardContext } from '../dashboard-suite.js';

interface DeploymentAnswer {
  policy: unknown;
  traffic: { windows: number[]; arms: { arm: string; counts: number[] }[] };
  shadow?: { compared: number; agreed: number; share: number; unmatched: number };
  posteriors?: { arm: string; mean: number; interval: [number, number] }[];
}

async function deploymentOf(c: DashboardContext, name: string, query = 'since=24h&window=1h'): Promise<DeploymentAnswer> {
  const r = await c.server.app.inject({ method: 'GET', url: `/v1/deployments/${name}?${query}`, headers: { authorization: `Bearer ${c.keys.admin}` } });
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as DeploymentAnswer;
}

const SPLIT = { kind: 'split', arms: [{ ref: 'credit/3', weight: 90 }, { ref: 'credit@staging', weight: 10 }] };

/** Puts the split back as seeded (the monitoring and predictions checks read the deployments as seeded). */
async function restoreSplit(c: DashboardContext): Promise<void> {
  const stored = await c.store.deployments.get('credit-split');
  if (JSON.stringify((stored?.policy as { arms?: unknown } | undefined)?.arms) === JSON.stringify(SPLIT.arms)) return;
  const r = await c.server.app.inject({ method: 'PUT', url: '/v1/admin/deployments/credit-split', headers: { authorization: `Bearer ${c.keys.admin}` }, payload: { policy: SPLIT } });
  expect(r.statusCode, r.body).toBe(200);
}

/** The deployments pages: policies, traffic per arm, a shadow's agreement, a bandit's posteriors, and policy changes (admin). */
export const deploymentsChecks: Checks = (ctx, backend) => {
  describe('the deployments pages', () => {
    it('lists the deployments with their policy kind and refs', async () => {
      const { open } = ctx();
      const { page, errors } = await open('/deployments');
      const rows = page.locator('table[aria-label="Deployments"] tbody tr');
      await expect.poll(() => rows.count()).toBe(3);
      const text = (await rows.allTextContents()).join('\n');
      expect(text).toMatch(/credit\s*bandit/);
      expect(text).toMatch(/credit-shadow\s*shadow/);
      expect(text).toMatch(/credit-split\s*split.*credit\/3 90% \/ credit@staging 10%/);
      expect(await page.getByRole('link', { name: 'credit-split' }).getAttribute('href')).toBe('#/deployments/credit-split');
      expect(errors).toEqual([]);
    });

    it('shows the split in words, its traffic per arm (one series each) and totals equal to the store\'s, over a range kept in the address', async () => {
      const c = ctx();
      const { page, errors } = await c.open('/deployments/credit-split');
      await expect.poll(() => page.locator('.policy-words li').allTextContents()).toEqual([expect.stringMatching(/credit\/3: weight 90 \(90\.0% of requests\)/), expect.stringMatching(/credit@staging: weight 10 \(10\.0% of requests\)/)]);
      // uPlot's legend: the x series (time) then one per arm.
      const legend = page.locator('.u-legend .u-series .u-label');
      await expect.poll(() => legend.allTextContents()).toEqual(['Time', 'credit/3', 'credit@staging']);
      const api = await deploymentOf(c, 'credit-split');
      const totals = api.traffic.arms.map((a) => [a.arm, a.counts.reduce((s, n) => s + n, 0)] as const);
      expect(totals.every(([, n]) => n > 0)).toBe(true);
      const rows = page.locator('table[aria-label="Totals per arm"] tbody tr');
      await expect.poll(() => rows.count()).toBe(2);
      for (const [i, [arm, n]] of totals.entries()) {
        const cells = await rows.nth(i).locator('td').allTextContents();
        expect(cells.slice(0, 2)).toEqual([arm, n.toLocaleString('en-US')]);
      }
      // The 7-day range with daily windows: in the address, and the same totals (all the traffic is recent).
      await page.getByRole('button', { name: /last 7 d/ }).click();
      await expect.poll(() => page.url()).toMatch(/since=7d&window=1d/);
      await expect.poll(() => page.getByRole('button', { name: /last 7 d/ }).getAttribute('aria-pressed')).toBe('true');
      await expect.poll(() => page.locator('.toolbar .muted').textContent()).toContain('windows of 1d');
      for (const [i, [, n]] of totals.entries()) expect(await rows.nth(i).locator('td').nth(1).textContent()).toBe(n.toLocaleString('en-US'));
      expect(errors).toEqual([]);
    });

    it('shows the shadow\'s agreement as the API counts it', async () => {
      const c = ctx();
      const { page, errors } = await c.open('/deployments/credit-shadow');
      const api = await deploymentOf(c, 'credit-shadow');
      expect(api.shadow!.compared).toBeGreaterThanOrEqual(10);
      const agreement = page.getByLabel('Shadow agreement');
      await expect.poll(() => agreement.textContent()).toContain(`${api.shadow!.agreed} of ${api.shadow!.compared}`);
      expect(await agreement.textContent()).toContain(`(${(api.shadow!.share * 100).toFixed(1)}%)`);
      expect(await page.locator('.fields').last().textContent()).toContain(`unmatched${api.shadow!.unmatched}`);
      expect(errors).toEqual([]);
    });

    it('shows the bandit\'s posteriors, both arms, with the API\'s means and intervals', async () => {
      const c = ctx();
      const { page, errors } = await c.open('/deployments/credit');
      const api = await deploymentOf(c, 'credit');
      const rows = page.locator('table[aria-label="Posteriors"] tbody tr');
      await expect.poll(() => rows.count()).toBe(2);
      expect(api.posteriors!.map((p) => p.arm)).toEqual(['credit/1', 'credit/2']);
      for (const [i, p] of api.posteriors!.entries()) {
        const cells = await rows.nth(i).locator('td').allTextContents();
        expect(cells[0]).toBe(p.arm);
        expect(cells[3]).toBe(p.mean.toFixed(3));
        expect(cells[4]).toBe(`${p.interval[0].toFixed(3)} – ${p.interval[1].toFixed(3)}`);
        expect(await rows.nth(i).locator('svg.interval').count()).toBe(1);
      }
      expect(errors).toEqual([]);
    });

    it('changes the split\'s weights from the page (stored, audited with the key), and shows the server\'s 400 for an invalid policy', async () => {
      const c = ctx();
      try {
        const { page, errors } = await c.open('/deployments/credit-split');
        const form = page.locator('form[aria-label="Change policy"]');
        const textarea = form.locator('textarea[name="policy"]');
        await expect.poll(async () => JSON.parse(await textarea.inputValue()) as unknown).toEqual(SPLIT);
        const changed = { kind: 'split', arms: [{ ref: 'credit/3', weight: 70 }, { ref: 'credit@staging', weight: 30 }] };
        await textarea.fill(JSON.stringify(changed));
        await form.getByRole('button', { name: 'Change policy' }).click();
        await expect.poll(() => form.getByRole('dialog').textContent()).toContain("Set credit-split's policy to this?");
        await form.getByRole('button', { name: 'Confirm' }).click();
        await expect.poll(() => form.getByRole('status').textContent()).toContain("credit-split's policy stored");
        expect((await c.store.deployments.get('credit-split'))?.policy).toMatchObject(changed);
        const [entry] = await c.store.audit.list({ action: 'deployment.put', limit: 1 });
        expect(entry).toMatchObject({ actor: 'key:ops', target: 'credit-split' });
        // The page shows the stored policy: in words and in the editor.
        await expect.poll(() => page.locator('.policy-words li').first().textContent()).toContain('weight 70 (70.0% of requests)');
        await expect.poll(async () => JSON.parse(await textarea.inputValue()) as unknown).toEqual(changed);

        // A weight of 0 is refused by the server, which names the field; nothing changes.
        await textarea.fill(JSON.stringify({ kind: 'split', arms: [{ ref: 'credit/3', weight: 0 }] }));
        await form.getByRole('button', { name: 'Change policy' }).click();
        await form.getByRole('button', { name: 'Confirm' }).click();
        await expect.poll(() => form.getByRole('alert').textContent()).toMatch(/^400: .*weight/);
        expect((await c.store.deployments.get('credit-split'))?.policy).toMatchObject(changed);
        // Not JSON at all: said so, nothing sent.
        await textarea.fill('{"kind": "split",');
        await form.getByRole('button', { name: 'Change policy' }).click();
        await form.getByRole('button', { name: 'Confirm' }).click();
        await expect.poll(() => form.getByRole('alert').textContent()).toMatch(/^Not JSON/);
        expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
      } finally {
        await restoreSplit(c);
      }
      expect((await c.store.deployments.get('credit-split'))?.policy).toMatchObject(SPLIT);
    });

    it.runIf(backend === 'SQLite')('with a read-only key, a policy change is refused with the server\'s 403 message', async () => {
      const c = ctx();
      const { page } = await c.open('/deployments/credit-split', c.keys.read);
      const form = page.locator('form[aria-label="Change policy"]');
      const textarea = form.locator('textarea[name="policy"]');
      await expect.poll(() => textarea.inputValue()).toContain('credit/3');
      await textarea.fill(JSON.stringify({ kind: 'fixed', ref: 'credit/3' }));
      await form.getByRole('button', { name: 'Change policy' }).click();
      await form.getByRole('button', { name: 'Confirm' }).click();
      await expect.poll(() => form.getByRole('alert').textContent()).toMatch(/^403: /);
      expect((await c.store.deployments.get('credit-split'))?.policy).toMatchObject(SPLIT);
    });
  });
};
