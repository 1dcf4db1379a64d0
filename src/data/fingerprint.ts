import { createHash, type Hash } from 'node:crypto';
import type { Column, Table } from './table.js';
import { isMissingMarker } from './schema/values.js';

/**
 * A content fingerprint of a table: sha256 over a canonical encoding of each column's values.
 * Numbers and datetimes are little-endian doubles (one NaN, no negative zero), strings are length-prefixed
 * UTF-8 with missing markers as null, and categorical codes are decoded to their strings. So the same
 * data read from CSV or Parquet, or in any number of chunks, has the same fingerprint.
 */
export function fingerprintTable(table: Table): string {
  const fp = new TableFingerprint(table.columns.map((c) => ({ name: c.name, kind: valueClass(c) })));
  fp.update(table.columns);
  return fp.digest();
}

type ValueClass = 'number' | 'datetime' | 'string';

function valueClass(column: Column): ValueClass {
  return column.kind === 'numeric' ? 'number' : column.kind === 'datetime' ? 'datetime' : 'string';
}

/** Incremental form: feed the columns of consecutive row blocks, then take the digest. */
export class TableFingerprint {
  private readonly hashes: Hash[];
  private readonly staging = Buffer.allocUnsafe(1 << 16);

  constructor(private readonly header: readonly { name: string; kind: ValueClass }[]) {
    this.hashes = header.map(() => createHash('sha256'));
  }

  update(block: readonly Column[]): void {
    block.forEach((column, j) => {
      const hash = this.hashes[j]!;
      if (column.kind === 'numeric' || column.kind === 'datetime') hashDoubles(hash, column.values);
      else if (column.kind === 'text') this.hashStrings(hash, column.values.length, (i) => column.values[i] ?? null);
      else this.hashStrings(hash, column.codes.length, (i) => (column.codes[i]! < 0 ? null : column.dictionary[column.codes[i]!]!));
    });
  }

  digest(): string {
    const outer = createHash('sha256');
    outer.update('hyperplane-table-v1\n');
    this.header.forEach((h, j) => {
      outer.update(`${JSON.stringify(h.name)}:${h.kind}:`);
      outer.update(this.hashes[j]!.digest());
    });
    return outer.digest('hex');
  }

  private hashStrings(hash: Hash, n: number, at: (i: number) => string | null): void {
    const buf = this.staging;
    let used = 0;
    for (let i = 0; i < n; i++) {
      let s = at(i);
      if (s !== null && isMissingMarker(s)) s = null;
      const bytes = s === null ? 0 : Buffer.byteLength(s);
      if (used + 5 + bytes > buf.length) {
        hash.update(buf.subarray(0, used));
        used = 0;
      }
      if (s === null) {
        buf[used++] = 0;
        continue;
      }
      buf[used++] = 1;
      buf.writeUInt32LE(bytes, used);
      used += 4;
      if (bytes > buf.length - used) {
        hash.update(buf.subarray(0, used));
        used = 0;
        hash.update(s);
      } else used += buf.write(s, used);
    }
    hash.update(buf.subarray(0, used));
  }
}

const CANONICAL_NAN = new Float64Array([NaN]);

function hashDoubles(hash: Hash, values: Float64Array): void {
  let clean = true;
  const canonicalNaNBits = new Uint32Array(CANONICAL_NAN.buffer);
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (x === 0 ? words[2 * i + 1] !== 0 : x !== x && (words[2 * i] !== canonicalNaNBits[0] || words[2 * i + 1] !== canonicalNaNBits[1])) {
      clean = false;
      break;
    }
  }
  let data = values;
  if (!clean) {
    data = values.slice();
    for (let i = 0; i < data.length; i++) {
      const x = data[i]!;
      if (x !== x) data[i] = NaN;
      else if (x === 0) data[i] = 0;
    }
  }
  hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}
