import type { ForestLayout } from '../tree/forest-layout.js';
import { wasmApi, type WasmMemory } from './api.js';
import { forestWasm } from './forest-wasm.js';

interface ForestExports {
  memory: WasmMemory;
  predictBlock(...args: number[]): void;
  predictBlock4(...args: number[]): void;
}

const BLOCK_ROWS = 256;
let module: object | undefined;

/** A forest copied into its own WebAssembly memory once, then used for every prediction of its model. */
export class WasmForest {
  private readonly exports: ForestExports;
  private readonly at: { roots: number; feature: number; threshold: number; missingRight: number; children: number; leafValue: number; X: number; scores: number };
  private capacityD = 0;

  constructor(private readonly forest: ForestLayout) {
    module ??= new wasmApi.Module(Buffer.from(forestWasm, 'base64'));
    this.exports = new wasmApi.Instance(module).exports as ForestExports;
    let end = 64;
    const take = (bytes: number): number => {
      const start = end;
      end = (end + bytes + 15) & ~15;
      return start;
    };
    this.at = {
      roots: take(forest.roots.byteLength),
      feature: take(forest.feature.byteLength),
      threshold: take(forest.threshold.byteLength),
      missingRight: take(forest.missingRight.byteLength),
      children: take(forest.children.byteLength),
      leafValue: take(forest.leafValue.byteLength),
      X: 0,
      scores: 0,
    };
    this.at.X = end;
    this.grow(end);
    const bytes = new Uint8Array(this.exports.memory.buffer as ArrayBuffer);
    const put = (offset: number, a: ArrayBufferView): void => bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offset);
    put(this.at.roots, forest.roots);
    put(this.at.feature, forest.feature);
    put(this.at.threshold, forest.threshold);
    put(this.at.missingRight, forest.missingRight);
    put(this.at.children, forest.children);
    put(this.at.leafValue, forest.leafValue);
  }

  private grow(bytes: number): void {
    const have = this.exports.memory.buffer.byteLength;
    if (bytes > have) this.exports.memory.grow(Math.ceil((bytes - have) / 65536));
  }

  /** Adds every tree's leaf value into scores (n × outputs), rows copied in blocks into wasm memory. */
  addScores(X: Float64Array | Float32Array, n: number, d: number, scores: Float64Array): void {
    const { outputs } = this.forest;
    if (d > this.capacityD) {
      this.at.scores = (this.at.X + BLOCK_ROWS * d * 8 + 15) & ~15;
      this.grow(this.at.scores + BLOCK_ROWS * outputs * 8);
      this.capacityD = d;
    }
    for (let start = 0; start < n; start += BLOCK_ROWS) {
      const m = Math.min(BLOCK_ROWS, n - start);
      const heap = new Float64Array(this.exports.memory.buffer as ArrayBuffer);
      heap.set(X.subarray(start * d, (start + m) * d), this.at.X / 8);
      const s = this.at.scores / 8;
      heap.set(scores.subarray(start * outputs, (start + m) * outputs), s);
      const a = this.at;
      this.exports.predictBlock4(a.X, m, d, a.roots, this.forest.roots.length, outputs, a.feature, a.threshold, a.missingRight, a.children, a.leafValue, a.scores);
      scores.set(heap.subarray(s, s + m * outputs), start * outputs);
    }
  }
}
