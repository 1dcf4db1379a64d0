import type { Kysely } from 'kysely';
import { HyperplaneError } from '../../errors.js';
import { checkSha256, corruptBlob, sha256Hex, type ArtifactInfo, type Artifacts } from '../artifacts.js';
import type { Database } from '../db/schema.js';

/** Blobs in the `artifact_blobs` table: with PostgreSQL, every replica sees the same artifacts with no shared disk. */
export class DatabaseArtifacts implements Artifacts {
  readonly location: string;

  constructor(
    private readonly db: Kysely<Database>,
    storeLocation: string,
  ) {
    this.location = `${storeLocation} (table artifact_blobs)`;
  }

  async put(bytes: Uint8Array): Promise<string> {
    const sha = sha256Hex(bytes);
    const row = { sha256: sha, size: bytes.length, data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), stored_at: Date.now() };
    // Rewriting on conflict refreshes stored_at (gc spares it) and repairs a corrupt copy.
    await this.db
      .insertInto('artifact_blobs')
      .values(row)
      .onConflict((oc) => oc.column('sha256').doUpdateSet((eb) => ({ data: eb.ref('excluded.data'), size: eb.ref('excluded.size'), stored_at: eb.ref('excluded.stored_at') })))
      .execute();
    return sha;
  }

  async get(sha: string): Promise<Uint8Array> {
    checkSha256(sha);
    const row = await this.db.selectFrom('artifact_blobs').select('data').where('sha256', '=', sha).executeTakeFirst();
    if (row === undefined) throw new HyperplaneError(`artifact ${sha} is not in the store`, { file: this.location });
    const bytes = row.data;
    const actual = sha256Hex(bytes);
    if (actual !== sha) throw corruptBlob(sha, actual, this.location);
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  async has(sha: string): Promise<boolean> {
    checkSha256(sha);
    return (await this.db.selectFrom('artifact_blobs').select('sha256').where('sha256', '=', sha).executeTakeFirst()) !== undefined;
  }

  async size(sha: string): Promise<number | undefined> {
    checkSha256(sha);
    const row = await this.db.selectFrom('artifact_blobs').select('size').where('sha256', '=', sha).executeTakeFirst();
    return row === undefined ? undefined : Number(row.size);
  }

  async delete(sha: string): Promise<boolean> {
    checkSha256(sha);
    const result = await this.db.deleteFrom('artifact_blobs').where('sha256', '=', sha).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async list(): Promise<ArtifactInfo[]> {
    const rows = await this.db.selectFrom('artifact_blobs').select(['sha256', 'size', 'stored_at']).orderBy('sha256').execute();
    return rows.map((r) => ({ sha256: r.sha256, size: r.size, storedAt: r.stored_at }));
  }
}
