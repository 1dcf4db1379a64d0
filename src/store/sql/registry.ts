import type { Kysely } from 'kysely';
import { HyperplaneError } from '../../errors.js';
import { checkSha256, type Artifacts } from '../artifacts.js';
import type { Database } from '../db/schema.js';
import { fromJson, toJson } from '../json.js';
import type { ChangeOptions } from '../audit.js';
import type { AliasMove, ModelInfo, ModelRef, ModelVersion, NewVersion, Registry, ResolvedModel } from '../registry.js';
import type { Tracking } from '../tracking.js';
import { checkAlias, checkInteger, checkModelName } from '../validate.js';
import { actorFor, writeAudit } from './audit.js';
import type { Db } from './run-rows.js';

/** `name@alias`, `name/3`, `name/latest`, or anything else as a run id (or its prefix). */
export function parseModelRef(ref: string): ModelRef {
  const at = ref.lastIndexOf('@');
  if (at >= 0) return { kind: 'alias', model: checkModelName(ref.slice(0, at)), alias: checkAlias(ref.slice(at + 1)) };
  const slash = ref.lastIndexOf('/');
  if (slash >= 0) {
    const model = checkModelName(ref.slice(0, slash));
    const tail = ref.slice(slash + 1);
    if (tail === 'latest') return { kind: 'latest', model };
    if (!/^[1-9][0-9]{0,8}$/.test(tail)) throw new HyperplaneError(`'${ref}' is not a model reference: after '/' comes a version number or 'latest'`, { field: 'model' });
    return { kind: 'version', model, version: Number(tail) };
  }
  if (ref.trim() === '') throw new HyperplaneError('a model reference is name@alias, name/3, name/latest or a run id; got an empty string', { field: 'model' });
  return { kind: 'run', runId: ref };
}

type VersionRow = Database['model_versions'];

/**
 * Every change takes the model's row lock first (an UPDATE of `models`), inside a transaction: version
 * numbers never repeat, and alias moves and their history are serialized per model on both databases.
 */
export class SqlRegistry implements Registry {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly artifacts: Artifacts,
    private readonly tracking: Tracking,
    /** Recorded in the audit trail for a change whose call names no actor. */
    private readonly actor: string,
  ) {}

  async createModel(name: string, options: { description?: string } = {}): Promise<ModelInfo> {
    checkModelName(name);
    const now = Date.now();
    const result = await this.db
      .insertInto('models')
      .values({ name, description: options.description ?? null, created_at: now, updated_at: now })
      .onConflict((oc) => oc.column('name').doNothing())
      .executeTakeFirst();
    if (result.numInsertedOrUpdatedRows === 0n) throw new HyperplaneError(`model '${name}' already exists`, { field: 'name' });
    return (await this.getModel(name))!;
  }

  async getModel(name: string): Promise<ModelInfo | undefined> {
    return (await this.models(name))[0];
  }

  listModels(): Promise<ModelInfo[]> {
    return this.models();
  }

  private async models(name?: string): Promise<ModelInfo[]> {
    let models = this.db.selectFrom('models').selectAll();
    let latest = this.db.selectFrom('model_versions').select((eb) => ['model', eb.fn.max('version').as('latest')]).groupBy('model');
    let aliases = this.db.selectFrom('model_aliases').select(['model', 'alias', 'version']);
    if (name !== undefined) {
      models = models.where('name', '=', name);
      latest = latest.where('model', '=', name);
      aliases = aliases.where('model', '=', name);
    }
    const [m, l, a] = await Promise.all([models.orderBy('name').execute(), latest.execute(), aliases.orderBy('alias').execute()]);
    const latestBy = new Map(l.map((r) => [r.model, Number(r.latest)]));
    return m.map((r) => ({
      name: r.name,
      description: r.description,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      latestVersion: latestBy.get(r.name) ?? null,
      aliases: Object.fromEntries(a.filter((x) => x.model === r.name).map((x) => [x.alias, x.version])),
    }));
  }

  async deleteModel(name: string, options?: ChangeOptions): Promise<void> {
    const actor = actorFor(options, this.actor);
    await this.db.transaction().execute(async (trx) => {
      await lockModel(trx, name);
      const versions = await trx.selectFrom('model_versions').select('version').where('model', '=', name).orderBy('version').execute();
      const aliases = await trx.selectFrom('model_aliases').select(['alias', 'version']).where('model', '=', name).orderBy('alias').execute();
      const before = { versions: versions.map((v) => v.version), aliases: Object.fromEntries(aliases.map((a) => [a.alias, a.version])) };
      await writeAudit(trx, { actor, action: 'model.delete', target: name, before, after: null });
      await trx.deleteFrom('model_aliases').where('model', '=', name).execute();
      await trx.deleteFrom('alias_history').where('model', '=', name).execute();
      await trx.deleteFrom('model_versions').where('model', '=', name).execute();
      await trx.deleteFrom('models').where('name', '=', name).execute();
    });
  }

  async createVersion(model: string, spec: NewVersion): Promise<ModelVersion> {
    checkModelName(model);
    // Read the run and check the artifact before the transaction, so the write lock is held briefly.
    const run = spec.runId === undefined ? undefined : await this.tracking.getRun(spec.runId);
    if (spec.runId !== undefined && run === undefined) throw new HyperplaneError(`no run '${spec.runId}'`, { field: 'run' });
    const artifact = spec.artifact ?? run?.artifacts.find((a) => a.name === 'model')?.sha256;
    if (artifact === undefined) {
      throw new HyperplaneError(run === undefined ? 'a model version needs an artifact or a run' : `run ${run.id} has no 'model' artifact to register`, { field: 'artifact' });
    }
    checkSha256(artifact);
    if (!(await this.artifacts.has(artifact))) throw new HyperplaneError(`artifact ${artifact} is not in the store; put it before registering it`, { file: this.artifacts.location });
    const metrics = spec.metrics ?? Object.fromEntries(Object.entries(run?.metrics ?? {}).filter(([, v]) => !Number.isNaN(v)));
    const fingerprint = spec.fingerprint ?? run?.inputs.find((i) => i.role === 'train')?.fingerprint ?? null;
    const now = Date.now();
    const version = await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('models').values({ name: model, description: null, created_at: now, updated_at: now }).onConflict((oc) => oc.column('name').doNothing()).execute();
      const { last_version: number } = await trx
        .updateTable('models')
        .set((eb) => ({ last_version: eb('last_version', '+', 1), updated_at: now }))
        .where('name', '=', model)
        .returning('last_version')
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('model_versions')
        .values({
          model,
          version: number,
          run_id: run?.id ?? null,
          artifact,
          metrics: JSON.stringify(metrics),
          schema: toJson(spec.schema),
          signature: toJson(spec.signature),
          fingerprint,
          description: spec.description ?? null,
          created_at: now,
        })
        .execute();
      return number;
    });
    return (await this.getVersion(model, version))!;
  }

  async getVersion(model: string, version: number): Promise<ModelVersion | undefined> {
    return (await this.versions(model, version))[0];
  }

  listVersions(model: string): Promise<ModelVersion[]> {
    return this.versions(model);
  }

  private async versions(model: string, version?: number): Promise<ModelVersion[]> {
    let rows = this.db.selectFrom('model_versions').selectAll().where('model', '=', model);
    let aliases = this.db.selectFrom('model_aliases').select(['alias', 'version']).where('model', '=', model);
    if (version !== undefined) {
      rows = rows.where('version', '=', version);
      aliases = aliases.where('version', '=', version);
    }
    const [v, a] = await Promise.all([rows.orderBy('version').execute(), aliases.orderBy('alias').execute()]);
    return v.map((r) => toVersion(r, a.filter((x) => x.version === r.version).map((x) => x.alias)));
  }

  async deleteVersion(model: string, version: number, options?: ChangeOptions): Promise<void> {
    const actor = actorFor(options, this.actor);
    await this.db.transaction().execute(async (trx) => {
      await lockModel(trx, model);
      const aliases = await trx.selectFrom('model_aliases').select('alias').where('model', '=', model).where('version', '=', version).execute();
      if (aliases.length > 0) {
        throw new HyperplaneError(`${model}/${version} can't be deleted: alias ${aliases.map((a) => a.alias).join(', ')} points at it; move or delete the alias first`, { field: 'version' });
      }
      const gone = await trx.deleteFrom('model_versions').where('model', '=', model).where('version', '=', version).returning(['artifact', 'run_id']).executeTakeFirst();
      if (gone === undefined) throw await noVersion(trx, model, version);
      await writeAudit(trx, { actor, action: 'version.delete', target: `${model}/${version}`, before: { version, artifact: gone.artifact, runId: gone.run_id }, after: null });
    });
  }

  async setAlias(model: string, alias: string, version: number, options?: ChangeOptions): Promise<AliasMove> {
    const actor = actorFor(options, this.actor);
    checkAlias(alias);
    checkInteger(version, 'version');
    const target = await this.getVersion(model, version);
    if (target === undefined) throw await noVersion(this.db, model, version);
    // Artifacts are written atomically before registration; this refuses one deleted or never put since.
    if (!(await this.artifacts.has(target.artifact))) {
      throw new HyperplaneError(`${model}/${version}'s artifact ${target.artifact} is not in the store, so '${alias}' can't point at it`, { file: this.artifacts.location });
    }
    return this.db.transaction().execute(async (trx) => {
      await lockModel(trx, model);
      const at = Date.now();
      const still = await trx.selectFrom('model_versions').select('version').where('model', '=', model).where('version', '=', version).executeTakeFirst();
      if (still === undefined) throw await noVersion(trx, model, version);
      const current = await trx.selectFrom('model_aliases').select('version').where('model', '=', model).where('alias', '=', alias).executeTakeFirst();
      const move: AliasMove = { model, alias, from: current?.version ?? null, to: version, at };
      if (move.from === version) return move;
      await trx
        .insertInto('model_aliases')
        .values({ model, alias, version, updated_at: at })
        .onConflict((oc) => oc.columns(['model', 'alias']).doUpdateSet({ version, updated_at: at }))
        .execute();
      await trx.insertInto('alias_history').values({ model, alias, from_version: move.from, to_version: version, at }).execute();
      await writeAudit(trx, { actor, action: 'alias.set', target: `${model}@${alias}`, before: move.from === null ? null : { version: move.from }, after: { version } });
      return move;
    });
  }

  async deleteAlias(model: string, alias: string, options?: ChangeOptions): Promise<AliasMove> {
    const actor = actorFor(options, this.actor);
    return this.db.transaction().execute(async (trx) => {
      await lockModel(trx, model);
      const at = Date.now();
      const current = await trx.selectFrom('model_aliases').select('version').where('model', '=', model).where('alias', '=', alias).executeTakeFirst();
      if (current === undefined) throw new HyperplaneError(`model '${model}' has no alias '${alias}'`, { field: 'alias' });
      await trx.deleteFrom('model_aliases').where('model', '=', model).where('alias', '=', alias).execute();
      await trx.insertInto('alias_history').values({ model, alias, from_version: current.version, to_version: null, at }).execute();
      await writeAudit(trx, { actor, action: 'alias.delete', target: `${model}@${alias}`, before: { version: current.version }, after: null });
      return { model, alias, from: current.version, to: null, at };
    });
  }

  async aliasHistory(model: string, alias?: string): Promise<AliasMove[]> {
    let q = this.db.selectFrom('alias_history').selectAll().where('model', '=', model);
    if (alias !== undefined) q = q.where('alias', '=', alias);
    // Ids are taken under the model's lock, so they are the order the moves happened in, whatever the clocks say.
    const rows = await q.orderBy('id').execute();
    return rows.map((r) => ({ model: r.model, alias: r.alias, from: r.from_version, to: r.to_version, at: r.at }));
  }

  async resolve(ref: string): Promise<ResolvedModel> {
    const parsed = parseModelRef(ref);
    if (parsed.kind === 'run') return this.resolveRun(parsed.runId);
    const info = await this.getModel(parsed.model);
    if (info === undefined) throw new HyperplaneError(`no model named '${parsed.model}'`, { field: 'model' });
    let number: number | undefined;
    if (parsed.kind === 'alias') {
      number = info.aliases[parsed.alias];
      if (number === undefined) {
        const known = Object.keys(info.aliases);
        throw new HyperplaneError(`model '${parsed.model}' has no alias '${parsed.alias}' (${known.length > 0 ? `its aliases: ${known.join(', ')}` : 'it has no aliases'})`, { field: 'model' });
      }
    } else if (parsed.kind === 'latest') {
      if (info.latestVersion === null) throw new HyperplaneError(`model '${parsed.model}' has no versions`, { field: 'model' });
      number = info.latestVersion;
    } else {
      number = parsed.version;
    }
    const version = await this.getVersion(parsed.model, number);
    if (version === undefined) throw await noVersion(this.db, parsed.model, number);
    return { model: version.model, version: version.version, runId: version.runId, artifact: version.artifact };
  }

  /** A run's own 'model' artifact; the version registered from it, when there is one, names it. */
  private async resolveRun(runId: string): Promise<ResolvedModel> {
    const run = await this.tracking.getRun(runId);
    if (run === undefined) throw new HyperplaneError(`'${runId}' is neither a run id nor a model reference (name@alias, name/3, name/latest)`, { field: 'model' });
    const registered = await this.db.selectFrom('model_versions').selectAll().where('run_id', '=', run.id).orderBy('created_at', 'desc').orderBy('version', 'desc').executeTakeFirst();
    const own = run.artifacts.find((a) => a.name === 'model')?.sha256;
    const artifact = own ?? registered?.artifact;
    if (artifact === undefined) throw new HyperplaneError(`run ${run.id} has no model artifact`, { field: 'model' });
    const same = registered !== undefined && registered.artifact === artifact;
    return { model: same ? registered.model : null, version: same ? registered.version : null, runId: run.id, artifact };
  }
}

function toVersion(r: VersionRow, aliases: string[]): ModelVersion {
  return {
    model: r.model,
    version: r.version,
    runId: r.run_id,
    artifact: r.artifact,
    metrics: JSON.parse(r.metrics) as Record<string, number>,
    schema: fromJson(r.schema),
    signature: fromJson(r.signature),
    fingerprint: r.fingerprint,
    description: r.description,
    createdAt: r.created_at,
    aliases,
  };
}

/** Takes the model's row lock until the transaction ends; a missing model is an error naming it. */
async function lockModel(trx: Db, model: string): Promise<void> {
  const result = await trx.updateTable('models').set({ updated_at: Date.now() }).where('name', '=', model).executeTakeFirst();
  if (result.numUpdatedRows === 0n) throw new HyperplaneError(`no model named '${model}'`, { field: 'model' });
}

async function noVersion(db: Db, model: string, version: number): Promise<HyperplaneError> {
  const exists = await db.selectFrom('models').select('name').where('name', '=', model).executeTakeFirst();
  if (exists === undefined) return new HyperplaneError(`no model named '${model}'`, { field: 'model' });
  const versions = (await db.selectFrom('model_versions').select('version').where('model', '=', model).orderBy('version').execute()).map((v) => v.version);
  // A long list is shortened to its ends: the message stays one readable line.
  const shown = versions.length <= 12 ? versions.join(', ') : `${versions.slice(0, 5).join(', ')}, …, ${versions.slice(-5).join(', ')} (${versions.length} in all)`;
  const have = versions.length === 0 ? 'it has no versions' : `its versions: ${shown}`;
  return new HyperplaneError(`model '${model}' has no version ${version} (${have})`, { field: 'version' });
}
