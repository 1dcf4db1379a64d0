import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { KERNEL_NAMES, kernelOutputLength, runKernel, type KernelInputs, type KernelName } from './kernels.js';
import { CTL_DONE, CTL_END, CTL_EPOCH, CTL_KERNEL, CTL_LENGTH, CTL_START, CTL_STOP, type WorkerSetup } from './protocol.js';

/** Below this many values of X, starting threads costs more than it saves. */
const MIN_VALUES_FOR_THREADS = 2_000_000;

/** The inputs on SharedArrayBuffers when they are big enough for threads (copied once, if they are not already). */
export function shareForThreads<T extends { X: Float64Array | Float32Array; d: number; y: Float64Array; s: Float64Array | undefined }>(inputs: T, n: number): T {
  if (availableParallelism() < 2 || n * inputs.d < MIN_VALUES_FOR_THREADS) return inputs;
  return { ...inputs, X: toShared(inputs.X), y: toShared(inputs.y), s: inputs.s === undefined ? undefined : toShared(inputs.s) };
}

export function toShared<T extends Float64Array | Float32Array | Int32Array | Uint8Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer && a.byteOffset === 0) return a;
  const shared = new SharedArrayBuffer(a.byteLength);
  const copy = new (a.constructor as { new (b: SharedArrayBuffer): T })(shared);
  copy.set(a as never);
  return copy;
}

/**
 * Runs a row-range kernel over all rows, split between the calling thread and worker threads that
 * share X, y and the weights through SharedArrayBuffers. `run` is synchronous: the caller computes
 * its own share and then waits (Atomics.wait) for the workers, so an optimizer step costs no message
 * round trips. Sums are added in slot order, so results are the same from run to run.
 */
export class RowPool {
  private readonly ctl: Int32Array;
  private readonly params: Float64Array;
  private readonly outputs: Float64Array;
  private readonly outLength: number;
  private closed = false;
  /** Threads the last `run` used (1 when it ran serially). */
  lastRunThreads = 1;

  private constructor(
    private readonly kernel: KernelName,
    private readonly inputs: KernelInputs,
    private readonly workers: Worker[],
    control: SharedArrayBuffer,
    params: SharedArrayBuffer,
    outputs: SharedArrayBuffer,
    outLength: number,
  ) {
    this.ctl = new Int32Array(control);
    this.params = new Float64Array(params);
    this.outputs = new Float64Array(outputs);
    this.outLength = outLength;
  }

  /**
   * A pool for this kernel, or a serial one (no workers) when the data is small, the machine has one
   * core, or the compiled worker is not present (as when running from TypeScript sources in tests).
   */
  static create(kernels: KernelName | readonly KernelName[], inputs: KernelInputs, n: number, paramLength: number, threads = availableParallelism()): RowPool {
    const list = typeof kernels === 'string' ? [kernels] : kernels;
    const kernel = list[0]!;
    // Shared arrays must be whole buffers (workers view them from offset 0).
    const workerFile = new URL('./worker.js', import.meta.url);
    const useThreads = threads > 1 && n * inputs.d >= MIN_VALUES_FOR_THREADS && existsSync(fileURLToPath(workerFile));
    const total = useThreads ? threads : 1;
    const outLength = Math.max(...list.map((k) => kernelOutputLength(k, inputs.d, inputs.k)));
    const control = new SharedArrayBuffer(CTL_LENGTH * 4);
    const params = new SharedArrayBuffer(paramLength * 8);
    const outputs = new SharedArrayBuffer(total * (outLength + 1) * 8);
    if (!useThreads) return new RowPool(kernel, inputs, [], control, params, outputs, outLength);
    const shared: KernelInputs = {
      ...inputs,
      X: toShared(inputs.X),
      y: toShared(inputs.y),
      s: inputs.s === undefined ? undefined : toShared(inputs.s),
    };
    const workers: Worker[] = [];
    for (let slot = 1; slot < total; slot++) {
      const setup: WorkerSetup = {
        control,
        X: shared.X.buffer as SharedArrayBuffer,
        xIsFloat32: shared.X instanceof Float32Array,
        d: inputs.d,
        y: shared.y.buffer as SharedArrayBuffer,
        s: shared.s === undefined ? null : (shared.s.buffer as SharedArrayBuffer),
        k: inputs.k,
        arena: inputs.arena === undefined ? null : { memory: inputs.arena.memory, layout: inputs.arena.layout },
        forest: inputs.forest === undefined ? null : { memory: inputs.forest.memory, layout: inputs.forest.layout },
        unitHessian: inputs.unitHessian === true,
        params,
        outputs,
        outLength,
        slot,
        threads: total,
      };
      const worker = new Worker(workerFile, { workerData: setup });
      worker.unref();
      workers.push(worker);
    }
    return new RowPool(kernel, shared, workers, control, params, outputs, outLength);
  }

  get threads(): number {
    return this.workers.length + 1;
  }

  /** The inputs as the workers see them (shared copies where the originals were not shared). */
  get sharedInputs(): KernelInputs {
    return this.inputs;
  }

  /**
   * Runs the kernel on rows [start, end) with `params`; adds the summed outputs into `out` and returns the
   * summed scalar. Ranges under `serialBelow` rows run on the calling thread alone: waking workers costs
   * more than they would save.
   */
  run(params: Float64Array, out: Float64Array, start: number, end: number, serialBelow = 0, kernel: KernelName = this.kernel): number {
    if (this.closed) throw new Error('RowPool is closed');
    // Kernels add into `out`, so the calling thread can run a small range straight into it.
    if (end - start < serialBelow || this.workers.length === 0) {
      this.lastRunThreads = 1;
      return runKernel(kernel, this.inputs, params, start, end, out);
    }
    this.lastRunThreads = this.threads;
    this.params.set(params);
    const total = this.threads;
    const share = Math.ceil((end - start) / total);
    Atomics.store(this.ctl, CTL_KERNEL, KERNEL_NAMES.indexOf(kernel));
    Atomics.store(this.ctl, CTL_START, start);
    Atomics.store(this.ctl, CTL_END, end);
    Atomics.store(this.ctl, CTL_DONE, 0);
    Atomics.add(this.ctl, CTL_EPOCH, 1);
    Atomics.notify(this.ctl, CTL_EPOCH);
    const mine = this.outputs.subarray(0, this.outLength + 1);
    const sums = mine.subarray(0, this.outLength);
    sums.fill(0);
    mine[this.outLength] = runKernel(kernel, this.inputs, this.params, start, Math.min(end, start + share), sums);
    for (;;) {
      const done = Atomics.load(this.ctl, CTL_DONE);
      if (done >= this.workers.length) break;
      Atomics.wait(this.ctl, CTL_DONE, done, 60_000);
    }
    let scalar = 0;
    const length = kernelOutputLength(kernel, this.inputs.d, this.inputs.k);
    for (let slot = 0; slot < total; slot++) {
      const at = slot * (this.outLength + 1);
      for (let j = 0; j < length; j++) out[j] += this.outputs[at + j]!;
      scalar += this.outputs[at + this.outLength]!;
    }
    return scalar;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopper()();
  }

  /** A function that stops the workers, holding nothing but them and the control block (not the inputs). */
  stopper(): () => void {
    const { ctl, workers } = this;
    return () => {
      if (workers.length === 0) return;
      Atomics.store(ctl, CTL_STOP, 1);
      Atomics.add(ctl, CTL_EPOCH, 1);
      Atomics.notify(ctl, CTL_EPOCH);
      for (const w of workers) void w.terminate();
    };
  }
}
