import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteAdapter, SqliteDialect, SqliteDriver, type DatabaseConnection, type DialectAdapter, type Driver, type SqliteDialectConfig } from 'kysely';
import type { Database } from './schema.js';

/** Waiting this long for another process's write lock is normal under load; longer means something is stuck. */
export const SQLITE_BUSY_TIMEOUT_MS = 10_000;

/** The page size a new SQLite store is made with. */
export const SQLITE_PAGE_BYTES = 16_384;

/**
 * Transactions start with BEGIN IMMEDIATE: they take the write lock up front (waiting up to the busy
 * timeout), so two processes never both read and then fail to upgrade to a write with SQLITE_BUSY.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/** SQLite runs DDL in transactions; saying so makes the migrator hold the write lock, so processes opening a new store at once migrate it once. */
class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class StoreSqliteDialect extends SqliteDialect {
  constructor(private readonly config: SqliteDialectConfig) {
    super(config);
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.config);
  }
  override createAdapter(): DialectAdapter {
    return new TransactionalSqliteAdapter();
  }
}

/** The open database: Kysely for every query, and the raw handle for the one hot bulk insert. */
export function openSqlite(file: string): { db: Kysely<Database>; raw: SqliteDatabase.Database } {
  mkdirSync(dirname(file), { recursive: true });
  const database = new SqliteDatabase(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  // A new store's pages are 16 KiB (an existing file keeps the size it was made with): a logged prediction
  // is ~1 KB, and with 4 KiB pages inserting one into the log and its three indexes cost the shipper ~25%
  // more CPU (docs/benchmarks.md, "Prediction journal"). Set before WAL mode, whose first write fixes it.
  database.pragma(`page_size = ${SQLITE_PAGE_BYTES}`);
  // WAL: readers never block the writer; commits stay atomic when a process is killed mid-write.
  database.pragma('journal_mode = WAL');
  // In WAL mode NORMAL stays consistent and loses nothing when a process dies; only a power loss can
  // drop the last commits. FULL's fsync per commit capped the prediction log at ~100 batches a second.
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  return { db: new Kysely<Database>({ dialect: new StoreSqliteDialect({ database }) }), raw: database };
}
