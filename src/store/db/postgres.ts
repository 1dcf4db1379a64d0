import { Kysely, sql } from 'kysely';
import pg from 'pg';
import { HyperplaneError } from '../../errors.js';
import { StorePostgresDialect } from './postgres-introspector.js';
import type { Database } from './schema.js';

const INT8_OID = 20;

/** bigint columns hold epoch milliseconds and counts, all far below 2^53: read them as numbers, not strings. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

export interface PostgresTarget {
  /** The connection string without our own `schema` parameter. */
  url: string;
  /** From `?schema=name`: the tables live there instead of the default schema. */
  schema: string | null;
  /** Host and database, no password: safe to print. */
  display: string;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parsePostgresUri(uri: string): PostgresTarget {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    throw new HyperplaneError(`'${redact(uri)}' is not a valid PostgreSQL URL (postgres://user@host:5432/database)`, { field: 'HYPERPLANE_STORE' });
  }
  const schema = u.searchParams.get('schema');
  if (schema !== null && !SCHEMA_NAME.test(schema)) {
    throw new HyperplaneError(`schema '${schema}' must be letters, digits and underscores`, { field: 'HYPERPLANE_STORE' });
  }
  u.searchParams.delete('schema');
  return { url: u.toString(), schema, display: `postgres://${u.host}${u.pathname}${schema === null ? '' : `?schema=${schema}`}` };
}

function redact(uri: string): string {
  return uri.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

/** The query layer, and its pool for what Kysely cannot express (COPY). */
export async function openPostgres(target: PostgresTarget): Promise<{ db: Kysely<Database>; pool: pg.Pool }> {
  if (target.schema !== null) await createSchema(target);
  const pool = new pg.Pool({
    connectionString: target.url,
    max: 10,
    connectionTimeoutMillis: 10_000,
    types,
    ...(target.schema === null ? {} : { options: `-c search_path=${target.schema}` }),
  });
  // A client that loses its server must not crash the process, idle (the pool's event) or checked out
  // between two statements (the client's own event, unheard otherwise: an uncaught exception). The
  // query in flight, or the next one, reports the failure, and the pool drops the client.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Database>({ dialect: new StorePostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(db);
  } catch (e) {
    await db.destroy();
    throw new HyperplaneError(`cannot connect to PostgreSQL: ${(e as Error).message}`, { file: target.display });
  }
  return { db, pool };
}

async function createSchema(target: PostgresTarget): Promise<void> {
  const client = new pg.Client({ connectionString: target.url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (e) {
    throw new HyperplaneError(`cannot connect to PostgreSQL: ${(e as Error).message}`, { file: target.display });
  }
  try {
    await client.query(`create schema if not exists "${target.schema}"`);
  } catch (e) {
    // Two processes creating it at once: one loses the race, and the schema is there.
    const found = await client.query('select 1 from pg_namespace where nspname = $1', [target.schema]);
    if (found.rowCount === 0) throw e;
  } finally {
    await client.end();
  }
}
