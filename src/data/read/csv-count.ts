import { closeSync, openSync, readSync } from 'node:fs';

/**
 * One fast pass over a CSV file's bytes, independent of DuckDB, to check that every record was read.
 * It hops between newlines and quotes with `Buffer.indexOf` (memchr), so it costs about one scan of
 * memory, not a per-byte JavaScript loop. A quote opens a quoted field only at the start of a field
 * (after the delimiter or a line break), as in RFC 4180; elsewhere it is an ordinary character.
 */
export interface CsvRecordCount {
  /** Records with content, the header included. */
  records: number;
  /** Empty lines (or a lone '\r') outside quoted fields. */
  blank: number;
  /** The physical line where a quoted field opens and never closes. */
  unclosedQuoteLine?: number;
}

const CHUNK = 1 << 22;
const NL = 10;
const CR = 13;

/** `chunkSize` is for tests, to put chunk boundaries inside quoted fields. */
export function countCsvRecords(path: string, delimiter: string, quote = '"', chunkSize = CHUNK): CsvRecordCount {
  const D = delimiter.charCodeAt(0);
  const Q = quote.charCodeAt(0);
  let records = 0;
  let blank = 0;
  let line = 1;
  let inQuote = false;
  let quoteLine = 0;
  /** A quote ended the last chunk inside a quoted field: closing, or the first half of "". */
  let quoteAtEnd = false;
  /** The last byte seen outside a quoted field (NL at the start of the file). */
  let prev = NL;
  /** Bytes of the current record so far, and whether they are only a '\r'. */
  let length = 0;
  let onlyCr = true;
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(chunkSize);
    for (;;) {
      const n = readSync(fd, buf, 0, chunkSize, null);
      if (n === 0) break;
      const chunk = n === chunkSize ? buf : buf.subarray(0, n);
      let i = 0;
      if (quoteAtEnd) {
        quoteAtEnd = false;
        if (chunk[0] === Q) i = 1; // an escaped quote: still inside
        else inQuote = false;
      }
      let nextNl = -2;
      let nextQ = -2;
      while (i < n) {
        if (inQuote) {
          const q = chunk.indexOf(Q, i);
          const end = q < 0 ? n : q;
          // Newlines inside the field, for line numbers; the cached next newline means each is found once.
          if (nextNl < i && nextNl !== -1) nextNl = chunk.indexOf(NL, i);
          while (nextNl >= 0 && nextNl < end) {
            line++;
            nextNl = chunk.indexOf(NL, nextNl + 1);
          }
          if (q < 0) {
            i = n;
            break;
          }
          if (q + 1 === n) {
            quoteAtEnd = true;
            i = n;
            break;
          }
          if (chunk[q + 1] === Q) {
            i = q + 2;
            continue;
          }
          inQuote = false;
          prev = Q;
          i = q + 1;
          continue;
        }
        if (nextNl < i && nextNl !== -1) nextNl = chunk.indexOf(NL, i);
        if (nextQ < i && nextQ !== -1) nextQ = chunk.indexOf(Q, i);
        const stop = nextNl < 0 ? n : nextNl;
        if (nextQ >= 0 && nextQ < stop) {
          const before = nextQ > i ? chunk[nextQ - 1]! : prev;
          length += nextQ + 1 - i;
          onlyCr = false;
          if (before === D || before === NL) {
            inQuote = true;
            quoteLine = line;
          }
          prev = Q;
          i = nextQ + 1;
          continue;
        }
        if (stop > i) {
          if (onlyCr) onlyCr = stop - i === 1 && chunk[i] === CR && length === 0;
          length += stop - i;
          prev = chunk[stop - 1]!;
        }
        if (nextNl < 0) {
          i = n;
          break;
        }
        if (length === 0 || onlyCr) blank++;
        else records++;
        line++;
        length = 0;
        onlyCr = true;
        prev = NL;
        i = nextNl + 1;
      }
    }
  } finally {
    closeSync(fd);
  }
  if (quoteAtEnd) inQuote = false;
  if (inQuote) return { records, blank, unclosedQuoteLine: quoteLine };
  if (length > 0 && !onlyCr) records++;
  return { records, blank };
}
