export type SourceFormat = 'csv' | 'tsv' | 'parquet' | 'json' | 'ndjson';

/** How to read a source. Every field is optional: what is not given is sniffed. */
export interface ReadOptions {
  format?: SourceFormat;
  /** CSV: field delimiter, e.g. ',' ';' '\t' '|'. */
  delimiter?: string;
  /** CSV: quote character. */
  quote?: string;
  /** CSV: whether the first line is a header. */
  header?: boolean;
  /** CSV: force the type of named columns. */
  columnTypes?: Record<string, ColumnReadType>;
  /** CSV: longest line accepted, in bytes. */
  maxLineSize?: number;
  /** PostgreSQL sources: the query to run. */
  query?: string;
}

/** Types a user can force on a CSV column, in Hyperplane's words rather than DuckDB's. */
export const COLUMN_READ_TYPES = ['string', 'number', 'integer', 'boolean', 'date', 'timestamp'] as const;
export type ColumnReadType = (typeof COLUMN_READ_TYPES)[number];

/** Strings that mean "no value" in the wild. */
export const MISSING_MARKERS: readonly string[] = ['', 'NA', 'N/A', 'n/a', 'NaN', 'nan', 'null', 'NULL', 'None', '?', '.'];

export const DEFAULT_MAX_LINE_SIZE = 2_000_000;
