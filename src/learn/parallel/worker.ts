import { parentPort, workerData } from 'node:worker_threads';
import { KERNEL_NAMES, runKernel, type KernelInputs } from './kernels.js';
import { HistogramArena } from '../wasm/histogram.js';
import { WasmForest } from '../wasm/forest.js';
import { CTL_EPOCH, CTL_DONE, CTL_STOP, CTL_START, CTL_END, CTL_KERNEL, type WorkerSetup } from './protocol.js';

/**
 * A row-range worker: waits for the epoch counter to move, runs the kernel on its share of the rows
 * named in the control block, writes its sums into its own slot, and counts itself done.
 */
const setup = workerData as WorkerSetup;
const ctl = new Int32Array(setup.control);
const inputs: KernelInputs = {
  X: setup.xIsFloat32 ? new Float32Array(setup.X) : new Float64Array(setup.X),
  d: setup.d,
  y: new Float64Array(setup.y),
  s: setup.s === null ? undefined : new Float64Array(setup.s),
  k: setup.k,
  ...(setup.arena !== null ? { arena: HistogramArena.attach(setup.arena.memory, setup.arena.layout) } : {}),
  ...(setup.forest !== null ? { forest: WasmForest.attach(setup.forest.memory, setup.forest.layout) } : {}),
  unitHessian: setup.unitHessian,
};
const params = new Float64Array(setup.params);
const out = new Float64Array(setup.outputs, setup.slot * (setup.outLength + 1) * 8, setup.outLength + 1);
const sums = out.subarray(0, setup.outLength);
let seen = 0;
for (;;) {
  Atomics.wait(ctl, CTL_EPOCH, seen);
  seen = Atomics.load(ctl, CTL_EPOCH);
  if (Atomics.load(ctl, CTL_STOP) !== 0) break;
  const start = Atomics.load(ctl, CTL_START);
  const end = Atomics.load(ctl, CTL_END);
  const share = Math.ceil((end - start) / setup.threads);
  const from = Math.min(end, start + setup.slot * share);
  const to = Math.min(end, from + share);
  sums.fill(0);
  const kernel = KERNEL_NAMES[Atomics.load(ctl, CTL_KERNEL)]!;
  out[setup.outLength] = runKernel(kernel, inputs, params, from, to, sums, setup.slot);
  Atomics.add(ctl, CTL_DONE, 1);
  Atomics.notify(ctl, CTL_DONE);
}
parentPort?.close();
