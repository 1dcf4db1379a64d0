/// <reference lib="dom" />
import { describe, expect, it } from 'vitest';
import { runCliAsync } from '../../helpers.js';
import type { Checks, DashboardContext } from '../dashboard-suite.js';

interface ModelAnswer {
  aliases: Record<string, number>;
  aliasHistory: { alias: string; from: number | null; to: number | null }[];
}

async function modelOf(c: DashboardContext): Promise<ModelAnswer> {
  const r = await c.server.app.inject({ method: 'GET', url: '/v1/registry/models/credit', headers: { authorization: `Bearer ${c.keys.admin}` } });
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as ModelAnswer;
}

/** Puts credit@production back at 1 (the monitoring and predictions checks read it as seeded). */
async function restoreProduction(c: DashboardContext): Promise<void> {
  if ((await modelOf(c)).aliases['production'] === 1) return;
  const r = await c.server.app.inject({ method: 'PUT', url: '/v1/admin/registry/models/credit/aliases/production', headers: { authorization: `Bearer ${c.keys.admin}` }, payload: { version: 1 } });
  expect(r.statusCode, r.body).toBe(200);
}

/** The models pages: the registry as the store holds it, and alias moves made from the page (admin key). */
export const modelsChecks: Checks = (ctx, backend) => {
  describe('the models pages', () => {
    it('lists the models with their versions and aliases, each linking to its page', async () => {
      const { open } = ctx();
      const { page, errors } = await open('/models');
      const rows = page.locator('table[aria-label="Models"] tbody tr');
      await expect.poll(() => rows.count()).toBe(1);
      const row = await rows.first().textContent();
      expect(row).toContain('credit');
      expect(row).toContain('production → 1');
      expect(row).toContain('staging → 3');
      expect(row).toContain('v3');
      await rows.first().getByRole('link', { name: 'credit' }).click();
      await expect.poll(() => page.locator('table[aria-label="Versions"] tbody tr').count()).toBe(3);
      expect(page.url()).toContain('#/models/credit');
      expect(errors).toEqual([]);
    });

    it('shows the versions (runs linked, metrics), the aliases and their history', async () => {
      const { open, seeded } = ctx();
      const { page, errors } = await open('/models/credit');
      const versions = page.locator('table[aria-label="Versions"] tbody tr');
      await expect.poll(() => versions.count()).toBe(3);
      // Newest first; v1 is the logistic run's, production's.
      expect(await versions.nth(0).locator('td').first().textContent()).toBe('v3');
      const v1 = versions.nth(2);
      expect(await v1.getByRole('link').getAttribute('href')).toBe(`#/runs/${seeded.runs.logistic}`);
      expect(await v1.textContent()).toContain('production');
      await expect.poll(() => page.locator('table[aria-label="Versions"] thead').textContent()).toContain('auc');
      const aliases = page.locator('table[aria-label="Aliases"] tbody tr');
      await expect.poll(() => aliases.allTextContents()).toEqual([expect.stringMatching(/credit@production\s*v1/), expect.stringMatching(/credit@staging\s*v3/)]);
      // Seeded: production made at 1, moved to 2 and back; the history shows it newest first.
      const history = page.locator('table[aria-label="Alias history"] tbody tr');
      expect(await history.count()).toBeGreaterThanOrEqual(4);
      expect(await history.first().textContent()).toMatch(/production.*v2 → v1/);
      // Production's last move came from 2: rolling back would go there; staging has nowhere to go back to.
      expect(await aliases.nth(0).getByRole('button', { name: 'Roll back to v2' }).count()).toBe(1);
      expect(await aliases.nth(1).textContent()).toContain('no earlier version');
      expect(errors).toEqual([]);
    });

    it('moves an alias from the page (shown by `hyperplane models show`, audited with the key), and rolls it back', async () => {
      const c = ctx();
      try {
        const { page, errors } = await c.open('/models/credit');
        const form = page.locator('form[aria-label="Move an alias"]');
        await form.locator('select[name="alias"]').selectOption('production');
        await form.locator('select[name="version"]').selectOption('2');
        await form.getByRole('button', { name: 'Move alias' }).click();
        await expect.poll(() => form.getByRole('dialog').textContent()).toContain('Move credit@production from 1 to 2?');
        await form.getByRole('button', { name: 'Confirm' }).click();
        await expect.poll(() => form.getByRole('status').textContent()).toContain('credit@production now at 2');
        // The page reloads its data: the alias row and the history show the move.
        await expect.poll(() => page.locator('table[aria-label="Aliases"] tbody tr').first().textContent()).toMatch(/credit@production\s*v2/);
        await expect.poll(() => page.locator('table[aria-label="Alias history"] tbody tr').first().textContent()).toMatch(/production.*v1 → v2.*key:ops/);
        expect((await modelOf(c)).aliases['production']).toBe(2);

        // The CLI, on the same store, sees it.
        const show = await runCliAsync(['models', 'show', 'credit'], 60_000, { env: { HYPERPLANE_STORE: c.uri } });
        expect(show.code, show.stderr).toBe(0);
        expect(show.stdout).toMatch(/^\s*2\s+production\b/m);
        expect(show.stdout).not.toMatch(/^\s*1\s+production\b/m);
        expect(show.stdout).toMatch(/production: 1 → 2/);

        // Audited with the key's name.
        const [last] = await c.store.audit.list({ action: 'alias.set', limit: 1 });
        expect(last).toMatchObject({ actor: 'key:ops', target: 'credit@production' });

        // Roll back: the last move came from 1, so one click (confirmed) puts it back there.
        const row = page.locator('table[aria-label="Aliases"] tbody tr').first();
        await row.getByRole('button', { name: 'Roll back to v1' }).click();
        await expect.poll(() => row.getByRole('dialog').textContent()).toContain('Roll back credit@production from 2 to 1?');
        await row.getByRole('button', { name: 'Confirm' }).click();
        await expect.poll(() => page.locator('table[aria-label="Aliases"] tbody tr').first().textContent()).toMatch(/credit@production\s*v1/);
        expect((await modelOf(c)).aliases['production']).toBe(1);
        const [back] = await c.store.audit.list({ action: 'alias.set', limit: 1 });
        expect(back).toMatchObject({ actor: 'key:ops', target: 'credit@production' });
        expect(back!.id).toBeGreaterThan(last!.id);
        expect(errors).toEqual([]);
      } finally {
        await restoreProduction(c);
      }
    });

    it.runIf(backend === 'SQLite')('refuses a move when the alias moved since the page showed it (409), changing nothing', async () => {
      const c = ctx();
      try {
        const { page } = await c.open('/models/credit');
        const form = page.locator('form[aria-label="Move an alias"]');
        await form.locator('select[name="alias"]').selectOption('production');
        await form.locator('select[name="version"]').selectOption('2');
        await form.getByRole('button', { name: 'Move alias' }).click();
        await expect.poll(() => form.getByRole('dialog').textContent()).toContain('from 1 to 2?');
        // Someone else moves it to 3 meanwhile.
        const r = await c.server.app.inject({ method: 'PUT', url: '/v1/admin/registry/models/credit/aliases/production', headers: { authorization: `Bearer ${c.keys.admin}` }, payload: { version: 3, expect: 1 } });
        expect(r.statusCode, r.body).toBe(200);
        await form.getByRole('button', { name: 'Confirm' }).click();
        await expect.poll(() => form.getByRole('alert').textContent()).toMatch(/^409: /);
        expect((await modelOf(c)).aliases['production']).toBe(3);
      } finally {
        await restoreProduction(c);
      }
    });

    it.runIf(backend === 'SQLite')('with a read-only key, a move is refused with the server\'s 403 message and nothing changes', async () => {
      const c = ctx();
      const before = await c.store.audit.list({ action: 'alias.set', limit: 1 });
      const { page } = await c.open('/models/credit', c.keys.read);
      const form = page.locator('form[aria-label="Move an alias"]');
      await form.locator('select[name="alias"]').selectOption('production');
      await form.locator('select[name="version"]').selectOption('2');
      await form.getByRole('button', { name: 'Move alias' }).click();
      await form.getByRole('button', { name: 'Confirm' }).click();
      await expect.poll(() => form.getByRole('alert').textContent()).toMatch(/^403: .*admin/);
      expect((await modelOf(c)).aliases['production']).toBe(1);
      expect(await c.store.audit.list({ action: 'alias.set', limit: 1 })).toEqual(before);
      expect(await page.locator('table[aria-label="Aliases"] tbody tr').first().textContent()).toMatch(/credit@production\s*v1/);
    });
  });
};
