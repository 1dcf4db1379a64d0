import { randomFillSync } from 'node:crypto';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const pool = new Uint8Array(16 * 512);
let poolAt = pool.length;

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
  const r = pool.subarray(poolAt, poolAt + 10);
  poolAt += 10;
  const ms = now.toString(16).padStart(12, '0').slice(-12);
  return `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${HEX[r[0]!]!.slice(1)}${HEX[r[1]!]}-${HEX[(r[2]! & 0x3f) | 0x80]}${HEX[r[3]!]}-${HEX[r[4]!]}${HEX[r[5]!]}${HEX[r[6]!]}${HEX[r[7]!]}${HEX[r[8]!]}${HEX[r[9]!]}`;
}
