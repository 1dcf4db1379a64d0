/**
 * The columnar table every later stage reads. Missing values are NaN for numeric and datetime
 * columns, -1 codes for categorical columns and null for text.
 */
export interface NumericColumn {
  readonly kind: 'numeric';
  readonly name: string;
  readonly values: Float64Array;
}

export interface CategoricalColumn {
  readonly kind: 'categorical';
  readonly name: string;
  /** Index into `dictionary`, or -1 when missing. */
  readonly codes: Int32Array;
  readonly dictionary: readonly string[];
}

export interface TextColumn {
  readonly kind: 'text';
  readonly name: string;
  readonly values: readonly (string | null)[];
}

export interface DatetimeColumn {
  readonly kind: 'datetime';
  readonly name: string;
  /** Milliseconds since the Unix epoch, NaN when missing. */
  readonly values: Float64Array;
}

export type Column = NumericColumn | CategoricalColumn | TextColumn | DatetimeColumn;
export type ColumnKind = Column['kind'];

export interface Table {
  readonly nRows: number;
  readonly columns: readonly Column[];
}

export function columnByName(table: Table, name: string): Column | undefined {
  return table.columns.find((c) => c.name === name);
}

export function isMissing(column: Column, row: number): boolean {
  switch (column.kind) {
    case 'numeric':
    case 'datetime':
      return Number.isNaN(column.values[row]);
    case 'categorical':
      return column.codes[row]! < 0;
    case 'text':
      return column.values[row] === null;
  }
}

/** The value of one cell as a display string, or null when missing. */
export function cellText(column: Column, row: number): string | null {
  switch (column.kind) {
    case 'numeric': {
      const v = column.values[row]!;
      return Number.isNaN(v) ? null : String(v);
    }
    case 'datetime': {
      const v = column.values[row]!;
      return Number.isNaN(v) ? null : new Date(v).toISOString();
    }
    case 'categorical': {
      const c = column.codes[row]!;
      return c < 0 ? null : column.dictionary[c]!;
    }
    case 'text':
      return column.values[row] ?? null;
  }
}

/** The rows `rows` of a table, in that order (training and test sides of a split). */
export function selectRows(table: Table, rows: Int32Array): Table {
  const columns = table.columns.map((c): Column => {
    switch (c.kind) {
      case 'numeric':
      case 'datetime': {
        const values = new Float64Array(rows.length);
        for (let r = 0; r < rows.length; r++) values[r] = c.values[rows[r]!]!;
        return { ...c, values };
      }
      case 'categorical': {
        const codes = new Int32Array(rows.length);
        for (let r = 0; r < rows.length; r++) codes[r] = c.codes[rows[r]!]!;
        return { ...c, codes };
      }
      case 'text':
        return { ...c, values: Array.from(rows, (i) => c.values[i] ?? null) };
    }
  });
  return { nRows: rows.length, columns };
}
