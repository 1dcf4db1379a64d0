import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { HyperplaneError } from '../../errors.js';
import type { Database } from '../db/schema.js';
import type { ChangeOptions } from '../audit.js';
import { API_SCOPES, type ApiKey, type ApiKeys, type ApiScope, type NewKeyOptions } from '../serving.js';
import { checkName } from '../validate.js';
import { actorFor, writeAudit } from './audit.js';

/** `hp_<id>_<secret>`: the id finds the row, the secret (32 random bytes) is checked against its hash. */
const KEY_FORMAT = /^hp_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

// sha256 suffices: the secret has 256 bits of entropy, so there is nothing for a slow hash to stretch.
const hashSecret = (secret: string): Buffer => createHash('sha256').update(secret).digest();

export class SqlApiKeys implements ApiKeys {
  constructor(
    private readonly db: Kysely<Database>,
    /** Recorded in the audit trail for a change whose call names no actor. */
    private readonly actor: string,
  ) {}

  async create(name: string, scopes: readonly ApiScope[], options: NewKeyOptions = {}): Promise<{ key: string; info: ApiKey }> {
    const actor = actorFor(options, this.actor);
    checkName(name, 'key name');
    if (scopes.length === 0) throw new HyperplaneError(`an API key needs at least one scope (${API_SCOPES.join(', ')})`, { field: 'scopes' });
    for (const s of scopes) {
      if (!API_SCOPES.includes(s)) throw new HyperplaneError(`unknown scope '${s}' (allowed: ${API_SCOPES.join(', ')})`, { field: 'scopes' });
    }
    const expiresAt = options.expiresAt ?? null;
    const now = Date.now();
    if (expiresAt !== null && !Number.isSafeInteger(expiresAt)) throw new HyperplaneError(`a key's expiry is epoch milliseconds, got ${expiresAt}`, { field: 'expiresAt' });
    if (expiresAt !== null && expiresAt <= now) throw new HyperplaneError(`the key's expiry is in the past (${new Date(expiresAt).toISOString()})`, { field: 'expiresAt' });
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const info: ApiKey = { id, name, scopes: [...new Set(scopes)], createdAt: now, revokedAt: null, expiresAt };
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('api_keys')
        .values({ id, name, key_hash: hashSecret(secret).toString('hex'), scopes: JSON.stringify(info.scopes), created_at: info.createdAt, revoked_at: null, expires_at: expiresAt })
        .execute();
      await writeAudit(trx, { actor, action: 'key.create', target: id, before: null, after: { name, scopes: info.scopes, expiresAt } });
    });
    return { key: `hp_${id}_${secret}`, info };
  }

  async list(): Promise<ApiKey[]> {
    const rows = await this.db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('name').orderBy('id').execute();
    return rows.map(toKey);
  }

  async revoke(id: string, options?: ChangeOptions): Promise<boolean> {
    const actor = actorFor(options, this.actor);
    const at = Date.now();
    return this.db.transaction().execute(async (trx) => {
      const revoked = await trx.updateTable('api_keys').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).returning('name').executeTakeFirst();
      if (revoked === undefined) return false;
      await writeAudit(trx, { actor, action: 'key.revoke', target: id, before: { name: revoked.name, revokedAt: null }, after: { name: revoked.name, revokedAt: at } });
      return true;
    });
  }

  async delete(id: string, options?: ChangeOptions): Promise<boolean> {
    const actor = actorFor(options, this.actor);
    return this.db.transaction().execute(async (trx) => {
      const gone = await trx.deleteFrom('api_keys').where('id', '=', id).returning(['name', 'scopes', 'revoked_at', 'expires_at']).executeTakeFirst();
      if (gone === undefined) return false;
      const before = { name: gone.name, scopes: JSON.parse(gone.scopes) as string[], revokedAt: gone.revoked_at, expiresAt: gone.expires_at };
      await writeAudit(trx, { actor, action: 'key.delete', target: id, before, after: null });
      return true;
    });
  }

  async verify(key: string, scope?: ApiScope): Promise<ApiKey | undefined> {
    const match = KEY_FORMAT.exec(key);
    if (match === null) return undefined;
    const row = await this.db.selectFrom('api_keys').selectAll().where('id', '=', match[1]!).executeTakeFirst();
    if (row === undefined || row.revoked_at !== null) return undefined;
    if (row.expires_at !== null && row.expires_at <= Date.now()) return undefined;
    if (!timingSafeEqual(Buffer.from(row.key_hash, 'hex'), hashSecret(match[2]!))) return undefined;
    const info = toKey(row);
    if (scope !== undefined && !info.scopes.includes(scope) && !info.scopes.includes('admin')) return undefined;
    return info;
  }
}

const toKey = (r: Database['api_keys']): ApiKey => ({
  id: r.id,
  name: r.name,
  scopes: JSON.parse(r.scopes) as ApiScope[],
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
  expiresAt: r.expires_at,
});
