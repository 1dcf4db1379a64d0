import type { Column, Table } from '../table.js';

/**
 * Number of rows that repeat an earlier row exactly (all columns, missing equal to missing).
 * Rows are hashed column by column into two 32-bit hashes; equal hashes are confirmed cell by cell.
 */
export function countDuplicateRows(table: Table): number {
  const n = table.nRows;
  const h1 = new Uint32Array(n).fill(0x811c9dc5);
  const h2 = new Uint32Array(n).fill(0x01000193);
  for (const column of table.columns) mixColumn(column, h1, h2);
  let capacity = 16;
  while (capacity < n * 2) capacity *= 2;
  const mask = capacity - 1;
  const slots = new Int32Array(capacity).fill(-1);
  let duplicates = 0;
  for (let i = 0; i < n; i++) {
    let s = h1[i]! & mask;
    for (;;) {
      const j = slots[s]!;
      if (j < 0) {
        slots[s] = i;
        break;
      }
      if (h1[j] === h1[i] && h2[j] === h2[i] && rowsEqual(table.columns, i, j)) {
        duplicates++;
        break;
      }
      s = (s + 1) & mask;
    }
  }
  return duplicates;
}

function mix(h: number, v: number): number {
  h = Math.imul(h ^ v, 0x01000193);
  return h ^ (h >>> 13);
}

function mixColumn(column: Column, h1: Uint32Array, h2: Uint32Array): void {
  const n = h1.length;
  switch (column.kind) {
    case 'numeric':
    case 'datetime': {
      const scratch = new Float64Array(1);
      const bits = new Uint32Array(scratch.buffer);
      for (let i = 0; i < n; i++) {
        const x = column.values[i]!;
        scratch[0] = x !== x ? NaN : x === 0 ? 0 : x;
        h1[i] = mix(mix(h1[i]!, bits[0]!), bits[1]!);
        h2[i] = mix(mix(h2[i]!, bits[1]! ^ 0x5bd1e995), bits[0]!);
      }
      return;
    }
    case 'categorical':
      for (let i = 0; i < n; i++) {
        const c = column.codes[i]!;
        h1[i] = mix(h1[i]!, c);
        h2[i] = mix(h2[i]!, c ^ 0x27d4eb2d);
      }
      return;
    case 'text':
      for (let i = 0; i < n; i++) {
        const s = column.values[i];
        let a = s === null ? 0x9e3779b9 : 0;
        if (s !== null) for (let k = 0; k < s.length; k++) a = Math.imul(a ^ s.charCodeAt(k), 0x01000193);
        h1[i] = mix(h1[i]!, a);
        h2[i] = mix(h2[i]!, a ^ 0x165667b1);
      }
  }
}

function rowsEqual(columns: readonly Column[], i: number, j: number): boolean {
  for (const c of columns) {
    switch (c.kind) {
      case 'numeric':
      case 'datetime': {
        const a = c.values[i]!;
        const b = c.values[j]!;
        if (a !== b && !(a !== a && b !== b)) return false;
        break;
      }
      case 'categorical':
        if (c.codes[i] !== c.codes[j]) return false;
        break;
      case 'text':
        if (c.values[i] !== c.values[j]) return false;
    }
  }
  return true;
}
