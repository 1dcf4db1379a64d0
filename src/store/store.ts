import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Migrator, sql, type Kysely } from 'kysely';
import { HyperplaneError } from '../errors.js';
import type { AlertStore } from './alerts.js';
import type { Artifacts } from './artifacts.js';
import type { AuditLog } from './audit.js';
import type { Database, Dialect } from './db/schema.js';
import { openSqlite } from './db/sqlite.js';
import { FileArtifacts } from './fs/file-artifacts.js';
import { StoreGarbageCollector, type GarbageCollector } from './gc.js';
import { LATEST_MIGRATION, migrationProvider, migrations } from './migrations/index.js';
import type { Registry } from './registry.js';
import type { ApiKeys, Deployments, FeedbackLog, PredictionLog } from './serving.js';
import { SqlAlertStore } from './sql/alerts.js';
import { SqlLeases, SqlMonitorWindows } from './sql/monitor-windows.js';
import type { Leases, MonitorWindows } from './monitor-windows.js';
import { SqlApiKeys } from './sql/api-keys.js';
import { checkActor, SqlAuditLog } from './sql/audit.js';
import { DatabaseArtifacts } from './sql/database-artifacts.js';
import { SqlDeployments } from './sql/deployments.js';
import { SqlFeedbackLog } from './sql/feedback.js';
import { SqlPredictionLog, type CopyRows } from './sql/predictions.js';
import { SqlRegistry } from './sql/registry.js';
import { SqlTracking } from './sql/tracking.js';
import type { Tracking } from './tracking.js';

/** Everything Hyperplane keeps: runs, registry, artifacts, and what serving and monitoring write. */
export interface Store {
  readonly dialect: Dialect;
  /** The database file, or the PostgreSQL host and database without credentials. */
  readonly location: string;
  readonly tracking: Tracking;
  readonly registry: Registry;
  readonly artifacts: Artifacts;
  readonly deployments: Deployments;
  readonly predictions: PredictionLog;
  readonly feedback: FeedbackLog;
  readonly apiKeys: ApiKeys;
  /** Who changed aliases, versions, deployments and keys: recorded by the store with each change. */
  readonly audit: AuditLog;
  /** Alerts raised by monitoring rules, firing then resolved. */
  readonly alerts: AlertStore;
  /** Monitoring's window aggregates, folded as predictions ship. */
  readonly monitorWindows: MonitorWindows;
  /** Named jobs held by one server at a time (a model's scheduled monitor). */
  readonly leases: Leases;
  readonly gc: GarbageCollector;
  close(): Promise<void>;
}

/** A store with its query layer exposed, for tools and tests; the tables are not a stable API. */
export interface SqlStore extends Store {
  readonly db: Kysely<Database>;
}

export interface OpenStoreOptions {
  /** `postgres://…` or `postgresql://…` (optionally `?schema=name`), `sqlite:PATH`, or a path to a .db file. Default: $HYPERPLANE_STORE, then SQLite under `root`. */
  uri?: string;
  /** The project directory; the SQLite store is `<root>/.hyperplane/hyperplane.db`. Default: the working directory. */
  root?: string;
  /** Where blobs go: files beside a SQLite store, the database for PostgreSQL (no shared disk needed). */
  artifacts?: 'filesystem' | 'database';
  /** Migrate up to the latest schema (default), up to a named migration (never down), or not at all (false). */
  migrate?: boolean | string;
  /** Mark runs whose process died as failed (default true). */
  repair?: boolean;
  /** Who the audit trail names for a change whose call passes no `{ actor }`. Default: `process:<os user>`. */
  actor?: string;
}

export const STORE_DIR = '.hyperplane';
export const STORE_ENV = 'HYPERPLANE_STORE';

/** Which database a URI names: a SQLite file, or a PostgreSQL URL. */
export type StoreTarget = { dialect: 'sqlite'; file: string } | { dialect: 'postgres'; uri: string };

export function storeTarget(options: Pick<OpenStoreOptions, 'uri' | 'root'> = {}): StoreTarget {
  const root = resolve(options.root ?? process.cwd());
  const uri = options.uri ?? process.env[STORE_ENV];
  if (uri === undefined || uri === '') return { dialect: 'sqlite', file: join(root, STORE_DIR, 'hyperplane.db') };
  if (/^postgres(ql)?:\/\//i.test(uri)) return { dialect: 'postgres', uri };
  if (uri.startsWith('sqlite:')) return { dialect: 'sqlite', file: resolve(root, uri.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '')) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) {
    throw new HyperplaneError(`store '${uri.replace(/\/\/[^@/]*@/, '//***@')}' is not supported: use postgres://user@host:5432/db, sqlite:PATH or a .db file path`, { field: STORE_ENV });
  }
  return { dialect: 'sqlite', file: resolve(root, uri) };
}

/**
 * Opens the store, migrating it to this version's schema and marking runs left `running` by dead
 * processes as failed. Close it when done: a PostgreSQL pool keeps the process alive.
 */
export async function openStore(options: OpenStoreOptions = {}): Promise<SqlStore> {
  const target = storeTarget(options);
  const useFiles = (options.artifacts ?? (target.dialect === 'sqlite' ? 'filesystem' : 'database')) === 'filesystem';
  if (useFiles && target.dialect === 'postgres') {
    throw new HyperplaneError('a PostgreSQL store keeps its artifacts in the database, so every server sees them; filesystem artifacts need a SQLite store', { field: 'artifacts' });
  }
  let db: Kysely<Database>;
  let raw: import('better-sqlite3').Database | undefined;
  let location: string;
  let migrationSchema: string | undefined;
  let copyRows: CopyRows | undefined;
  if (target.dialect === 'sqlite') {
    location = target.file;
    try {
      ({ db, raw } = openSqlite(target.file));
    } catch (e) {
      throw new HyperplaneError(`cannot open the store: ${(e as Error).message}`, { file: target.file });
    }
  } else {
    // Loaded only for a PostgreSQL store: `pg` costs every SQLite user's start ~40 ms.
    const [{ openPostgres, parsePostgresUri }, { copyPredictions }] = await Promise.all([import('./db/postgres.js'), import('./sql/prediction-copy.js')]);
    const pg = parsePostgresUri(target.uri);
    location = pg.display;
    let pool: import('pg').Pool;
    ({ db, pool } = await openPostgres(pg));
    copyRows = copyPredictions(pool);
    // Named explicitly: the migrator otherwise finds another schema's bookkeeping tables and skips creating ours.
    migrationSchema = (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema;
  }
  try {
    if (options.migrate !== false) await migrate(db, target.dialect, location, typeof options.migrate === 'string' ? options.migrate : LATEST_MIGRATION, migrationSchema);
    const artifacts = useFiles ? new FileArtifacts(join(dirname(location), 'artifacts')) : new DatabaseArtifacts(db, location);
    const tracking = new SqlTracking(db, target.dialect, artifacts);
    const actor = checkActor(options.actor ?? `process:${osUser()}`);
    const store: SqlStore = {
      dialect: target.dialect,
      location,
      db,
      tracking,
      registry: new SqlRegistry(db, artifacts, tracking, actor),
      artifacts,
      deployments: new SqlDeployments(db, target.dialect, actor),
      predictions: new SqlPredictionLog(db, { sqlite: raw, copyRows }),
      feedback: new SqlFeedbackLog(db),
      apiKeys: new SqlApiKeys(db, actor),
      audit: new SqlAuditLog(db),
      alerts: new SqlAlertStore(db),
      monitorWindows: new SqlMonitorWindows(db, target.dialect),
      leases: new SqlLeases(db),
      gc: new StoreGarbageCollector(db, artifacts),
      close: async () => {
        // SQLite's advice for long-lived connections: refresh the planner's statistics where they are stale, on close.
        if (target.dialect === 'sqlite') await sql`pragma optimize`.execute(db).catch(() => undefined);
        await db.destroy();
      },
    };
    const latest = options.migrate === undefined || options.migrate === true || options.migrate === LATEST_MIGRATION;
    if (options.repair !== false && latest) await tracking.markStaleRunsFailed();
    return store;
  } catch (e) {
    await db.destroy();
    throw e;
  }
}

/** The operating system's name for who runs this process; some containers have none. */
export function osUser(): string {
  try {
    return userInfo().username || (process.env['USER'] ?? 'unknown');
  } catch {
    return process.env['USER'] ?? 'unknown';
  }
}

async function migrate(db: Kysely<Database>, dialect: Dialect, location: string, target: string, schema: string | undefined): Promise<void> {
  const known = migrations(dialect);
  if (!(target in known)) throw new HyperplaneError(`unknown migration '${target}' (known: ${Object.keys(known).join(', ')})`, { field: 'migrate' });
  // The migration bookkeeping tables go where the store's tables go (a named schema on PostgreSQL).
  const migrator = new Migrator({ db, provider: migrationProvider(dialect), ...(schema === undefined ? {} : { migrationTableSchema: schema }) });
  const done = await appliedMigrations(db, schema);
  const unknown = done.filter((name) => !(name in known));
  if (unknown.length > 0) {
    throw new HyperplaneError(`the store was written by a newer Hyperplane (it has migration ${unknown.join(', ')}); upgrade Hyperplane to use it`, { file: location });
  }
  if (done.some((name) => name >= target)) return;
  const { error } = await migrator.migrateTo(target);
  if (error === undefined) return;
  throw new HyperplaneError(`cannot migrate the store: ${error instanceof Error ? error.message : String(error)}`, { file: location });
}

/** Names of the migrations already applied; none on a new database. */
async function appliedMigrations(db: Kysely<Database>, schema: string | undefined): Promise<string[]> {
  try {
    const table = sql.table(schema === undefined ? 'kysely_migration' : `${schema}.kysely_migration`);
    return (await sql<{ name: string }>`select name from ${table}`.execute(db)).rows.map((r) => r.name);
  } catch {
    return [];
  }
}
