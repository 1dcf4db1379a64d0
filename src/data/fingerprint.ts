import { createHash, type Hash } from 'node:crypto';
import type { Column, Table } from './table.js';

/**
 * A content fingerprint of a parsed table: sha256 over a canonical encoding of each column's values.
 * Numbers and datetimes are little-endian doubles (one NaN, no negative zero). Strings — text and
 * categorical alike — are encoded as the sequence of their first-appearance numbers plus the distinct
 * strings in order of first appearance: a one-to-one encoding of the values that never depends on
 * dictionary order and costs one integer per row. So the same data read from CSV or Parquet, or fed in
 * any number of chunks, has the same fingerprint.
 */
export function fingerprintTable(table: Table): string {
  const fp = new TableFingerprint(table.columns.map((c) => ({ name: c.name, kind: valueClass(c) })));
  fp.update(table.columns);
  return fp.digest();
}

export type ValueClass = 'number' | 'datetime' | 'string';

export function valueClass(column: Column): ValueClass {
  return column.kind === 'numeric' ? 'number' : column.kind === 'datetime' ? 'datetime' : 'string';
}

/** Per string column: the first-appearance number of each value seen so far. */
interface StringState {
  ids: Map<string, number>;
  /** Hash of the distinct strings, in order of first appearance. */
  dictionary: Hash;
}

/** Incremental form: feed the columns of consecutive row blocks, then take the digest. */
export class TableFingerprint {
  private readonly values: Hash[];
  private readonly strings: (StringState | undefined)[];

  constructor(private readonly header: readonly { name: string; kind: ValueClass }[]) {
    this.values = header.map(() => createHash('sha256'));
    this.strings = header.map((h) => (h.kind === 'string' ? { ids: new Map(), dictionary: createHash('sha256') } : undefined));
  }

  update(block: readonly Column[]): void {
    block.forEach((column, j) => {
      const hash = this.values[j]!;
      if (column.kind === 'numeric' || column.kind === 'datetime') {
        hashDoubles(hash, column.values);
        return;
      }
      const state = this.strings[j]!;
      const n = column.kind === 'text' ? column.values.length : column.codes.length;
      const ids = new Int32Array(n);
      if (column.kind === 'text') {
        for (let i = 0; i < n; i++) {
          const s = column.values[i];
          ids[i] = s === null || s === undefined ? -1 : idOf(state, s);
        }
      } else {
        // Map each dictionary code to its first-appearance number once, lazily, then remap rows.
        const remap = new Int32Array(column.dictionary.length).fill(-2);
        for (let i = 0; i < n; i++) {
          const code = column.codes[i]!;
          if (code < 0) {
            ids[i] = -1;
            continue;
          }
          let id = remap[code]!;
          if (id === -2) id = remap[code] = idOf(state, column.dictionary[code]!);
          ids[i] = id;
        }
      }
      hash.update(new Uint8Array(ids.buffer));
    });
  }

  digest(): string {
    const outer = createHash('sha256');
    outer.update('hyperplane-table-v2\n');
    this.header.forEach((h, j) => {
      outer.update(`${JSON.stringify(h.name)}:${h.kind}:`);
      outer.update(this.values[j]!.digest());
      const state = this.strings[j];
      if (state !== undefined) outer.update(state.dictionary.digest());
    });
    return outer.digest('hex');
  }
}

function idOf(state: StringState, s: string): number {
  let id = state.ids.get(s);
  if (id === undefined) {
    id = state.ids.size;
    state.ids.set(s, id);
    const bytes = Buffer.from(s, 'utf8');
    const length = Buffer.allocUnsafe(4);
    length.writeUInt32LE(bytes.length);
    state.dictionary.update(length);
    state.dictionary.update(bytes);
  }
  return id;
}

const CANONICAL_NAN = new Uint32Array(new Float64Array([NaN]).buffer);

function hashDoubles(hash: Hash, values: Float64Array): void {
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  let clean = true;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (x === 0 ? words[2 * i + 1] !== 0 : x !== x && (words[2 * i] !== CANONICAL_NAN[0] || words[2 * i + 1] !== CANONICAL_NAN[1])) {
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
