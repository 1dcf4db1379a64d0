import { gramWasm } from './gram-wasm.js';

import { wasmApi, type WasmMemory } from './api.js';

interface GramExports {
  memory: WasmMemory;
  center(raw: number, y: number, w: number, hasW: number, means: number, yMean: number, rows: number, rows4: number, d: number, D2: number, scratch: number): void;
  accumulate(s: number, rows4: number, D: number, D2: number, G: number): void;
}

const BLOCK_ROWS = 1024;
let compiled: object | undefined;

/** One instance per thread; the module is compiled once per thread. */
function instantiate(): GramExports {
  compiled ??= new wasmApi.Module(Buffer.from(gramWasm, 'base64'));
  return new wasmApi.Instance(compiled).exports as unknown as GramExports;
}

let instance: GramExports | undefined;

/**
 * Sums over rows [start, end) of products of the shifted, weighted columns [√w (x − m), √w (y − m_y), √w]:
 * out is (d + 2) × (d + 2), upper triangle, row-major; the caller turns it into centered sums. Rows are
 * copied block by block into WebAssembly memory (a memcpy), shifted there, and summed with f64x2 SIMD,
 * four rows per pass over the output.
 */
export function wasmShiftedGram(
  X: Float64Array | Float32Array,
  d: number,
  y: Float64Array,
  s: Float64Array | undefined,
  shift: Float64Array,
  yShift: number,
  start: number,
  end: number,
  out: Float64Array,
): void {
  const wasm = (instance ??= instantiate());
  const D = d + 2;
  const D2 = D + (D & 1);
  // Layout, in bytes (all 16-byte aligned).
  const raw = 0;
  const yAt = align16(raw + BLOCK_ROWS * d * 8);
  const wAt = align16(yAt + BLOCK_ROWS * 8);
  const shiftAt = align16(wAt + BLOCK_ROWS * 8);
  const scratch = align16(shiftAt + d * 8);
  const G = align16(scratch + BLOCK_ROWS * D2 * 8);
  const needed = G + D2 * D2 * 8;
  const have = wasm.memory.buffer.byteLength;
  if (needed > have) wasm.memory.grow(Math.ceil((needed - have) / 65536));
  const heap = new Float64Array(wasm.memory.buffer as ArrayBuffer);
  heap.set(shift.subarray(0, d), shiftAt / 8);
  heap.fill(0, G / 8, G / 8 + D2 * D2);
  for (let b = start; b < end; b += BLOCK_ROWS) {
    const m = Math.min(BLOCK_ROWS, end - b);
    const m4 = (m + 3) & ~3;
    heap.set(X.subarray(b * d, (b + m) * d), raw / 8);
    heap.set(y.subarray(b, b + m), yAt / 8);
    if (s !== undefined) heap.set(s.subarray(b, b + m), wAt / 8);
    wasm.center(raw, yAt, wAt, s === undefined ? 0 : 1, shiftAt, yShift, m, m4, d, D2, scratch);
    wasm.accumulate(scratch, m4, D, D2, G);
  }
  const g = G / 8;
  for (let j = 0; j < D; j++) for (let k = j; k < D; k++) out[j * D + k] += heap[g + j * D2 + k]!;
}

function align16(n: number): number {
  return (n + 15) & ~15;
}
