import { HyperplaneError } from '../../errors.js';

/** Turns a DuckDB exception into one readable line that names the file, keeping DuckDB's line number if it gave one. */
export function translateDuckDBError(e: unknown, file: string): HyperplaneError {
  if (e instanceof HyperplaneError) return e;
  const raw = e instanceof Error ? e.message : String(e);
  const message = raw.replace(/^[A-Za-z ]+Error: /, '');
  if (/No files found that match the pattern/.test(message)) return new HyperplaneError('no such file, or no file matches this pattern', { file });
  if (/No magic bytes found|not a parquet file|Invalid Parquet|Parquet.*(corrupt|truncat)|file metadata|Could not read .*footer/i.test(message)) {
    return new HyperplaneError(`not a valid Parquet file: it is truncated or corrupt (${firstLine(message)})`, { file });
  }
  const csvLine = /CSV Error on Line: (\d+)/.exec(message);
  if (csvLine) {
    const reason = message.split('\n').find((l, i) => i > 0 && l.trim() !== '' && !l.startsWith('Original Line')) ?? firstLine(message);
    return new HyperplaneError(reason.trim(), { file, line: Number(csvLine[1]) });
  }
  if (/sniff|automatically detect the CSV/i.test(message)) {
    return new HyperplaneError('could not work out the CSV dialect; pass --delimiter, --quote or --no-header', { file });
  }
  return new HyperplaneError(firstLine(message), { file });
}

function firstLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim() !== '') ?? s;
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
