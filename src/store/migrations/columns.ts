import type { ColumnDefinitionBuilder, ColumnDataType } from 'kysely';
import type { Dialect } from '../db/schema.js';

type ColumnSpec = [ColumnDataType, (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder];

/** The two places the dialects differ: an auto-numbered key and a byte column. */
export function autoId(dialect: Dialect): ColumnSpec {
  // SQLite: `integer primary key` is the rowid itself; PostgreSQL: a standard identity column.
  return dialect === 'sqlite' ? ['integer', (c) => c.primaryKey()] : ['bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity()];
}

export const bytesType = (dialect: Dialect): ColumnDataType => (dialect === 'sqlite' ? 'blob' : 'bytea');
