import { sql, type Kysely } from 'kysely';
import type { Database, Dialect } from '../../src/store/index.js';

/**
 * The schema as sorted text lines — tables, columns with type, nullability and default, indexes,
 * constraints, and on PostgreSQL the change-notification triggers and their function — read from the database's own catalog, so two schemas can be compared and
 * snapshotted. Migration bookkeeping tables are left out.
 */
export async function describeSchema(db: Kysely<Database>, dialect: Dialect): Promise<string[]> {
  return dialect === 'sqlite' ? describeSqlite(db) : describePostgres(db);
}

const BOOKKEEPING = new Set(['kysely_migration', 'kysely_migration_lock']);

async function describeSqlite(db: Kysely<Database>): Promise<string[]> {
  const lines: string[] = [];
  const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db);
  for (const { name } of tables.rows) {
    if (BOOKKEEPING.has(name)) continue;
    lines.push(`table ${name}`);
    const columns = await sql<{ name: string; type: string; notnull: number; dflt_value: string | null; pk: number }>`select * from pragma_table_info(${name})`.execute(db);
    for (const c of columns.rows) {
      lines.push(`column ${name}.${c.name} ${c.type.toLowerCase()}${c.notnull ? ' not null' : ''}${c.dflt_value === null ? '' : ` default ${c.dflt_value}`}${c.pk ? ` pk#${c.pk}` : ''}`);
    }
    const indexes = await sql<{ name: string; unique: number; origin: string; partial: number }>`select * from pragma_index_list(${name})`.execute(db);
    for (const i of indexes.rows) {
      const cols = await sql<{ name: string }>`select name from pragma_index_info(${i.name}) order by seqno`.execute(db);
      // Auto-named indexes behind PRIMARY KEY / UNIQUE are numbered by position: name them by table and origin.
      const label = i.name.startsWith('sqlite_autoindex_') ? `(${i.origin})` : i.name;
      lines.push(`index ${name} ${label}${i.unique ? ' unique' : ''} (${cols.rows.map((c) => c.name).join(', ')})`);
    }
    const fks = await sql<{ id: number; table: string; from: string; to: string; on_delete: string }>`select * from pragma_foreign_key_list(${name})`.execute(db);
    const byId = new Map<number, { table: string; from: string[]; to: string[]; onDelete: string }>();
    for (const f of fks.rows) {
      const fk = byId.get(f.id) ?? { table: f.table, from: [], to: [], onDelete: f.on_delete };
      fk.from.push(f.from);
      fk.to.push(f.to);
      byId.set(f.id, fk);
    }
    for (const fk of byId.values()) lines.push(`foreign key ${name} (${fk.from.join(', ')}) -> ${fk.table} (${fk.to.join(', ')}) on delete ${fk.onDelete.toLowerCase()}`);
    const ddl = await sql<{ sql: string }>`select sql from sqlite_master where type = 'table' and name = ${name}`.execute(db);
    for (const check of ddl.rows[0]?.sql.match(/check\s*\((?:[^()]|\([^()]*\))*\)/gi) ?? []) lines.push(`check ${name} ${check.replace(/\s+/g, ' ')}`);
  }
  return lines.sort();
}

async function describePostgres(db: Kysely<Database>): Promise<string[]> {
  const lines: string[] = [];
  const columns = await sql<{ table_name: string; column_name: string; data_type: string; is_nullable: string; column_default: string | null; is_identity: string }>`
    select table_name, column_name, data_type, is_nullable, column_default, is_identity
    from information_schema.columns where table_schema = current_schema()`.execute(db);
  const tables = new Set<string>();
  for (const c of columns.rows) {
    if (BOOKKEEPING.has(c.table_name)) continue;
    tables.add(c.table_name);
    lines.push(
      `column ${c.table_name}.${c.column_name} ${c.data_type}${c.is_nullable === 'NO' ? ' not null' : ''}${c.column_default === null ? '' : ` default ${c.column_default}`}${c.is_identity === 'YES' ? ' identity' : ''}`,
    );
  }
  for (const t of tables) lines.push(`table ${t}`);
  const indexes = await sql<{ tablename: string; indexname: string; indexdef: string }>`
    select tablename, indexname, indexdef from pg_indexes where schemaname = current_schema()`.execute(db);
  for (const i of indexes.rows) {
    if (BOOKKEEPING.has(i.tablename)) continue;
    // The definition names the schema, which differs per test: keep only what is indexed and how.
    lines.push(`index ${i.tablename} ${i.indexname} ${i.indexdef.replace(/^.* USING /, 'using ')}`);
  }
  const constraints = await sql<{ table: string; name: string; def: string }>`
    select cl.relname as table, co.conname as name, pg_get_constraintdef(co.oid) as def
    from pg_constraint co join pg_class cl on cl.oid = co.conrelid join pg_namespace n on n.oid = cl.relnamespace
    where n.nspname = current_schema()`.execute(db);
  for (const c of constraints.rows) {
    if (BOOKKEEPING.has(c.table)) continue;
    lines.push(`constraint ${c.table} ${c.name} ${c.def}`);
  }
  // The change notifications a server LISTENs for: each table's trigger, and the function it runs.
  const triggers = await sql<{ table: string; name: string; timing: string; event: string; orientation: string; statement: string }>`
    select event_object_table as table, trigger_name as name, action_timing as timing, event_manipulation as event,
      action_orientation as orientation, action_statement as statement
    from information_schema.triggers where trigger_schema = current_schema()`.execute(db);
  for (const t of triggers.rows) lines.push(`trigger ${t.table} ${t.name} ${t.timing.toLowerCase()} ${t.event.toLowerCase()} for each ${t.orientation.toLowerCase()} ${t.statement}`);
  const functions = await sql<{ name: string; returns: string; body: string }>`
    select p.proname as name, pg_get_function_result(p.oid) as returns, p.prosrc as body
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = current_schema()`.execute(db);
  for (const f of functions.rows) lines.push(`function ${f.name} returns ${f.returns}: ${f.body.replace(/\s+/g, ' ').trim()}`);
  return lines.sort();
}
