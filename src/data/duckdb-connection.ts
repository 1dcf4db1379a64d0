import duckdb from '@duckdb/node-bindings';

/** One in-memory DuckDB per process, shared by the readers and writers; each caller opens its own connection. */
let database: Promise<duckdb.Database> | undefined;

export async function connect(): Promise<duckdb.Connection> {
  database ??= duckdb.open(':memory:');
  return duckdb.connect(await database);
}

export function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

export function sqlIdentifier(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}
