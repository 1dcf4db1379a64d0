import type { Model, ModelState } from '../contract.js';
import { addForestScores, layoutForest, type ForestLayout } from './forest-layout.js';
import type { FlatTree } from './tree.js';

// Predict-time code: no node: module here, directly or not (test/learn/node-free.test.ts). The
// WebAssembly and worker-thread batch path lives in pack-threads.ts, which Node entry points register.

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

/**
 * A faster way to add a batch's scores than walking the trees here: the WebAssembly forest and its
 * worker threads in Node (pack-threads.ts). It must give exactly the plain walk's numbers.
 */
export interface ParallelScores {
  /** Adds every tree's leaf value to scores, returning true; false leaves the batch to the plain walk. */
  add(layout: ForestLayout, X: Float64Array | Float32Array, n: number, d: number, scores: Float64Array): boolean;
  /** Readies a model's forest for a big batch of d-feature rows before they arrive. */
  prepare(layout: ForestLayout, d: number): void;
}

let parallel: ParallelScores | undefined;

/** Registers (or, with undefined, removes) the batch accelerator; without one every batch walks the trees here. */
export function setParallelScores(run: ParallelScores | undefined): void {
  parallel = run;
}

/** Readies a model for a big batch before its rows arrive: its layout here, and the accelerator's threads where one is registered. */
export function prepareModelScores(model: Model, outputs: number): void {
  const layout = forestLayoutOf(model, outputs);
  parallel?.prepare(layout, model.nFeatures);
}

/** Adds every tree's leaf value to scores (n × outputs): by the accelerator where it takes the batch, else walking the trees here. */
export function addModelScores(model: Model, outputs: number, X: Float64Array | Float32Array, n: number, d: number, scores: Float64Array): void {
  const layout = forestLayoutOf(model, outputs);
  if (parallel?.add(layout, X, n, d, scores) === true) return;
  addForestScores(layout, X, n, d, scores);
}
