/// <reference lib="dom" />
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe } from 'vitest';
import { buildServer, type Server } from '../../src/serve/server.js';
import { openStore, type Store } from '../../src/store/index.js';
import { dropPgSchema, PG_URL, storeReachable, tempDir } from '../helpers.js';
import { launchChromium, newPage, type Watched } from './browser.js';
import { seedDashboard, type Seeded } from './seed.js';

/** What each page's checks get: the seeded store behind a real server, and Chromium. */
export interface DashboardContext {
  backend: 'SQLite' | 'PostgreSQL';
  uri: string;
  dir: string;
  url: string;
  store: Store;
  server: Server;
  browser: Browser;
  seeded: Seeded;
  /** Keys made for the suite (keys are on: every data API needs one). */
  keys: { admin: string; read: string };
  /**
   * A new tab (its own sessionStorage) at `/ui/#<hash>`, with `key` already entered (the admin key unless
   * given; null: none), once the page's main content has rendered.
   */
  open(hash: string, key?: string | null): Promise<Watched>;
}

export type Backend = 'SQLite' | 'PostgreSQL';

/**
 * A page's checks. `backend` lets a check of the page's own behaviour (a refusal shown, a 404 message) run
 * once, on SQLite (`it.runIf(backend === 'SQLite')`): it does not depend on the store.
 */
export type Checks = (ctx: () => DashboardContext, backend: Backend) => void;

/**
 * Every dashboard page on one backend: one seeded store and one browser for all the pages' checks (seeding
 * trains models and logs three hours of traffic; doing it once per backend keeps `npm test` short).
 */
export function describeDashboard(backend: 'SQLite' | 'PostgreSQL', checks: readonly Checks[]): void {
  describe(`the dashboard on ${backend}, in Chromium`, () => {
    const dir = tempDir('hyperplane-ui-');
    const schema = `hp_ui_${process.pid}`;
    const uri = backend === 'SQLite' ? `sqlite:${join(dir, 'hyperplane.db')}` : `${PG_URL}?schema=${schema}`;
    let ctx: DashboardContext | undefined;
    let skip: string | undefined;
    const opened: Watched[] = [];

    beforeAll(async () => {
      if (!(await storeReachable(uri, `the dashboard on ${backend}`))) return void (skip = 'store unreachable');
      const browser = await launchChromium();
      if (typeof browser === 'string') return void (skip = browser);
      const seeded = await seedDashboard(uri, dir);
      const store = await openStore({ uri });
      const keys = { admin: (await store.apiKeys.create('ops', ['admin'])).key, read: (await store.apiKeys.create('dash', ['read'])).key };
      const server = await buildServer({ store, reloadMs: 0, maxEventLoopDelayMs: 0 });
      const url = await server.app.listen({ port: 0, host: '127.0.0.1' });
      const open = async (hash: string, key: string | null = keys.admin): Promise<Watched> => {
        const watched = await newPage(browser);
        opened.push(watched);
        if (key !== null) await watched.page.context().addInitScript((k) => sessionStorage.setItem('hyperplane.apiKey', k), key);
        await watched.page.goto(`${url}/ui/#${hash.replace(/^#/, '')}`);
        await watched.page.waitForSelector('main > *');
        return watched;
      };
      ctx = { backend, uri, dir, url, store, server, browser, seeded, keys, open };
    }, 240_000);

    afterAll(async () => {
      for (const w of opened) await w.close().catch(() => undefined);
      await ctx?.server.close();
      await ctx?.store.close();
      await ctx?.browser.close();
      if (backend === 'PostgreSQL' && skip !== 'store unreachable') await dropPgSchema(schema);
    });

    beforeEach((test) => {
      if (skip !== undefined) test.skip();
    });

    for (const c of checks) c(() => ctx!, backend);
  });
}
