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
const OPEN_ARRAY = 91;
const OPEN_OBJECT = 123;

/**
 * The first line (1-based) where nesting goes deeper than `limit`, or undefined. Brackets inside
 * strings do not count. `ndjson`: each line is a document of its own.
 */
export function findDeepNesting(path: string, limit = MAX_JSON_DEPTH, ndjson = false): number | undefined {
  const fd = openSync(path, 'r');
  try {
    return ndjson ? deepLine(fd, limit) : deepAnywhere(fd, 0, 1, limit, false);
  } finally {
    closeSync(fd);
  }
}

/**
 * The exact scan, byte by byte from `offset` (in locals: JSON has a string every few bytes, so hopping
 * between quotes with indexOf pays a call per string and costs more). `oneLine`: stop at the line's end.
 */
function deepAnywhere(fd: number, offset: number, firstLine: number, limit: number, oneLine: boolean): number | undefined {
  let depth = 0;
  let line = firstLine;
  let inString = false;
  let escaped = false;
  let position = offset;
  const buf = Buffer.allocUnsafe(CHUNK);
  for (;;) {
    const n = readSync(fd, buf, 0, CHUNK, position);
    if (n === 0) return undefined;
    position += n;
    for (let i = 0; i < n; i++) {
      const c = buf[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) inString = false;
      } else if (c === QUOTE) inString = true;
      else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
        if (++depth > limit) return line;
      } else if (c === 93 || c === 125) {
        if (depth > 0) depth--;
      } else if (c === NL) {
        if (oneLine) return undefined;
        line++;
      }
    }
  }
}

/**
 * NDJSON: a line can be no deeper than the number of '[' and '{' bytes it holds, and most lines of a
 * table hold one or two. Those are counted by hopping with indexOf (memchr); only a line with more than
 * `limit` of them is scanned exactly. ~10× cheaper than the exact scan on a table's NDJSON.
 */
function deepLine(fd: number, limit: number): number | undefined {
  const buf = Buffer.allocUnsafe(CHUNK);
  let position = 0;
  let line = 1;
  let lineStart = 0;
  let openings = 0;
  let checked = false;
  for (;;) {
    const n = readSync(fd, buf, 0, CHUNK, position);
    if (n === 0) return undefined;
    const chunk = n === CHUNK ? buf : buf.subarray(0, n);
    let nextArray = chunk.indexOf(OPEN_ARRAY);
    let nextObject = chunk.indexOf(OPEN_OBJECT);
    let i = 0;
    for (;;) {
      const nl = chunk.indexOf(NL, i);
      const end = nl < 0 ? n : nl;
      while (nextArray >= 0 && nextArray < end) {
        openings++;
        nextArray = chunk.indexOf(OPEN_ARRAY, nextArray + 1);
      }
      while (nextObject >= 0 && nextObject < end) {
        openings++;
        nextObject = chunk.indexOf(OPEN_OBJECT, nextObject + 1);
      }
      // Once per line, however many chunks it spans.
      if (openings > limit && !checked) {
        if (deepAnywhere(fd, lineStart, line, limit, true) !== undefined) return line;
        checked = true;
      }
      if (nl < 0) break;
      line++;
      openings = 0;
      checked = false;
      lineStart = position + nl + 1;
      i = nl + 1;
    }
    position += n;
  }
}
