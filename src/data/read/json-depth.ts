import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Deeper nesting than this is refused before DuckDB sees the file: DuckDB's JSON reader recurses per
 * level, and at ~10,000 levels it overflows the stack and kills the process (SIGSEGV); at 3,000 it
 * takes seconds. 1,000 levels read in well under a second, and no table needs more.
 */
export const MAX_JSON_DEPTH = 1000;

const CHUNK = 1 << 22;
const NL = 10;
const QUOTE = 34;
const BACKSLASH = 92;

/** The first line (1-based) where nesting goes deeper than `limit`, or undefined. Brackets inside strings do not count. */
export function findDeepNesting(path: string, limit = MAX_JSON_DEPTH): number | undefined {
  let depth = 0;
  let line = 1;
  let inString = false;
  let escaped = false;
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) return undefined;
      const chunk = n === CHUNK ? buf : buf.subarray(0, n);
      // The next backslash, cached: searching afresh in every string would rescan the chunk each time.
      let nextBackslash = -2;
      let i = 0;
      while (i < n) {
        if (inString) {
          if (escaped) {
            escaped = false;
            i++;
            continue;
          }
          // Hop to the closing quote: strings hold most of the bytes of most files.
          if (nextBackslash < i && nextBackslash !== -1) nextBackslash = chunk.indexOf(BACKSLASH, i);
          const q = chunk.indexOf(QUOTE, i);
          const end = q < 0 ? n : q;
          if (nextBackslash >= 0 && nextBackslash < end) {
            escaped = true;
            i = nextBackslash + 1;
            continue;
          }
          // (JSON strings hold no raw newlines, so the line count needs no look inside.)
          if (q >= 0) inString = false;
          i = end + 1;
          continue;
        }
        const c = chunk[i]!;
        if (c === QUOTE) inString = true;
        else if (c === 91 || c === 123) {
          if (++depth > limit) return line;
        } else if (c === 93 || c === 125) {
          if (depth > 0) depth--;
        } else if (c === NL) line++;
        i++;
      }
    }
  } finally {
    closeSync(fd);
  }
}
