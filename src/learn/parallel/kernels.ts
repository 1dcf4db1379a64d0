import { binaryLossGrad, multinomialLossGrad } from '../linear/logistic-loss.js';
import { wasmShiftedGram } from '../wasm/gram.js';
import { CUT_SLOTS, fitBinsRange } from '../tree/binning.js';
import { OBJECTIVE_NAMES, objectiveNamed } from '../tree/objectives.js';
import type { HistogramArena } from '../wasm/histogram.js';
import type { WasmForest } from '../wasm/forest.js';

/**
 * Row-range kernels that threads split between them: each reads rows [start, end) of shared inputs,
 * adds its sums into `out` and returns a scalar sum. Running the same kernel on all rows in one thread
 * gives the serial result.
 */
export const KERNEL_NAMES = ['binary-loss', 'multinomial-loss', 'shifted-gram', 'histogram', 'forest-predict', 'fit-bins', 'bin-rows', 'boost-gradients', 'boost-update', 'quantize'] as const;
export type KernelName = (typeof KERNEL_NAMES)[number];

export interface KernelInputs {
  X: Float64Array | Float32Array;
  d: number;
  y: Float64Array;
  /** Per-row weights, or undefined for all ones. */
  s: Float64Array | undefined;
  /** Classes, for multinomial. */
  k: number;
  /** Tree kernels only: bins, rows, gradients and per-thread histograms in shared WebAssembly memory. */
  arena?: HistogramArena;
  unitHessian?: boolean;
  /** Prediction: a forest, rows and scores in shared WebAssembly memory. */
  forest?: WasmForest;
}

/** `slot` is the calling thread's number (0 for the main thread), for kernels with per-thread scratch. */
export function runKernel(name: KernelName, inputs: KernelInputs, params: Float64Array, start: number, end: number, out: Float64Array, slot = 0): number {
  switch (name) {
    case 'binary-loss':
      return binaryLossGrad(inputs, params, start, end, out);
    case 'multinomial-loss':
      return multinomialLossGrad(inputs, params, inputs.k, start, end, out);
    case 'shifted-gram':
      wasmShiftedGram(inputs.X, inputs.d, inputs.y, inputs.s, params, params[inputs.d]!, start, end, out);
      return 0;
    case 'histogram':
      // params = [offset of this output's gradients, destination slot]; the histogram lands in the arena.
      inputs.arena!.histogram(slot, params[0]!, inputs.unitHessian === true, start, end, params[1]!);
      return 0;
    case 'forest-predict':
      // params = [offset of the rows, offset of the scores]; each thread writes its own rows' scores.
      inputs.forest!.walk(params[0]!, params[1]!, inputs.d, start, end);
      return 0;
    case 'fit-bins':
      // A range of features, not rows: params = [max bins, a categorical flag per feature].
      fitBinsRange(inputs.X, inputs.arena!.layout.n, inputs.d, params, start, end, out);
      return 0;
    case 'bin-rows':
      // Each thread bins its own rows into the arena, both layouts, with the arena's bin table.
      inputs.arena!.binRows(slot, inputs.X, start, end);
      return 0;
    case 'boost-gradients':
      boostGradients(inputs.arena!, params, start, end);
      return 0;
    case 'quantize':
      inputs.arena!.quantize(params, start, end);
      return 0;
    case 'boost-update':
      addLeafValues(inputs.arena!.scores, inputs.arena!.rows, params, start, end);
      return 0;
  }
}

/** Output length of a kernel's sums (the scalar is returned separately). */
export function kernelOutputLength(name: KernelName, d: number, k: number): number {
  switch (name) {
    case 'binary-loss':
      return d + 1;
    case 'multinomial-loss':
      return k * d + k;
    case 'shifted-gram':
      return (d + 2) * (d + 2);
    case 'fit-bins':
      return d * CUT_SLOTS + d;
    case 'histogram':
    case 'forest-predict':
    case 'bin-rows':
    case 'boost-gradients':
    case 'boost-update':
    case 'quantize':
      return 0;
  }
}

/**
 * A new tree's leaf values added to the scores of the rows it was grown on, for row positions
 * [start, end): params = [output c, outputs K, leaves L, then L segment starts, L segment ends, L values];
 * rows[begin_l, end_l) are leaf l's rows.
 */
function addLeafValues(scores: Float64Array, rows: Int32Array, params: Float64Array, start: number, end: number): void {
  const c = params[0]!;
  const K = params[1]!;
  const L = params[2]!;
  for (let l = 0; l < L; l++) {
    const from = Math.max(start, params[3 + l]!);
    const to = Math.min(end, params[3 + L + l]!);
    const v = params[3 + 2 * L + l]!;
    for (let r = from; r < to; r++) scores[rows[r]! * K + c] += v;
  }
}

/**
 * Gradients of rows [start, end) at the arena's scores and labels: params = [objective (index in
 * OBJECTIVE_NAMES), outputs, huber delta, 1 to quantize too, then the quantize params]. Unweighted
 * binary log loss runs in WebAssembly; the others are the objective's JavaScript.
 */
function boostGradients(arena: HistogramArena, params: Float64Array, start: number, end: number): void {
  const name = OBJECTIVE_NAMES[params[0]!]!;
  const quantize = params[3] === 1 ? params.subarray(4) : undefined;
  if (name === 'binary' && arena.weights === undefined) {
    arena.binaryGradients(start, end, quantize);
    return;
  }
  objectiveNamed(name, params[1]!, params[2]!).gradients(arena.labels, arena.scores, arena.weights, arena.grad, arena.hess, start, end);
  if (quantize !== undefined) arena.quantize(quantize, start, end);
}
