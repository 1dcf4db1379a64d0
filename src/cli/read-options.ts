import { Command, Option } from 'commander';
import { HyperplaneError } from '../errors.js';
import { SNAPSHOT_MAX_MB_DEFAULT, SNAPSHOT_MAX_MB_ENV } from '../data/snapshot.js';
import { COLUMN_READ_TYPES, type ColumnReadType, type ReadOptions, type SourceFormat } from '../data/read/options.js';

/** The flags every command that reads data accepts. Each overrides what would otherwise be sniffed. */
export function addReadOptions(command: Command): Command {
  return command
    .addOption(new Option('--format <format>', 'input format (default: from the extension)').choices(['csv', 'tsv', 'parquet', 'json', 'ndjson']))
    .option('--delimiter <char>', 'CSV field delimiter (default: sniffed)')
    .option('--quote <char>', 'CSV quote character (default: sniffed)')
    .option('--header', 'CSV: the first line is a header')
    .option('--no-header', 'CSV: the first line is data')
    .option('--column-type <name=type...>', `CSV: force a column's type (${COLUMN_READ_TYPES.join(', ')})`)
    .option('--max-line-size <bytes>', 'CSV: longest line accepted', parsePositiveInt('--max-line-size'))
    .option('--query <sql>', 'PostgreSQL sources: the query to run');
}

export interface RawReadFlags {
  format?: SourceFormat;
  delimiter?: string;
  quote?: string;
  header?: boolean;
  columnType?: string[];
  maxLineSize?: number;
  query?: string;
}

export function readOptionsFromFlags(flags: RawReadFlags): ReadOptions {
  const options: ReadOptions = {};
  if (flags.format !== undefined) options.format = flags.format;
  if (flags.delimiter !== undefined) options.delimiter = unescapeDelimiter(flags.delimiter);
  if (flags.quote !== undefined) options.quote = flags.quote;
  if (flags.header !== undefined) options.header = flags.header;
  if (flags.maxLineSize !== undefined) options.maxLineSize = flags.maxLineSize;
  if (flags.query !== undefined) options.query = flags.query;
  if (flags.columnType !== undefined) {
    const types: Record<string, ColumnReadType> = {};
    for (const pair of flags.columnType) {
      const eq = pair.lastIndexOf('=');
      const name = pair.slice(0, eq);
      const type = pair.slice(eq + 1);
      if (eq <= 0 || !(COLUMN_READ_TYPES as readonly string[]).includes(type)) {
        throw new HyperplaneError(`--column-type '${pair}': expected NAME=TYPE with TYPE one of ${COLUMN_READ_TYPES.join(', ')}`);
      }
      types[name] = type as ColumnReadType;
    }
    options.columnTypes = types;
  }
  return options;
}

function unescapeDelimiter(d: string): string {
  if (d === '\\t' || d.toLowerCase() === 'tab') return '\t';
  return d;
}

export function parsePositiveInt(flag: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value.replaceAll('_', ''));
    // A huge whole number (1e300) passes here; the command's own bound then names the flag and its maximum.
    if (!Number.isInteger(n) || n <= 0) throw new HyperplaneError(`${flag} '${value}': expected a positive integer`);
    return n;
  };
}

export function parseInteger(flag: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value.replaceAll('_', ''));
    // Past 2^53 an integer is not held exactly: the same flag would not mean the same value.
    if (!Number.isSafeInteger(n)) throw new HyperplaneError(`${flag} '${value}': expected an integer (at most ${Number.MAX_SAFE_INTEGER.toLocaleString('en-US')} in size)`);
    return n;
  };
}

/** A whole number of at least `min` (and at most `max`, when given), or an error naming the flag; '' is not 0. */
export function wholeNumber(flag: string, text: string, min: number, max?: number): number {
  const n = text.trim() === '' ? NaN : Number(text);
  const range = max !== undefined ? ` from ${min} to ${max}` : `, ${min} or more`;
  if (!Number.isInteger(n) || n < min || (max !== undefined && n > max)) throw new HyperplaneError(`${flag} ${text}: expected a whole number${range}`);
  return n;
}

/** --snapshot / --no-snapshot / --snapshot-max-mb, as `train` and `search` take them; `purpose` says what the copy makes possible. */
export function addSnapshotOptions(command: Command, purpose: string): Command {
  return command
    .option('--snapshot', `keep a Parquet copy of the data in the store, so that ${purpose} after the source changed or went away (the default when the data as read is at most ${SNAPSHOT_MAX_MB_DEFAULT} MiB: 8 bytes a number or date, 1 a character of text)`)
    .option('--no-snapshot', 'keep no copy of the data')
    .option('--snapshot-max-mb <mb>', `the size up to which a snapshot is kept by default (default ${SNAPSHOT_MAX_MB_DEFAULT}, or $${SNAPSHOT_MAX_MB_ENV})`);
}
