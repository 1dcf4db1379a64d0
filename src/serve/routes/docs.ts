import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { UNSHED } from '../overload.js';

/**
 * `/openapi.json`, and `/docs`: swagger-ui rendering the same document, from the static files that
 * ship in @fastify/swagger-ui (no network needed). Both are open: no route here starts with a scoped
 * prefix, so the key check passes them, and they are answered under load like health.
 */
export async function registerDocsRoutes(app: FastifyInstance): Promise<void> {
  app.get('/openapi.json', UNSHED, async () => app.swagger());
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { deepLinking: true, docExpansion: 'list' },
  });
}
