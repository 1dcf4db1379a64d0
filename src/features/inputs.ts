import { HyperplaneError } from '../errors.js';
import type { Column, Table } from '../data/table.js';
import { isMissingMarker, parseDateText, parseNumberText } from '../data/schema/values.js';

/**
 * One row's input cells as a recipe reads them, input k being the recipe's k-th input column. A
 * table (batch scoring, training) and a JSON object (serving) both present rows this way, so one
 * transform serves both: training and serving cannot skew.
 */
export interface RowInputs {
  /** A number, or NaN when missing. */
  number(k: number): number;
  /** A category label, or null when missing. */
  label(k: number): string | null;
  /** Free text, or null when missing. */
  text(k: number): string | null;
  /** Epoch milliseconds, or NaN when missing. */
  time(k: number): number;
}

/** Rows of a table; set `row` before each read. */
export class TableInputs implements RowInputs {
  row = 0;
  private readonly columns: Column[];

  constructor(table: Table, names: readonly string[], source?: string) {
    this.columns = names.map((name) => {
      const column = table.columns.find((c) => c.name === name);
      if (column === undefined) {
        throw new HyperplaneError(`the model needs column '${name}', which the data does not have`, { ...(source !== undefined ? { file: source } : {}), column: name });
      }
      return column;
    });
  }

  number(k: number): number {
    const c = this.columns[k]!;
    if (c.kind === 'numeric' || c.kind === 'datetime') return c.values[this.row]!;
    const label = this.label(k);
    return label === null ? NaN : (parseNumberText(label)?.value ?? NaN);
  }

  label(k: number): string | null {
    const c = this.columns[k]!;
    switch (c.kind) {
      case 'categorical': {
        const code = c.codes[this.row]!;
        return code < 0 ? null : c.dictionary[code]!;
      }
      case 'text':
        return c.values[this.row] ?? null;
      case 'numeric':
      case 'datetime': {
        const v = c.values[this.row]!;
        return v !== v ? null : String(v);
      }
    }
  }

  text(k: number): string | null {
    return this.label(k);
  }

  time(k: number): number {
    const c = this.columns[k]!;
    if (c.kind === 'datetime' || c.kind === 'numeric') return c.values[this.row]!;
    const label = this.label(k);
    return label === null ? NaN : parseDateText(label);
  }
}

/** A JSON value as a request body holds it. */
export type JsonCell = string | number | boolean | null | undefined;

/**
 * One JSON object's fields. Absent fields, null and missing-value markers ("", "NA", …) are
 * missing; a value that can't be what the column needs is an error naming the field.
 */
export class JsonInputs implements RowInputs {
  /** Each input's position by name; undefined when a name repeats (each is then read by name). */
  private readonly index: Map<string, number> | undefined;
  /** The current row's values by input position. */
  private readonly values: unknown[];
  private current: Readonly<Record<string, unknown>> = {};

  constructor(
    private readonly names: readonly string[],
    row: Readonly<Record<string, unknown>>,
  ) {
    const index = new Map(names.map((n, k) => [n, k]));
    this.index = index.size === names.length ? index : undefined;
    this.values = new Array<unknown>(names.length).fill(undefined);
    this.row = row;
  }

  /** The row read now; a recipe points one reader at each row in turn. */
  get row(): Readonly<Record<string, unknown>> {
    return this.current;
  }

  /**
   * Gathers the row's fields by input in one pass: for…in reads each field fast, where `row[name]`
   * for every input name was a megamorphic lookup each (most of a served row's encoding).
   */
  set row(row: Readonly<Record<string, unknown>>) {
    this.current = row;
    const { index, values } = this;
    if (index === undefined) return;
    values.fill(undefined);
    for (const key in row) {
      const k = index.get(key);
      if (k !== undefined) values[k] = row[key];
    }
  }

  private cell(k: number): JsonCell {
    const v = this.index !== undefined ? this.values[k] : this.current[this.names[k]!];
    if (v === undefined || v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
    throw new HyperplaneError(`expected a single value, got ${Array.isArray(v) ? 'an array' : 'an object'}`, { field: this.names[k]! });
  }

  number(k: number): number {
    const v = this.cell(k);
    if (v === undefined || v === null) return NaN;
    if (typeof v === 'number') return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (isMissingMarker(v)) return NaN;
    const parsed = parseNumberText(v);
    if (parsed === undefined) throw new HyperplaneError(`expected a number, got '${v.slice(0, 40)}'`, { field: this.names[k]! });
    return parsed.value;
  }

  label(k: number): string | null {
    const v = this.cell(k);
    if (v === undefined || v === null) return null;
    if (typeof v === 'string') return isMissingMarker(v) ? null : v;
    return String(v);
  }

  text(k: number): string | null {
    return this.label(k);
  }

  time(k: number): number {
    const v = this.cell(k);
    if (v === undefined || v === null) return NaN;
    if (typeof v === 'number') return v;
    if (typeof v === 'boolean' || isMissingMarker(v)) return NaN;
    const ms = parseDateText(v);
    if (Number.isNaN(ms)) throw new HyperplaneError(`expected a date (e.g. 2024-01-31), got '${v.slice(0, 40)}'`, { field: this.names[k]! });
    return ms;
  }
}
