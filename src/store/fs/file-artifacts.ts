import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, stat, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { HyperplaneError } from '../../errors.js';
import { checkSha256, corruptBlob, sha256Hex, type ArtifactInfo, type Artifacts } from '../artifacts.js';

const HEX_TAIL = /^[0-9a-f]{62}$/;

/** Blobs as files at `<dir>/sha256/ab/cdef…`, written to a temporary file, fsynced and renamed into place. */
export class FileArtifacts implements Artifacts {
  readonly location: string;

  constructor(private readonly dir: string) {
    this.location = dir;
  }

  pathOf(sha: string): string {
    checkSha256(sha);
    return join(this.dir, 'sha256', sha.slice(0, 2), sha.slice(2));
  }

  async put(bytes: Uint8Array): Promise<string> {
    const sha = sha256Hex(bytes);
    const path = this.pathOf(sha);
    if (await this.intact(path, sha)) {
      // Fresh mtime: gc spares blobs written recently, and this one is about to be referenced.
      const now = new Date();
      await utimes(path, now, now);
      return sha;
    }
    const dir = join(this.dir, 'sha256', sha.slice(0, 2));
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    const file = await open(tmp, 'wx');
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    try {
      await rename(tmp, path);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
    await syncDir(dir);
    return sha;
  }

  async get(sha: string): Promise<Uint8Array> {
    const path = this.pathOf(sha);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new HyperplaneError(code === 'ENOENT' ? `artifact ${sha} is not in the store` : `cannot read artifact ${sha} (${code ?? String(e)})`, { file: path });
    }
    const actual = sha256Hex(bytes);
    if (actual !== sha) throw corruptBlob(sha, actual, path);
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  async has(sha: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(sha))).isFile();
    } catch {
      return false;
    }
  }

  async size(sha: string): Promise<number | undefined> {
    try {
      const s = await stat(this.pathOf(sha));
      return s.isFile() ? s.size : undefined;
    } catch {
      return undefined;
    }
  }

  async delete(sha: string): Promise<boolean> {
    try {
      await unlink(this.pathOf(sha));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
  }

  async list(): Promise<ArtifactInfo[]> {
    const root = join(this.dir, 'sha256');
    const out: ArtifactInfo[] = [];
    for (const prefix of await readdir(root).catch(() => [] as string[])) {
      if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
      for (const name of await readdir(join(root, prefix)).catch(() => [] as string[])) {
        // Temporary files of writes in flight (or killed) are not blobs.
        if (!HEX_TAIL.test(name)) continue;
        const s = await stat(join(root, prefix, name)).catch(() => undefined);
        if (s?.isFile()) out.push({ sha256: prefix + name, size: s.size, storedAt: s.mtimeMs });
      }
    }
    return out.sort((a, b) => (a.sha256 < b.sha256 ? -1 : 1));
  }

  /** Present with the right bytes; a corrupt copy is rewritten by the next put of the true bytes. */
  private async intact(path: string, sha: string): Promise<boolean> {
    try {
      return sha256Hex(await readFile(path)) === sha;
    } catch {
      return false;
    }
  }
}

/** Makes the rename itself durable; some platforms can't open a directory for fsync, which is fine there. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  if (handle === undefined) return;
  try {
    await handle.sync().catch(() => undefined);
  } finally {
    await handle.close();
  }
}
