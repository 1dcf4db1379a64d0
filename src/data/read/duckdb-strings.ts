import duckdb from '@duckdb/node-bindings';

const decoder = new TextDecoder();

/**
 * Appends the `n` strings of a DuckDB VARCHAR vector (null where missing). Read straight from the
 * bindings: DuckDB's 16-byte string entries hold the length, then either the bytes (up to 12) or a
 * pointer to them. `@duckdb/node-api`'s vector classes do the same, but importing that package cost
 * ~170 ms of every command's start, so it is no longer a dependency.
 */
export function appendVarchars(vector: duckdb.Vector, n: number, out: (string | null)[]): void {
  const entries = duckdb.vector_get_data(vector, n * 16);
  const view = new DataView(entries.buffer, entries.byteOffset, entries.byteLength);
  const validity = duckdb.vector_get_validity(vector, Math.ceil(n / 64) * 8) as Uint8Array | null;
  for (let r = 0; r < n; r++) {
    if (validity !== null && (validity[r >> 3]! & (1 << (r & 7))) === 0) {
      out.push(null);
      continue;
    }
    const at = r * 16;
    const length = view.getUint32(at, true);
    const bytes = length <= 12 ? entries.subarray(at + 4, at + 4 + length) : duckdb.get_data_from_pointer(entries.buffer as ArrayBuffer, entries.byteOffset + at + 8, length);
    out.push(decoder.decode(bytes));
  }
}
