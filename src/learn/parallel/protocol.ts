import type { WasmMemory } from '../wasm/api.js';
import type { ArenaLayout } from '../wasm/histogram.js';
import type { ForestMemoryLayout } from '../wasm/forest.js';

/** Indices into the shared Int32 control block between the pool and its workers. */
export const CTL_EPOCH = 0;
export const CTL_DONE = 1;
export const CTL_STOP = 2;
export const CTL_START = 3;
export const CTL_END = 4;
/** Which kernel this epoch runs: an index into KERNEL_NAMES. */
export const CTL_KERNEL = 5;
export const CTL_LENGTH = 6;

export interface WorkerSetup {
  control: SharedArrayBuffer;
  X: SharedArrayBuffer;
  xIsFloat32: boolean;
  d: number;
  y: SharedArrayBuffer;
  s: SharedArrayBuffer | null;
  k: number;
  /** Tree kernels: the shared WebAssembly memory holding bins, rows, gradients and histograms. */
  arena: { memory: WasmMemory; layout: ArenaLayout } | null;
  /** Prediction: the shared memory holding a forest, its rows and scores. */
  forest: { memory: WasmMemory; layout: ForestMemoryLayout } | null;
  unitHessian: boolean;
  params: SharedArrayBuffer;
  outputs: SharedArrayBuffer;
  outLength: number;
  slot: number;
  threads: number;
}
