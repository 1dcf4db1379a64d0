import type { FastifyInstance } from 'fastify';
import { isHyperplaneError } from '../../errors.js';
import type { Store } from '../../store/index.js';
import { actorOf } from '../audit.js';
import { fail } from '../reply.js';
import { aliasMoveBodySchema } from '../schemas/requests.js';

export interface AliasAdminDeps {
  store: Store;
  /** Loads and scores a row with a version, throwing a HyperplaneError when it cannot serve. */
  check(ref: string): Promise<void>;
  reload(): Promise<void>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * `PUT /v1/admin/registry/models/:name/aliases/:alias` `{version, expect?}`: moves an alias (a rollback is
 * a move back), as the dashboard's Models page does it. `expect` is the version the person saw the alias
 * at when they confirmed: if it has moved since, nothing changes (409). The version must load and score
 * here first, so a broken version never replaces the one serving. Audited with the key's name.
 */
export function registerAliasAdminRoute(app: FastifyInstance, deps: AliasAdminDeps): void {
  app.put<{ Params: { name: string; alias: string }; Body: unknown }>('/v1/admin/registry/models/:name/aliases/:alias', async (request, reply) => {
    const { name, alias } = request.params;
    if (!NAME.test(alias)) return fail(reply, 400, 'bad request', `alias '${alias}': expected letters, digits, '.', '_' or '-' (up to 128)`, [{ field: 'alias', problem: 'not a name', expected: 'letters, digits, ., _ or -' }]);
    const parsed = aliasMoveBodySchema.safeParse(request.body);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => ({ field: i.path.length > 0 ? i.path.join('.') : i.code === 'unrecognized_keys' ? i.keys.join(', ') : 'body', problem: i.message, expected: '{version: a whole number from 1, expect?: the version the alias points at now, or null}' }));
      return fail(reply, 400, 'bad request', `${problems.map((p) => `field '${p.field}': ${p.problem}`).join('; ')}: expected {version, expect?}`, problems);
    }
    const { version, expect: expected } = parsed.data;
    const model = await deps.store.registry.getModel(name);
    if (model === undefined) return fail(reply, 404, 'not found', `no model '${name}' in the registry`);
    if ((await deps.store.registry.getVersion(name, version)) === undefined) return fail(reply, 404, 'not found', `field 'version': ${name} has no version ${version} (latest: ${model.latestVersion ?? 'none'})`);
    const now = model.aliases[alias] ?? null;
    if (expected !== undefined && expected !== now) return fail(reply, 409, 'conflict', `${name}@${alias} points at ${now === null ? 'nothing' : `version ${now}`} now, not ${expected === null ? 'nothing' : `version ${expected}`}: someone moved it since; nothing changed`);
    try {
      await deps.check(`${name}/${version}`);
    } catch (e) {
      if (!isHyperplaneError(e)) throw e;
      return fail(reply, 400, 'bad request', `field 'version': ${name}/${version} does not load here, so ${name}@${alias} is not moved: ${e.message}`);
    }
    const move = await deps.store.registry.setAlias(name, alias, version, { actor: actorOf(request.apiKey) });
    await deps.reload();
    return move;
  });
}
