import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { HyperplaneError } from '../../errors.js';
import type { Database } from '../db/schema.js';
import { API_SCOPES, type ApiKey, type ApiKeys, type ApiScope } from '../serving.js';
import { checkName } from '../validate.js';

/** `hp_<id>_<secret>`: the id finds the row, the secret (32 random bytes) is checked against its hash. */
const KEY_FORMAT = /^hp_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

// sha256 suffices: the secret has 256 bits of entropy, so there is nothing for a slow hash to stretch.
const hashSecret = (secret: string): Buffer => createHash('sha256').update(secret).digest();

export class SqlApiKeys implements ApiKeys {
  constructor(private readonly db: Kysely<Database>) {}

  async create(name: string, scopes: readonly ApiScope[]): Promise<{ key: string; info: ApiKey }> {
    checkName(name, 'key name');
    if (scopes.length === 0) throw new HyperplaneError(`an API key needs at least one scope (${API_SCOPES.join(', ')})`, { field: 'scopes' });
    for (const s of scopes) {
      if (!API_SCOPES.includes(s)) throw new HyperplaneError(`unknown scope '${s}' (allowed: ${API_SCOPES.join(', ')})`, { field: 'scopes' });
    }
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const info: ApiKey = { id, name, scopes: [...new Set(scopes)], createdAt: Date.now(), revokedAt: null };
    await this.db
      .insertInto('api_keys')
      .values({ id, name, key_hash: hashSecret(secret).toString('hex'), scopes: JSON.stringify(info.scopes), created_at: info.createdAt, revoked_at: null })
      .execute();
    return { key: `hp_${id}_${secret}`, info };
  }

  async list(): Promise<ApiKey[]> {
    const rows = await this.db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('name').orderBy('id').execute();
    return rows.map(toKey);
  }

  async revoke(id: string): Promise<boolean> {
    const result = await this.db.updateTable('api_keys').set({ revoked_at: Date.now() }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async delete(id: string): Promise<boolean> {
    return (await this.db.deleteFrom('api_keys').where('id', '=', id).executeTakeFirst()).numDeletedRows > 0n;
  }

  async verify(key: string, scope?: ApiScope): Promise<ApiKey | undefined> {
    const match = KEY_FORMAT.exec(key);
    if (match === null) return undefined;
    const row = await this.db.selectFrom('api_keys').selectAll().where('id', '=', match[1]!).executeTakeFirst();
    if (row === undefined || row.revoked_at !== null) return undefined;
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
});
