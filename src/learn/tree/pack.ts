import type { Model, ModelState } from '../contract.js';
import { availableParallelism } from 'node:os';
import { RowPool } from '../parallel/pool.js';
import { WasmForest } from '../wasm/forest.js';
import { addForestScores, layoutForest, type ForestLayout } from './forest-layout.js';
import type { FlatTree } from './tree.js';

/** All trees of a model in one set of arrays with offsets: compact to store, cheap to slice back. */
export function packTrees(trees: readonly FlatTree[]): ModelState {
  const nodeOffset = new Int32Array(trees.length + 1);
  const leafOffset = new Int32Array(trees.length + 1);
  trees.forEach((t, i) => {
    nodeOffset[i + 1] = nodeOffset[i]! + t.feature.length;
    leafOffset[i + 1] = leafOffset[i]! + t.leafValue.length;
  });
  const nodes = nodeOffset[trees.length]!;
  const feature = new Int32Array(nodes);
  const threshold = new Float64Array(nodes);
  const defaultLeft = new Uint8Array(nodes);
  const left = new Int32Array(nodes);
  const right = new Int32Array(nodes);
  const leafValue = new Float64Array(leafOffset[trees.length]!);
  const anyCategorical = trees.some((t) => t.isCategorical !== undefined);
  const isCategorical = new Uint8Array(anyCategorical ? nodes : 0);
  const catBits = new Uint32Array(anyCategorical ? nodes * 8 : 0);
  // Covers only when every tree has them: a model is explained whole or not at all.
  const covered = trees.length > 0 && trees.every((t) => t.nodeCover !== undefined && t.leafCover !== undefined);
  const nodeCover = new Float64Array(covered ? nodes : 0);
  const leafCover = new Float64Array(covered ? leafOffset[trees.length]! : 0);
  trees.forEach((t, i) => {
    const at = nodeOffset[i]!;
    feature.set(t.feature, at);
    threshold.set(t.threshold, at);
    defaultLeft.set(t.defaultLeft, at);
    left.set(t.left, at);
    right.set(t.right, at);
    leafValue.set(t.leafValue, leafOffset[i]);
    if (t.isCategorical !== undefined) {
      isCategorical.set(t.isCategorical, at);
      catBits.set(t.catBits!, at * 8);
    }
    if (covered) {
      nodeCover.set(t.nodeCover!, at);
      leafCover.set(t.leafCover!, leafOffset[i]);
    }
  });
  return { nodeOffset, leafOffset, feature, threshold, defaultLeft, left, right, leafValue, isCategorical, catBits, ...(covered ? { nodeCover, leafCover } : {}) };
}

const unpacked = new WeakMap<ModelState, FlatTree[]>();

/**
 * The trees of a packed state, made once per state and kept while it is: explaining one row re-made
 * 100 trees' views, and every per-tree cache keyed by them (cover shares, depths) started cold.
 */
export function treesOf(state: ModelState): readonly FlatTree[] {
  let trees = unpacked.get(state);
  if (trees === undefined) unpacked.set(state, (trees = unpackTrees(state)));
  return trees;
}

/** The trees of a packed state, as views (no copies). */
export function unpackTrees(state: ModelState): FlatTree[] {
  const nodeOffset = state['nodeOffset'] as Int32Array;
  const leafOffset = state['leafOffset'] as Int32Array;
  // Models saved before categorical splits existed have no isCategorical array.
  const categorical = (state['isCategorical'] as Uint8Array | undefined) ?? new Uint8Array(0);
  // Models saved before explanations have no covers.
  const nodeCover = state['nodeCover'] as Float64Array | undefined;
  const leafCover = state['leafCover'] as Float64Array | undefined;
  const trees: FlatTree[] = [];
  for (let t = 0; t + 1 < nodeOffset.length; t++) {
    const a = nodeOffset[t]!;
    const b = nodeOffset[t + 1]!;
    trees.push({
      feature: (state['feature'] as Int32Array).subarray(a, b),
      threshold: (state['threshold'] as Float64Array).subarray(a, b),
      defaultLeft: (state['defaultLeft'] as Uint8Array).subarray(a, b),
      left: (state['left'] as Int32Array).subarray(a, b),
      right: (state['right'] as Int32Array).subarray(a, b),
      leafValue: (state['leafValue'] as Float64Array).subarray(leafOffset[t]!, leafOffset[t + 1]!),
      ...(categorical.length > 0 ? { isCategorical: categorical.subarray(a, b), catBits: (state['catBits'] as Uint32Array).subarray(a * 8, b * 8) } : {}),
      ...(nodeCover !== undefined && leafCover !== undefined ? { nodeCover: nodeCover.subarray(a, b), leafCover: leafCover.subarray(leafOffset[t]!, leafOffset[t + 1]!) } : {}),
    });
  }
  return trees;
}

const layouts = new WeakMap<Model, ForestLayout>();

/** The walking layout of a model's trees, built on first use and kept while the model lives (the serving path). */
export function forestLayoutOf(model: Model, outputs: number): ForestLayout {
  let layout = layouts.get(model);
  if (layout === undefined) {
    layout = layoutForest(unpackTrees(model.state), outputs);
    layouts.set(model, layout);
  }
  return layout;
}

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
export function prepareModelScores(model: Model, outputs: number): void {
  const layout = forestLayoutOf(model, outputs);
  if (layout.isCategorical !== undefined || availableParallelism() < 2) return;
  predictionPool(wasmForestOf(layout), THREADED_MIN_ROWS, model.nFeatures);
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
 * Adds every tree's leaf value to scores (n × outputs). Batches walk the trees in WebAssembly (the
 * forest copied into shared wasm memory once per model), big batches on worker threads too; single
 * rows, and forests with categorical splits, walk them in JavaScript, where a call costs nothing to set up.
 */
export function addModelScores(model: Model, outputs: number, X: Float64Array | Float32Array, n: number, d: number, scores: Float64Array): void {
  const layout = forestLayoutOf(model, outputs);
  if (n < WASM_MIN_ROWS || layout.isCategorical !== undefined) {
    addForestScores(layout, X, n, d, scores);
    return;
  }
  const wasm = wasmForestOf(layout);
  const warm = pools.has(wasm) && n >= WARM_THREADED_MIN_ROWS;
  if ((n < THREADED_MIN_ROWS && !warm) || availableParallelism() < 2) {
    wasm.addScores(X, n, d, scores);
    return;
  }
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
}
