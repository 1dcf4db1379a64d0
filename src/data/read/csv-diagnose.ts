import { openSync, readSync, closeSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';

/**
 * Slow, exact scans of a CSV file that run only after a read has failed, to name the line at fault.
 * DuckDB's messages count lines differently after a failed sniff, so we find the line ourselves.
 */

const CHUNK = 1 << 20;

/**
 * Calls `onLine(bytes, lineNumber, length)` for each physical line (1-based) until it returns true.
 * Lines longer than `maxLine` are passed truncated, with their true length.
 */
function scanLines(path: string, onLine: (line: Buffer, lineNumber: number, length: number) => boolean, maxLine = Infinity): void {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let carry: Buffer[] = [];
    let stored = 0;
    let pending = 0;
    let lineNumber = 1;
    const take = (piece: Buffer): void => {
      pending += piece.length;
      if (stored <= maxLine) {
        carry.push(Buffer.from(piece));
        stored += piece.length;
      }
    };
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      let start = 0;
      for (;;) {
        const nl = buf.indexOf(10, start);
        if (nl < 0 || nl >= n) break;
        const piece = buf.subarray(start, nl);
        const line = pending > 0 ? Buffer.concat([...carry, piece]) : piece;
        const length = pending + piece.length;
        carry = [];
        stored = 0;
        pending = 0;
        if (onLine(line, lineNumber++, length)) return;
        start = nl + 1;
      }
      if (start < n) take(buf.subarray(start, n));
    }
    if (pending > 0) onLine(Buffer.concat(carry), lineNumber, pending);
  } finally {
    closeSync(fd);
  }
}

export function findInvalidUtf8Line(path: string): number | undefined {
  let found: number | undefined;
  scanLines(path, (line, no) => {
    if (!isUtf8(line)) found = no;
    return found !== undefined;
  });
  return found;
}

export function findLongLine(path: string, limit: number): { line: number; bytes: number } | undefined {
  let found: { line: number; bytes: number } | undefined;
  scanLines(
    path,
    (_line, no, length) => {
      if (length > limit) found = { line: no, bytes: length };
      return found !== undefined;
    },
    limit,
  );
  return found;
}

/** The most likely delimiter: the candidate found most often in the first line. */
export function guessDelimiter(path: string): string {
  let first = '';
  scanLines(path, (line) => {
    first = line.toString('utf8');
    return true;
  }, 1 << 20);
  const candidates = [',', '\t', ';', '|'];
  let best = ',';
  let bestCount = 0;
  for (const c of candidates) {
    const count = first.split(c).length - 1;
    if (count > bestCount) {
      best = c;
      bestCount = count;
    }
  }
  return best;
}

export interface RaggedRow {
  line: number;
  expected: number;
  found: number;
}

/** The first record whose field count differs from the header's, honouring quoted fields that span lines. */
export function findRaggedRow(path: string, delimiter: string, quote = '"'): RaggedRow | undefined {
  const d = delimiter.charCodeAt(0);
  const q = quote.charCodeAt(0);
  let expected = -1;
  let fields = 1;
  let inQuotes = false;
  let recordStart = 1;
  let found: RaggedRow | undefined;
  scanLines(path, (raw, no) => {
    const line = raw.length > 0 && raw[raw.length - 1] === 13 ? raw.subarray(0, raw.length - 1) : raw;
    if (!inQuotes) {
      recordStart = no;
      fields = 1;
      if (line.length === 0) return false; // blank lines are skipped by readers
    }
    for (let i = 0; i < line.length; i++) {
      const b = line[i];
      if (b === q) inQuotes = !inQuotes;
      else if (b === d && !inQuotes) fields++;
    }
    if (inQuotes) return false;
    if (expected < 0) expected = fields;
    else if (fields !== expected) found = { line: recordStart, expected, found: fields };
    return found !== undefined;
  });
  return found;
}
