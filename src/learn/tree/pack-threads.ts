import { availableParallelism } from 'node:os';
import { RowPool } from '../parallel/pool.js';
import { WasmForest } from '../wasm/forest.js';
import type { ForestLayout } from './forest-layout.js';
import { setParallelScores, type ParallelScores } from './pack.js';

/**
 * Node's batch path for tree scores, around pack.ts's plain walk: the forest in WebAssembly (its bytes
 * decoded with Buffer) and big batches on worker threads. Registered on import; the fit-side registry
 * (learn/registry.ts, which the CLI and server load) imports this module for that.
 */

const wasmForests = new WeakMap<ForestLayout, WasmForest>();
const pools = new WeakMap<WasmForest, RowPool>();
/** A model's prediction workers are stopped when its forest is garbage-collected. */
const closeWhenCollected = new FinalizationRegistry<() => void>((stop) => stop());

/**
 * The worker threads that walk a model's forest, started on its first big batch and kept while the
 * model lives: starting them cost ~40 ms a batch. They are unref'd, so they never keep a process alive.
 */
function predictionPool(wasm: WasmForest, n: number, d: number): RowPool {
  let pool = pools.get(wasm);
  if (pool === undefined) {
    pool = RowPool.create('forest-predict', { X: new Float64Array(0), d, y: new Float64Array(0), s: undefined, k: 1, forest: wasm }, n, 2);
    // A pool without workers (too little data per batch for threads) is not worth keeping.
    if (pool.threads === 1) return pool;
    pools.set(wasm, pool);
    // The registry must not hold the pool itself: it references the forest, which could then never be collected.
    closeWhenCollected.register(wasm, pool.stopper());
  }
  return pool;
}
/** Batches at least this big are split across worker threads (starting them costs ~40 ms). */
const THREADED_MIN_ROWS = 100_000;
/** Once a model's threads are running (a server readied it), batches this big use them too: waking one costs tens of µs. */
const WARM_THREADED_MIN_ROWS = 512;
const THREADED_CHUNK_ROWS = 131_072;
const WASM_MIN_ROWS = 64;

/**
 * Readies a model for a big batch before its rows arrive: lays the forest out in WebAssembly memory
 * and starts the prediction workers, so their start-up (~40 ms each, on their own threads) overlaps
 * with reading the data instead of following it.
 */
function prepareScores(layout: ForestLayout, d: number): void {
  if (layout.isCategorical !== undefined || availableParallelism() < 2) return;
  predictionPool(wasmForestOf(layout), THREADED_MIN_ROWS, d);
}

function wasmForestOf(layout: ForestLayout): WasmForest {
  let wasm = wasmForests.get(layout);
  if (wasm === undefined) {
    wasm = WasmForest.fromLayout(layout);
    wasmForests.set(layout, wasm);
  }
  return wasm;
}

/**
 * Adds every tree's leaf value to scores (n × outputs), returning true, or false to leave the batch to
 * pack.ts's walk. Batches walk the trees in WebAssembly (the forest copied into shared wasm memory once
 * per model), big batches on worker threads too; single rows, and forests with categorical splits, are
 * left to the walk in JavaScript, where a call costs nothing to set up.
 */
function addScores(layout: ForestLayout, X: Float64Array | Float32Array, n: number, d: number, scores: Float64Array): boolean {
  // Left to pack.ts's walk in JavaScript.
  if (n < WASM_MIN_ROWS || layout.isCategorical !== undefined) return false;
  const wasm = wasmForestOf(layout);
  const warm = pools.has(wasm) && n >= WARM_THREADED_MIN_ROWS;
  if ((n < THREADED_MIN_ROWS && !warm) || availableParallelism() < 2) {
    wasm.addScores(X, n, d, scores);
    return true;
  }
  const outputs = layout.outputs;
  // Chunks of rows, each walked by all threads: the memory holds one chunk, not the whole batch (a
  // million rows × 28 features would be 224 MB copied at once).
  const chunk = Math.min(n, THREADED_CHUNK_ROWS);
  const { x, scores: at } = wasm.reserve(chunk, d);
  const pool = predictionPool(wasm, n, d);
  for (let start = 0; start < n; start += chunk) {
    const m = Math.min(chunk, n - start);
    const heap = new Float64Array(wasm.memory.buffer as ArrayBuffer);
    heap.set(X.subarray(start * d, (start + m) * d), x / 8);
    heap.set(scores.subarray(start * outputs, (start + m) * outputs), at / 8);
    pool.run(Float64Array.of(x, at), new Float64Array(0), 0, m);
    scores.set(heap.subarray(at / 8, at / 8 + m * outputs), start * outputs);
  }
  return true;
}

/** Node's accelerator, exported so tests can take it away and put it back. */
export const nodeParallelScores: ParallelScores = { add: addScores, prepare: prepareScores };
setParallelScores(nodeParallelScores);
