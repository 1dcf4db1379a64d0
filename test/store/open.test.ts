import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { HyperplaneError } from '../../src/errors.js';
import { SQLITE_PAGE_BYTES } from '../../src/store/db/sqlite.js';
import { openStore, parseMetricCondition, storeTarget } from '../../src/store/index.js';
import { tempDir } from '../helpers.js';

const dirs: string[] = [];
const dir = (): string => {
  const d = tempDir('hyperplane-open-');
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('openStore', () => {
  it('defaults to SQLite at <root>/.hyperplane/hyperplane.db in WAL mode, with a busy timeout and foreign keys, artifacts beside it', async () => {
    const root = dir();
    const store = await openStore({ root, uri: '' });
    try {
      expect(store.dialect).toBe('sqlite');
      expect(store.location).toBe(join(root, '.hyperplane', 'hyperplane.db'));
      const pragma = async (name: string) => Object.values((await sql.raw<Record<string, unknown>>(`pragma ${name}`).execute(store.db)).rows[0]!)[0];
      expect(await pragma('journal_mode')).toBe('wal');
      expect(await pragma('busy_timeout')).toBe(10_000);
      expect(await pragma('foreign_keys')).toBe(1);
      expect(await pragma('page_size')).toBe(SQLITE_PAGE_BYTES);
      const sha = await store.artifacts.put(new Uint8Array([1, 2, 3]));
      expect(existsSync(join(root, '.hyperplane', 'artifacts', 'sha256', sha.slice(0, 2), sha.slice(2)))).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('a store made with 4 KiB pages (before 16 KiB was the default) keeps them, and opens, migrates and logs as before', async () => {
    const file = join(dir(), 'old.db');
    const old = new Database(file);
    old.pragma('page_size = 4096');
    old.pragma('journal_mode = WAL');
    old.exec('create table made_before (x integer)');
    old.close();
    const store = await openStore({ uri: `sqlite:${file}` });
    try {
      const pages = (await sql.raw<{ page_size: number }>('pragma page_size').execute(store.db)).rows[0]!.page_size;
      expect(pages).toBe(4096);
      await store.predictions.insert([{ id: 'p1', model: 'm', version: 1, timestamp: 1, request: { a: 1 }, response: { b: 2 }, latencyMs: 0.5 }]);
      expect((await store.predictions.get('p1'))?.request).toEqual({ a: 1 });
    } finally {
      await store.close();
    }
  });

  it('reads HYPERPLANE_STORE when no uri is given', () => {
    const saved = process.env['HYPERPLANE_STORE'];
    try {
      process.env['HYPERPLANE_STORE'] = 'postgres://u:secret@db:5432/ml?schema=hp';
      expect(storeTarget({ root: '/p' })).toEqual({ dialect: 'postgres', uri: 'postgres://u:secret@db:5432/ml?schema=hp' });
      delete process.env['HYPERPLANE_STORE'];
      expect(storeTarget({ root: '/p' })).toEqual({ dialect: 'sqlite', file: '/p/.hyperplane/hyperplane.db' });
    } finally {
      if (saved === undefined) delete process.env['HYPERPLANE_STORE'];
      else process.env['HYPERPLANE_STORE'] = saved;
    }
    expect(storeTarget({ root: '/p', uri: 'sqlite:store/x.db' })).toEqual({ dialect: 'sqlite', file: '/p/store/x.db' });
    expect(storeTarget({ root: '/p', uri: 'sqlite:///abs/x.db' })).toEqual({ dialect: 'sqlite', file: '/abs/x.db' });
    expect(storeTarget({ root: '/p', uri: 'team.db' })).toEqual({ dialect: 'sqlite', file: '/p/team.db' });
    expect(storeTarget({ root: '/p', uri: 'postgresql://h/db' }).dialect).toBe('postgres');
    expect(() => storeTarget({ uri: 'mysql://u:pw@h/db' })).toThrow("store 'mysql://***@h/db' is not supported: use postgres://");
  });

  it('names the server, never the password, when PostgreSQL cannot be reached', async () => {
    const error = await openStore({ uri: 'postgres://u:hunter2@127.0.0.1:1/ml?schema=hp' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HyperplaneError);
    expect((error as Error).message).toMatch(/^postgres:\/\/127\.0\.0\.1:1\/ml\?schema=hp: cannot connect to PostgreSQL/);
    expect((error as Error).message).not.toContain('hunter2');
    await expect(openStore({ uri: 'postgres://h/db?schema=bad-name' })).rejects.toThrow("schema 'bad-name' must be letters, digits and underscores");
  });

  it('refuses filesystem artifacts for a PostgreSQL store and unknown migrations', async () => {
    await expect(openStore({ uri: 'postgres://127.0.0.1:1/db', artifacts: 'filesystem' })).rejects.toThrow('filesystem artifacts need a SQLite store');
    await expect(openStore({ root: dir(), migrate: '0042_nope' })).rejects.toThrow("unknown migration '0042_nope' (known: 0001_initial, 0002_heartbeat_and_indexes, 0003_audit_and_key_expiry, 0004_feedback_once, 0005_alerts, 0006_monitor_windows, 0007_run_parent, 0008_run_notes)");
  });
});

describe('parseMetricCondition', () => {
  it('reads the CLI form and says what it expects otherwise', () => {
    expect(parseMetricCondition('auc > 0.9')).toEqual({ metric: 'auc', op: '>', value: 0.9 });
    expect(parseMetricCondition('loss<=0.25')).toEqual({ metric: 'loss', op: '<=', value: 0.25 });
    expect(parseMetricCondition('f1 != 1')).toEqual({ metric: 'f1', op: '!=', value: 1 });
    expect(parseMetricCondition('rmse = 3e-2')).toEqual({ metric: 'rmse', op: '=', value: 0.03 });
    expect(() => parseMetricCondition('auc')).toThrow("'auc' is not a metric condition like 'auc > 0.9'");
    expect(() => parseMetricCondition('auc > high')).toThrow(HyperplaneError);
    expect(() => parseMetricCondition('> 0.9')).toThrow(HyperplaneError);
  });
});
