import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, type OpenStoreOptions, type SqlStore } from '../../src/store/index.js';
import { PG_URL, tempDir } from '../helpers.js';

export { PG_URL, postgresUnreachable } from '../helpers.js';

/** Where a test's store lives; `open` may be called again to reopen the same store. */
export interface StoreSpot {
  uri: string;
  root: string;
  open(options?: Omit<OpenStoreOptions, 'uri' | 'root'>): Promise<SqlStore>;
}

/** Hands out fresh, empty stores of one kind and removes them all at the end. */
export interface StoreHarness {
  name: string;
  fresh(): Promise<StoreSpot>;
  dispose(): Promise<void>;
}

const spot = (uri: string, root: string, base: Omit<OpenStoreOptions, 'uri' | 'root'> = {}): StoreSpot => ({
  uri,
  root,
  open: (options = {}) => openStore({ uri, root, ...base, ...options }),
});

export function sqliteHarness(base: Omit<OpenStoreOptions, 'uri' | 'root'> = {}): StoreHarness {
  const dirs: string[] = [];
  return {
    name: `SQLite${base.artifacts === 'database' ? ' (artifacts in the database)' : ''}`,
    async fresh() {
      const root = tempDir('hyperplane-store-');
      dirs.push(root);
      return spot(`sqlite:${join(root, '.hyperplane', 'hyperplane.db')}`, root, base);
    },
    async dispose() {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}

let counter = 0;

/** A unique schema per store (`?schema=`), so parallel test files and tests never see each other's rows. */
export function postgresHarness(url = PG_URL): StoreHarness {
  const schemas: string[] = [];
  return {
    name: 'PostgreSQL',
    async fresh() {
      const schema = `hp_test_${process.pid}_${Date.now().toString(36)}_${counter++}`;
      schemas.push(schema);
      // The root only places SQLite files, and a PostgreSQL store writes none.
      return spot(`${url}${url.includes('?') ? '&' : '?'}schema=${schema}`, tmpdir());
    },
    async dispose() {
      if (schemas.length === 0) return;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        for (const s of schemas) await client.query(`drop schema if exists "${s}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}
