import type { AliasMove, AuditEntry, JsonValue, Store } from '../../../store/index.js';
import { missing } from './runs-errors.js';

/** Every model: its description, how many versions it has, its latest, and its aliases. */
export async function listModels(store: Store): Promise<{ models: Record<string, unknown>[] }> {
  const models = [];
  for (const m of await store.registry.listModels()) {
    const versions = (await store.registry.listVersions(m.name)).length;
    models.push({ name: m.name, description: m.description, createdAt: m.createdAt, updatedAt: m.updatedAt, versions, latestVersion: m.latestVersion, aliases: m.aliases });
  }
  return { models };
}

const versionIn = (state: JsonValue | null): number | null => (state !== null && typeof state === 'object' && !Array.isArray(state) && typeof state['version'] === 'number' ? state['version'] : null);

/**
 * Each alias move with who made it, from the audit trail: the store records both in one transaction, so
 * the n-th move of an alias matches the next audit entry for `model@alias` with the same from and to.
 * Moves older than the audit trail (or an audit entry pruned) have no actor.
 */
async function withActors(store: Store, model: string, moves: readonly AliasMove[]): Promise<(AliasMove & { actor: string | null })[]> {
  const trails = new Map<string, AuditEntry[]>();
  for (const alias of new Set(moves.map((m) => m.alias))) {
    const entries = await store.audit.list({ target: `${model}@${alias}`, limit: 10_000 });
    trails.set(alias, entries.filter((e) => e.action === 'alias.set' || e.action === 'alias.delete').reverse());
  }
  return moves.map((move) => {
    const trail = trails.get(move.alias) ?? [];
    const at = trail.findIndex((e) => versionIn(e.before) === move.from && versionIn(e.after) === move.to);
    const entry = at >= 0 ? trail.splice(0, at + 1)[at] : undefined;
    return { ...move, actor: entry?.actor ?? null };
  });
}

/** One model: its versions (newest first) with their runs and metrics, its aliases, and every alias move (oldest first) with who made it. */
export async function modelDetail(store: Store, name: string): Promise<Record<string, unknown>> {
  const model = await store.registry.getModel(name);
  if (model === undefined) throw missing('name', `no model named '${name}'`, 'a model name from GET /v1/registry/models');
  const versions = (await store.registry.listVersions(name))
    .map((v) => ({ version: v.version, runId: v.runId, artifact: v.artifact, metrics: v.metrics, fingerprint: v.fingerprint, description: v.description, createdAt: v.createdAt, aliases: v.aliases }))
    .sort((a, b) => b.version - a.version);
  const aliasHistory = await withActors(store, name, await store.registry.aliasHistory(name));
  return { name: model.name, description: model.description, createdAt: model.createdAt, updatedAt: model.updatedAt, latestVersion: model.latestVersion, aliases: model.aliases, versions, aliasHistory };
}
