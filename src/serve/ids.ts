import { randomFillSync } from 'node:crypto';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const NIBBLE = Array.from({ length: 16 }, (_, i) => i.toString(16));
const pool = new Uint8Array(16 * 1024);
let poolAt = pool.length;
/** The time part, `tttttttt-tttt-`, made once per millisecond: ids are made many to a millisecond. */
let prefixMs = -1;
let prefix = '';

/**
 * A prediction id: a version-7 UUID, whose first 48 bits are the time in milliseconds and the rest
 * random. Ids made later sort later, so the log's primary key grows at its end instead of at random
 * places (random v4 ids made each SQLite insert touch a random page of the index).
 */
export function timeOrderedId(now = Date.now()): string {
  if (poolAt + 10 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  if (now !== prefixMs) {
    const ms = now.toString(16).padStart(12, '0').slice(-12);
    prefix = `${ms.slice(0, 8)}-${ms.slice(8, 12)}-`;
    prefixMs = now;
  }
  const r = pool;
  const at = poolAt;
  poolAt += 10;
  // Version 7 in the top nibble of the 7th byte; the variant (10xx) in the top bits of the 9th.
  return `${prefix}7${NIBBLE[r[at]! & 0x0f]}${HEX[r[at + 1]!]}-${HEX[(r[at + 2]! & 0x3f) | 0x80]}${HEX[r[at + 3]!]}-${HEX[r[at + 4]!]}${HEX[r[at + 5]!]}${HEX[r[at + 6]!]}${HEX[r[at + 7]!]}${HEX[r[at + 8]!]}${HEX[r[at + 9]!]}`;
}
