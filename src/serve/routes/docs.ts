import type { FastifyInstance } from 'fastify';
import { apiMarkdown } from '../api-docs.js';

/** `/openapi.json`, and `/docs`: the same document as readable text. */
export function registerDocsRoutes(app: FastifyInstance): void {
  app.get('/openapi.json', async () => app.swagger());
  app.get('/docs', async (_request, reply) => {
    const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const md = apiMarkdown(app.swagger() as unknown as Parameters<typeof apiMarkdown>[0]);
    return reply.type('text/html; charset=utf-8').send(`<!doctype html><html><head><meta charset="utf-8"><title>Hyperplane API</title><style>body{font:14px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}pre{white-space:pre-wrap}</style></head><body><p>The machine-readable document is <a href="/openapi.json">/openapi.json</a>.</p><pre>${escape(md)}</pre></body></html>`);
  });
}
