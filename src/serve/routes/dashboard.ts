import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { fail } from '../reply.js';

/**
 * Where the built dashboard is: `dist/ui/` beside the compiled server (vite builds it there in `npm run build`,
 * and the package's `files` carry it); from the sources (tests), the build in `dist/`.
 */
export function dashboardDir(): string | undefined {
  for (const rel of ['../../ui/', '../../../dist/ui/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}index.html`)) return dir;
  }
  return undefined;
}

/**
 * The page's code may load only from this server and talk only to it: a string from the data that slipped
 * past escaping could not load or send anything elsewhere. Styles may be inline (the chart library sets them).
 */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/**
 * The dashboard at `/ui/` (static files: they hold no data, so they need no key; every page reads the
 * key-guarded `/v1` APIs), and `/` leading to it.
 */
export async function registerDashboard(app: FastifyInstance, dir: string | undefined = dashboardDir()): Promise<void> {
  app.get('/', async (_request, reply) => reply.redirect('/ui/'));
  if (dir === undefined) {
    const notBuilt = async (_request: unknown, reply: Parameters<typeof fail>[0]): Promise<unknown> => fail(reply, 404, 'not found', 'the dashboard is not built here: run `npm run build` in the Hyperplane package');
    app.get('/ui', notBuilt);
    app.get('/ui/*', notBuilt);
    return;
  }
  app.get('/ui', async (_request, reply) => reply.redirect('/ui/'));
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/ui/',
    wildcard: true,
    index: ['index.html'],
    // Hashed asset names never change; index.html must be fetched again to see a new build.
    setHeaders: (res, path) => {
      res.setHeader('content-security-policy', CSP);
      res.setHeader('x-content-type-options', 'nosniff');
      res.setHeader('referrer-policy', 'no-referrer');
      res.setHeader('cache-control', path.endsWith('.html') ? 'no-cache' : 'public, max-age=31536000, immutable');
    },
    cacheControl: false,
    preCompressed: false,
  });
}
