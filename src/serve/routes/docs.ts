import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { UNSHED } from '../overload.js';
import { inputSchema } from '../protocols.js';
import type { ServedModels } from '../served-models.js';

type Spec = Readonly<Record<string, unknown>> & { components?: { schemas?: Record<string, object> } };

/** The document with each served model's row added as `Model_<name>_Input` (from its signature; the first version served under a name). */
export function withModelInputs(spec: Spec, models: ServedModels): Record<string, unknown> {
  const inputs: Record<string, object> = {};
  for (const s of models.status()) {
    const served = models.get(s.ref);
    if (served === undefined) continue;
    const name = `Model_${served.model.replace(/[^A-Za-z0-9._-]/g, '_')}_Input`;
    inputs[name] ??= { ...inputSchema(served.signature), description: `One row for ${served.model} (version ${served.version}, as ${s.ref}), from its signature` };
  }
  return { ...spec, components: { ...spec.components, schemas: { ...spec.components?.schemas, ...inputs } } };
}

/**
 * `/openapi.json`, and `/docs`: swagger-ui rendering the same document, from the static files that
 * ship in @fastify/swagger-ui (no network needed). Both are open: no route here starts with a scoped
 * prefix, so the key check passes them.
 */
export async function registerDocsRoutes(app: FastifyInstance, models: ServedModels): Promise<void> {
  app.get('/openapi.json', UNSHED, async () => withModelInputs(app.swagger() as unknown as Spec, models));
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { deepLinking: true, docExpansion: 'list' },
    transformSpecification: (spec) => withModelInputs(spec as Spec, models),
    transformSpecificationClone: false,
  });
}
