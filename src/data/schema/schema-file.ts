import { readFileSync, writeFileSync } from 'node:fs';
import { HyperplaneError } from '../../errors.js';
import type { Table } from '../table.js';
import { convertColumn, inferColumn, type TypedColumn } from './infer.js';
import { schemaFileSchema, type ColumnSchema, type Schema } from './schema.js';

export function loadSchemaFile(path: string): Schema {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new HyperplaneError(code === 'ENOENT' ? 'no such file' : `cannot read the schema file (${code ?? String(e)})`, { file: path });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new HyperplaneError(`not valid JSON: ${(e as Error).message}`, { file: path });
  }
  const parsed = schemaFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    throw new HyperplaneError(issue.message, { file: path, field });
  }
  return {
    version: 1,
    columns: parsed.data.columns.map((c) => ({ name: c.name, type: c.type, reason: c.reason ?? 'set in the schema file' })),
  };
}

export function saveSchemaFile(path: string, columns: readonly ColumnSchema[]): void {
  const schema: Schema = { version: 1, columns: [...columns] };
  writeFileSync(path, `${JSON.stringify(schema, null, 2)}\n`);
}

/**
 * Types every column of a raw table: from the schema file where it names the column, by inference
 * otherwise. A schema naming a column the data lacks is an error, since it is most likely a typo.
 */
/** A column's ±Infinity values, read as missing. */
export interface InfiniteValues {
  column: string;
  count: number;
  /** 0-based. */
  firstRow: number;
}

/**
 * `lenient`: columns of new data for a model, whose binary values training never saw are scored as
 * missing rather than refused (they come back in `widened`).
 */
export function resolveSchema(raw: Table, schema?: Schema, schemaPath?: string, lenient: ReadonlySet<string> = new Set()): { table: Table; columns: ColumnSchema[]; infinite: InfiniteValues[]; widened: { column: string; values: string[] }[] } {
  const given = new Map(schema?.columns.map((c) => [c.name, c]));
  if (schema !== undefined) {
    const names = new Set(raw.columns.map((c) => c.name));
    for (const c of schema.columns) {
      if (!names.has(c.name)) {
        throw new HyperplaneError(`names column '${c.name}', which the data does not have; columns are: ${[...names].join(', ')}`, {
          ...(schemaPath !== undefined ? { file: schemaPath } : {}),
        });
      }
    }
  }
  const typed: TypedColumn[] = raw.columns.map((c) => {
    const forced = given.get(c.name);
    if (forced === undefined) return inferColumn(c, raw.nRows);
    const converted = convertColumn(c, forced.type, raw.nRows, schemaPath, lenient.has(c.name));
    converted.schema.reason = forced.reason;
    return converted;
  });
  const infinite = typed.flatMap((t) => (t.infinite === undefined ? [] : [{ column: t.schema.name, ...t.infinite }]));
  const widened = typed.flatMap((t) => (t.widened === undefined ? [] : [{ column: t.schema.name, values: t.widened }]));
  return { table: { nRows: raw.nRows, columns: typed.map((t) => t.column) }, columns: typed.map((t) => t.schema), infinite, widened };
}
