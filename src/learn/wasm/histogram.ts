import { wasmApi, type WasmMemory } from './api.js';
import { histogramWasm } from './histogram-wasm.js';

const PAGE = 65536;
const BINS = 256;
/** A decoded bin: (gradient, hessian, count) as f64, the layout split finding reads. */
const FLOAT_BIN_BYTES = 24;
/** A fixed-point bin: gradient and (hessian << cbits | count) as one i64x2. */
const FIXED_BIN_BYTES = 16;

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
  /** Boosting scores (n × outputs) and labels (n), for the gradient and update kernels. */
  scores: number;
  labels: number;
  /** 'fixed': quantized (gradient, hessian | count) pairs at `pairs`, 16-byte bins; 'float': 24-byte f64 bins. */
  format: 'fixed' | 'float';
  /** 16 bytes a row; 0 in the float format. */
  pairs: number;
  /** Bytes of one histogram in this format. */
  histBytes: number;
  /** Thread t's partial histogram starts at threadHist + t × histBytes (thread 0 writes the destination directly). */
  threadHist: number;
  /** One histogram decoded to f64, for split finding (fixed format only). */
  decoded: number;
  /** Slot s's gather scratch starts at scratch + s × scratchBytes. */
  scratch: number;
  scratchBytes: number;
  /** The bin search table (binSearchTable's layout). */
  binTable: number;
  /** Thread t copies blocks of X rows to xBlock + t × BLOCK_ROWS × d × 8 to bin them. */
  xBlock: number;
}

/** Rows of X binned per copy into WebAssembly memory. */
const BLOCK_ROWS = 1024;

/** The scales of the current fixed-point gradients: what one unit of each lane is worth. */
interface FixedScale {
  gradUnit: number;
  hessUnit: number;
  countBits: number;
}

interface Kernels {
  histogram: (...args: number[]) => void;
  histogramGathered: (...args: number[]) => void;
  histogramFixed: (...args: number[]) => void;
  histogramFixedGathered: (...args: number[]) => void;
  quantize: (...args: number[]) => void;
  maxAbs: (at: number, n: number) => number;
  binaryGradients: (...args: number[]) => void;
  addFixed: (dst: number, src: number, bytes: number, subtract: number) => void;
  addFloat: (dst: number, src: number, bytes: number, subtract: number) => void;
  binRows: (x: number, m: number, d: number, table: number, rowMajor: number, featureMajor: number, n: number, first: number) => void;
  decodeFixed: (src: number, dst: number, bins: number, gradUnit: number, hessUnit: number, countBits: number) => void;
  partition: (...args: number[]) => number;
}

/**
 * Everything tree growing reads, in one WebAssembly.Memory shared by the main thread and the workers:
 * bins, the row permutation, gradients, hessians, weights, a partial histogram per thread, and the
 * leaves' histograms ("slots", taken and given back as leaves split, reused from tree to tree).
 * JavaScript writes through typed views; the kernels (histogram.wat) read the same bytes without copies.
 *
 * Unweighted rows use fixed-point histograms: each tree's gradients and hessians are scaled to
 * integers once, so a bin is one i64x2 with the row count packed under the hessian. That is one
 * memory update per (row, feature) instead of two (the histogram pass is ~1.5× faster), and sums are
 * exact, so a sibling's histogram from subtraction carries no rounding. Weighted rows, whose counts are
 * sums of weights, use f64 (gradient, hessian, count) bins.
 */
export class HistogramArena {
  readonly bins: Uint8Array;
  readonly binsByFeature: Uint8Array;
  readonly goesLeft: Uint8Array;
  readonly rows: Int32Array;
  readonly grad: Float64Array;
  readonly hess: Float64Array;
  readonly weights: Float64Array | undefined;
  readonly scores: Float64Array;
  readonly labels: Float64Array;
  private kernelsCache: Kernels | undefined;
  private scale: FixedScale = { gradUnit: 0, hessUnit: 0, countBits: 0 };
  /** Free leaf slots (byte offsets), and the end of the memory already handed out. */
  private readonly freeSlots: number[] = [];
  private slotEnd: number;

  private constructor(
    readonly memory: WasmMemory,
    readonly layout: ArenaLayout,
    slotStart: number,
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
    this.scores = new Float64Array(buffer, layout.scores, n * outputs);
    this.labels = new Float64Array(buffer, layout.labels, n);
    this.slotEnd = slotStart;
  }

  static allocate(n: number, d: number, outputs: number, weighted: boolean, threads: number): HistogramArena {
    let at = 64;
    const take = (bytes: number): number => {
      const start = at;
      at = (at + bytes + 63) & ~63;
      return start;
    };
    // Sums of n rows must fit 63 bits: gradients get 62 − countBits bits, hessians share their lane with
    // the count, leaving 62 − 2·countBits; below 8 bits of hessian, f64 histograms are the safer choice.
    const format = weighted || 62 - 2 * bitLength(n) < 8 ? 'float' : 'fixed';
    const histBytes = d * BINS * (format === 'fixed' ? FIXED_BIN_BYTES : FLOAT_BIN_BYTES);
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
      scores: take(8 * n * outputs),
      labels: take(8 * n),
      format,
      pairs: format === 'fixed' ? take(16 * n) : 0,
      histBytes,
      threadHist: 0,
      decoded: 0,
      scratch: 0,
      scratchBytes: 0,
      binTable: take((d * 256 + d) * 8),
      xBlock: take(BLOCK_ROWS * d * 8 * threads),
    };
    layout.threadHist = take(histBytes * threads);
    layout.decoded = format === 'fixed' ? take(d * BINS * FLOAT_BIN_BYTES) : 0;
    // Gathered bins (256 × d), then 256 16-byte pairs and 256 counts.
    layout.scratchBytes = ((256 * d + 15) & ~15) + 4096 + 2048;
    layout.scratch = take(layout.scratchBytes * threads);
    const pages = Math.ceil(at / PAGE);
    if (pages > 65536) throw new RangeError(`the data needs ${(at / 2 ** 30).toFixed(1)} GiB of tree-growing memory; WebAssembly allows 4 GiB`);
    const memory = new wasmApi.Memory({ initial: pages, maximum: 65536, shared: true });
    return new HistogramArena(memory, layout, pages * PAGE);
  }

  /** The same arena seen from a worker thread (which only builds partial histograms). */
  static attach(memory: WasmMemory, layout: ArenaLayout): HistogramArena {
    return new HistogramArena(memory, layout, 0);
  }

  private get kernels(): Kernels {
    this.kernelsCache ??= new wasmApi.Instance(compiled(), { env: { memory: this.memory } }).exports as Kernels;
    return this.kernelsCache;
  }

  /**
   * Scales one output's gradients (starting at `offset` in grad/hess) to integers for fixed-point
   * histograms: returns the params of `quantize`, for threads to run over row ranges, or undefined in
   * the float format (nothing to do). Call once per tree, before any histogram.
   */
  fixedScale(offset: number, unitHessian: boolean, bounds?: { grad: number; hess: number }): Float64Array | undefined {
    const { layout } = this;
    if (layout.format === 'float') return undefined;
    const { n } = layout;
    // Known bounds (the loss's) spare a pass over the gradients, and stay the same from tree to tree.
    const maxG = bounds?.grad ?? this.kernels.maxAbs(layout.grad + offset * 8, n);
    const maxH = unitHessian ? 1 : (bounds?.hess ?? this.kernels.maxAbs(layout.hess + offset * 8, n));
    const countBits = bitLength(n);
    const gradScale = maxG > 0 ? 2 ** (62 - countBits) / maxG : 0;
    const hessScale = maxH > 0 ? 2 ** (62 - 2 * countBits) / maxH : 0;
    this.scale = { gradUnit: gradScale > 0 ? 1 / gradScale : 0, hessUnit: hessScale > 0 ? 1 / hessScale : 0, countBits };
    return Float64Array.of(offset, unitHessian ? 1 : 0, gradScale, hessScale, countBits);
  }

  /** Quantizes rows [start, end) with the params from `fixedScale` (any thread). */
  quantize(params: Float64Array, start: number, end: number): void {
    const { layout } = this;
    const offset = params[0]!;
    this.kernels.quantize(layout.grad + offset * 8, layout.hess + offset * 8, params[1]!, start, end, params[2]!, params[3]!, params[4]!, layout.pairs);
  }

  /** Sets the bin search table (from binSearchTable) that `binRows` uses. */
  setBinTable(table: Float64Array): void {
    new Float64Array(this.memory.buffer as ArrayBuffer, this.layout.binTable, table.length).set(table);
  }

  /**
   * Bins rows [start, end) of X into both layouts, on any thread: blocks of rows are copied into this
   * thread's part of the memory and binned by the WebAssembly kernel (~4× the JavaScript loop).
   */
  binRows(thread: number, X: Float64Array | Float32Array, start: number, end: number): void {
    const { layout } = this;
    const { d, n } = layout;
    const at = layout.xBlock + thread * BLOCK_ROWS * d * 8;
    const block = new Float64Array(this.memory.buffer as ArrayBuffer, at, BLOCK_ROWS * d);
    for (let first = start; first < end; first += BLOCK_ROWS) {
      const m = Math.min(BLOCK_ROWS, end - first);
      block.set(X.subarray(first * d, (first + m) * d));
      this.kernels.binRows(at, m, d, layout.binTable, layout.bins, layout.binsByFeature, n, first);
    }
  }

  /**
   * Binary log-loss gradients of unweighted rows [start, end) from the arena's scores and labels, with
   * e^x in WebAssembly (Math.exp was most of the time), and, given `fixedScale` params, quantized too.
   */
  binaryGradients(start: number, end: number, quantize: Float64Array | undefined): void {
    const { layout } = this;
    const q = quantize === undefined ? [0, 0, 0, 0] : [1, quantize[2]!, quantize[3]!, quantize[4]!];
    this.kernels.binaryGradients(layout.scores, layout.labels, start, end, layout.grad, layout.hess, ...q, layout.pairs);
  }

  /** A histogram slot for a leaf (its byte offset); give it back with `releaseSlot`. */
  takeSlot(): number {
    const free = this.freeSlots.pop();
    if (free !== undefined) return free;
    const slot = this.slotEnd;
    this.slotEnd += this.layout.histBytes;
    const have = this.memory.buffer.byteLength;
    if (this.slotEnd > have) this.memory.grow(Math.ceil((this.slotEnd - have) / PAGE));
    return slot;
  }

  releaseSlot(slot: number): void {
    this.freeSlots.push(slot);
  }

  /**
   * Sums rows at positions [begin, end) into a histogram: thread 0 into `dest` (a slot), other threads
   * into their own partials, which `mergeThreads` then adds into `dest`. Zeroes its target first.
   */
  histogram(thread: number, offset: number, unitHessian: boolean, begin: number, end: number, dest: number): void {
    const { layout } = this;
    const target = thread === 0 ? dest : layout.threadHist + thread * layout.histBytes;
    new Uint8Array(this.memory.buffer as ArrayBuffer, target, layout.histBytes).fill(0);
    if (end <= begin) return;
    const scratch = layout.scratch + thread * layout.scratchBytes;
    // Rows spread thinly through the data (a child after a few splits) are gathered first; dense runs
    // (the root) are summed in place, where gathering only adds a copy.
    const gather = (end - begin) * 2 < this.rows[end - 1]! - this.rows[begin]! + 1;
    if (layout.format === 'fixed') {
      const args = [layout.bins, layout.rows, begin, end, layout.d, layout.pairs, target];
      if (gather) this.kernels.histogramFixedGathered(...args, scratch);
      else this.kernels.histogramFixed(...args);
      return;
    }
    const args = [layout.bins, layout.rows, begin, end, layout.d, layout.grad + offset * 8, layout.hess + offset * 8, unitHessian ? 1 : 0, layout.weights, target];
    if (gather) this.kernels.histogramGathered(...args, scratch);
    else this.kernels.histogram(...args);
  }

  /** Adds the partial histograms of threads 1 … threads − 1 into `dest`. */
  mergeThreads(dest: number, threads: number): void {
    const { layout } = this;
    for (let t = 1; t < threads; t++) this.add(dest, layout.threadHist + t * layout.histBytes, false);
  }

  /** parent −= child: the parent's slot then holds the sibling's histogram. */
  subtract(parent: number, child: number): void {
    this.add(parent, child, true);
  }

  private add(dest: number, src: number, subtract: boolean): void {
    const { layout } = this;
    if (layout.format === 'fixed') this.kernels.addFixed(dest, src, layout.histBytes, subtract ? 1 : 0);
    else this.kernels.addFloat(dest, src, layout.histBytes, subtract ? 1 : 0);
  }

  /**
   * A slot's histogram as f64 (gradient, hessian, count) per bin per feature. In the fixed format it is
   * decoded into one shared buffer, valid until the next call.
   */
  view(slot: number): Float64Array {
    const { layout } = this;
    const length = layout.d * BINS * 3;
    if (layout.format === 'float') return new Float64Array(this.memory.buffer as ArrayBuffer, slot, length);
    const { gradUnit, hessUnit, countBits } = this.scale;
    this.kernels.decodeFixed(slot, layout.decoded, layout.d * BINS, gradUnit, hessUnit, countBits);
    return new Float64Array(this.memory.buffer as ArrayBuffer, layout.decoded, length);
  }

  /**
   * Stable partition of rows[begin, end) (on the calling thread) by `feature`: rows whose bin has
   * goesLeft[bin] = 1 first. Fill `this.goesLeft` before calling. Returns the first right-side position.
   */
  partition(feature: number, begin: number, end: number): number {
    const { layout } = this;
    return this.kernels.partition(layout.binsByFeature, layout.n, feature, layout.rows, begin, end, layout.goesLeft, layout.partitionScratch);
  }
}

/** Bits needed to hold counts 0 … n. */
function bitLength(n: number): number {
  return Math.max(1, Math.ceil(Math.log2(n + 1)));
}

let module: object | undefined;
function compiled(): object {
  module ??= new wasmApi.Module(Buffer.from(histogramWasm, 'base64'));
  return module;
}
