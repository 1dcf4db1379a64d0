import type { ForestLayout } from '../tree/forest-layout.js';
import { wasmApi, type WasmMemory } from './api.js';
import { forestWasm } from './forest-wasm.js';

interface ForestExports {
  predictBlock4(...args: number[]): void;
}

/** Byte offsets of the packed forest in the shared memory, and the room for rows and scores after it. */
export interface ForestMemoryLayout {
  /** Tree t's root entry, an i32 per tree. */
  roots: number;
  /** The 16-byte entries (see forest.wat). */
  nodes: number;
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
    const entries = forest.feature.length + forest.leafValue.length;
    const roots = 64;
    const nodes = (roots + forest.roots.byteLength + 15) & ~15;
    const end = nodes + entries * 16;
    const layout: ForestMemoryLayout = { roots, nodes, nTrees: forest.roots.length, outputs: forest.outputs, free: end };
    const memory = new wasmApi.Memory({ initial: Math.ceil((end + BLOCK_ROWS * 64 * 8) / PAGE) + 1, maximum: 65536, shared: true });
    packForest(forest, new Int32Array(memory.buffer as ArrayBuffer, roots, forest.roots.length), new DataView(memory.buffer as ArrayBuffer, nodes, entries * 16));
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
    this.exports.predictBlock4(x + start * d * 8, end - start, d, l.roots, l.nTrees, l.outputs, l.nodes, scores + start * l.outputs * 8);
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

/**
 * Writes the forest as forest.wat walks it: each tree breadth-first from its root, a split's two
 * children given adjacent entries, leaves as entries holding their value.
 */
function packForest(forest: ForestLayout, roots: Int32Array, entries: DataView): void {
  const { feature, threshold, missingRight, children, leafValue } = forest;
  let next = 0;
  const queue: number[] = [];
  for (let t = 0; t < forest.roots.length; t++) {
    roots[t] = next;
    queue.length = 0;
    // Pairs (node reference, entry): node references < 0 are leaves, as in ForestLayout.
    queue.push(forest.roots[t]!, next++);
    for (let q = 0; q < queue.length; q += 2) {
      const ref = queue[q]!;
      const at = queue[q + 1]! * 16;
      if (ref < 0) {
        entries.setFloat64(at, leafValue[~ref]!, true);
        entries.setInt32(at + 8, -1, true);
        entries.setInt32(at + 12, 0, true);
        continue;
      }
      const left = next;
      next += 2;
      entries.setFloat64(at, threshold[ref]!, true);
      entries.setInt32(at + 8, feature[ref]! * 2 + missingRight[ref]!, true);
      entries.setInt32(at + 12, left, true);
      queue.push(children[2 * ref]!, left, children[2 * ref + 1]!, left + 1);
    }
  }
}
