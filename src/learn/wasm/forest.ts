import type { ForestLayout } from '../tree/forest-layout.js';
import { wasmApi, type WasmMemory } from './api.js';
import { forestWasm } from './forest-wasm.js';

interface ForestExports {
  predictBlock4(...args: number[]): void;
}

/** Byte offsets of the forest's arrays in the shared memory, and the room for rows and scores after them. */
export interface ForestMemoryLayout {
  roots: number;
  feature: number;
  threshold: number;
  missingRight: number;
  children: number;
  leafValue: number;
  nTrees: number;
  outputs: number;
  /** Rows (n × d doubles) and then scores (n × outputs doubles) are laid out from here. */
  free: number;
}

const BLOCK_ROWS = 256;
const PAGE = 65536;
let module: object | undefined;

function instantiate(memory: WasmMemory): ForestExports {
  module ??= new wasmApi.Module(Buffer.from(forestWasm, 'base64'));
  return new wasmApi.Instance(module, { env: { memory } }).exports as ForestExports;
}

/**
 * A forest copied once into a shared WebAssembly memory, then used for every prediction of its model:
 * rows are copied in (in blocks, or all at once for a threaded batch) and walked four at a time.
 */
export class WasmForest {
  private readonly exports: ForestExports;

  private constructor(
    readonly memory: WasmMemory,
    readonly layout: ForestMemoryLayout,
  ) {
    this.exports = instantiate(memory);
  }

  static fromLayout(forest: ForestLayout): WasmForest {
    let end = 64;
    const take = (bytes: number): number => {
      const start = end;
      end = (end + bytes + 15) & ~15;
      return start;
    };
    const layout: ForestMemoryLayout = {
      roots: take(forest.roots.byteLength),
      feature: take(forest.feature.byteLength),
      threshold: take(forest.threshold.byteLength),
      missingRight: take(forest.missingRight.byteLength),
      children: take(forest.children.byteLength),
      leafValue: take(forest.leafValue.byteLength),
      nTrees: forest.roots.length,
      outputs: forest.outputs,
      free: 0,
    };
    layout.free = end;
    const memory = new wasmApi.Memory({ initial: Math.ceil((end + BLOCK_ROWS * 64 * 8) / PAGE) + 1, maximum: 65536, shared: true });
    const bytes = new Uint8Array(memory.buffer as ArrayBuffer);
    const put = (offset: number, a: ArrayBufferView): void => bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offset);
    put(layout.roots, forest.roots);
    put(layout.feature, forest.feature);
    put(layout.threshold, forest.threshold);
    put(layout.missingRight, forest.missingRight);
    put(layout.children, forest.children);
    put(layout.leafValue, forest.leafValue);
    return new WasmForest(memory, layout);
  }

  /** The same forest seen from a worker thread. */
  static attach(memory: WasmMemory, layout: ForestMemoryLayout): WasmForest {
    return new WasmForest(memory, layout);
  }

  /** Makes room for n rows of d features and their scores after the forest; returns their offsets. */
  reserve(n: number, d: number): { x: number; scores: number } {
    const x = this.layout.free;
    const scores = (x + n * d * 8 + 15) & ~15;
    const needed = scores + n * this.layout.outputs * 8;
    const have = this.memory.buffer.byteLength;
    if (needed > have) this.memory.grow(Math.ceil((needed - have) / PAGE));
    return { x, scores };
  }

  /** Walks rows [start, end) of the rows already placed at x, adding into the scores at `scores`. */
  walk(x: number, scores: number, d: number, start: number, end: number): void {
    const l = this.layout;
    this.exports.predictBlock4(x + start * d * 8, end - start, d, l.roots, l.nTrees, l.outputs, l.feature, l.threshold, l.missingRight, l.children, l.leafValue, scores + start * l.outputs * 8);
  }

  /** Adds every tree's leaf value into scores (n × outputs), on this thread, copying rows in blocks. */
  addScores(X: Float64Array | Float32Array, n: number, d: number, scores: Float64Array): void {
    const outputs = this.layout.outputs;
    const { x, scores: s } = this.reserve(Math.min(n, BLOCK_ROWS), d);
    for (let start = 0; start < n; start += BLOCK_ROWS) {
      const m = Math.min(BLOCK_ROWS, n - start);
      const heap = new Float64Array(this.memory.buffer as ArrayBuffer);
      heap.set(X.subarray(start * d, (start + m) * d), x / 8);
      heap.set(scores.subarray(start * outputs, (start + m) * outputs), s / 8);
      this.walk(x, s, d, 0, m);
      scores.set(heap.subarray(s / 8, s / 8 + m * outputs), start * outputs);
    }
  }
}
