import { wasmApi, type WasmMemory } from './api.js';
import { histogramWasm } from './histogram-wasm.js';

const PAGE = 65536;
const HIST_BYTES_PER_FEATURE = 256 * 3 * 8;

/** Byte offsets of the arrays in the shared memory. */
export interface ArenaLayout {
  n: number;
  d: number;
  outputs: number;
  threads: number;
  bins: number;
  /** The bins again, feature-major (binsByFeature[f × n + i]), for partitioning. */
  binsByFeature: number;
  rows: number;
  /** Partition scratch (4n bytes) and the 256-byte table of which bins go left. */
  partitionScratch: number;
  goesLeft: number;
  grad: number;
  hess: number;
  /** 0 when rows are unweighted. */
  weights: number;
  /** Slot s's histogram starts at hist + s × histBytes. */
  hist: number;
  histBytes: number;
  /** Slot s's gather scratch starts at scratch + s × scratchBytes. */
  scratch: number;
  scratchBytes: number;
}

/**
 * Everything tree growing reads, in one WebAssembly.Memory shared by the main thread and the workers:
 * bins, the row permutation, gradients, hessians, weights, and one histogram per thread. JavaScript
 * writes through typed views; the histogram kernel (histogram.wat) reads the same bytes without copies.
 */
export class HistogramArena {
  readonly bins: Uint8Array;
  readonly binsByFeature: Uint8Array;
  readonly goesLeft: Uint8Array;
  readonly rows: Int32Array;
  readonly grad: Float64Array;
  readonly hess: Float64Array;
  readonly weights: Float64Array | undefined;
  private kernels: { histogram: (...args: number[]) => void; histogramGathered: (...args: number[]) => void; partition: (...args: number[]) => number } | undefined;

  private constructor(
    readonly memory: WasmMemory,
    readonly layout: ArenaLayout,
  ) {
    const buffer = memory.buffer as ArrayBuffer;
    const { n, d, outputs } = layout;
    this.bins = new Uint8Array(buffer, layout.bins, n * d);
    this.binsByFeature = new Uint8Array(buffer, layout.binsByFeature, n * d);
    this.goesLeft = new Uint8Array(buffer, layout.goesLeft, 256);
    this.rows = new Int32Array(buffer, layout.rows, n);
    this.grad = new Float64Array(buffer, layout.grad, n * outputs);
    this.hess = new Float64Array(buffer, layout.hess, n * outputs);
    this.weights = layout.weights === 0 ? undefined : new Float64Array(buffer, layout.weights, n);
  }

  static allocate(n: number, d: number, outputs: number, weighted: boolean, threads: number): HistogramArena {
    let at = 64;
    const take = (bytes: number): number => {
      const start = at;
      at = (at + bytes + 63) & ~63;
      return start;
    };
    const histBytes = d * HIST_BYTES_PER_FEATURE;
    const layout: ArenaLayout = {
      n,
      d,
      outputs,
      threads,
      bins: take(n * d),
      binsByFeature: take(n * d),
      rows: take(4 * n),
      partitionScratch: take(4 * n),
      goesLeft: take(256),
      grad: take(8 * n * outputs),
      hess: take(8 * n * outputs),
      weights: weighted ? take(8 * n) : 0,
      hist: 0,
      histBytes,
      scratch: 0,
      scratchBytes: 0,
    };
    layout.hist = take(histBytes * threads);
    // Gathered bins (256 × d), then 256 (gradient, hessian) pairs and 256 counts.
    layout.scratchBytes = ((256 * d + 15) & ~15) + 4096 + 2048;
    layout.scratch = take(layout.scratchBytes * threads);
    const pages = Math.ceil(at / PAGE);
    if (pages > 65536) throw new RangeError(`the data needs ${(at / 2 ** 30).toFixed(1)} GiB of tree-growing memory; WebAssembly allows 4 GiB`);
    const memory = new wasmApi.Memory({ initial: pages, maximum: 65536, shared: true });
    return new HistogramArena(memory, layout);
  }

  /** The same arena seen from a worker thread. */
  static attach(memory: WasmMemory, layout: ArenaLayout): HistogramArena {
    return new HistogramArena(memory, layout);
  }

  /**
   * Stable partition of rows[begin, end) (on the calling thread) by `feature`: rows whose bin has
   * goesLeft[bin] = 1 first. Fill `this.goesLeft` before calling. Returns the first right-side position.
   */
  partition(feature: number, begin: number, end: number): number {
    const { layout } = this;
    this.kernels ??= new wasmApi.Instance(compiled(), { env: { memory: this.memory } }).exports as NonNullable<HistogramArena['kernels']>;
    return this.kernels.partition(layout.binsByFeature, layout.n, feature, layout.rows, begin, end, layout.goesLeft, layout.partitionScratch);
  }

  /**
   * Adds (gradient, hessian, count) per bin per feature for rows at positions [begin, end) into `out`,
   * using this thread's histogram slot for the sums.
   */
  histogram(slot: number, offset: number, unitHessian: boolean, begin: number, end: number, out: Float64Array): void {
    const { layout } = this;
    this.kernels ??= new wasmApi.Instance(compiled(), { env: { memory: this.memory } }).exports as NonNullable<HistogramArena['kernels']>;
    const hist = layout.hist + slot * layout.histBytes;
    const view = new Float64Array(this.memory.buffer as ArrayBuffer, hist, layout.histBytes / 8);
    view.fill(0);
    const args = [layout.bins, layout.rows, begin, end, layout.d, layout.grad + offset * 8, layout.hess + offset * 8, unitHessian ? 1 : 0, layout.weights, hist];
    // Rows spread thinly through the data (a child after a few splits) are gathered first; dense runs
    // (the root) are summed in place, where gathering only adds a copy.
    const span = end > begin ? this.rows[end - 1]! - this.rows[begin]! + 1 : 1;
    if ((end - begin) * 2 < span) this.kernels.histogramGathered(...args, layout.scratch + slot * layout.scratchBytes);
    else this.kernels.histogram(...args);
    for (let j = 0; j < view.length; j++) out[j] += view[j]!;
  }
}

let module: object | undefined;
function compiled(): object {
  module ??= new wasmApi.Module(Buffer.from(histogramWasm, 'base64'));
  return module;
}
