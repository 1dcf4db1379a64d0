import { z } from 'zod';
import type { Model } from '../contract.js';
import { checkFinite, checkLength, f64, i32, parseState, stateError, u32, u8 } from '../state.js';

/**
 * Checks of stored trees, so a walk can neither read out of bounds nor loop: every child index is a
 * node after its parent in the same tree, or a leaf of that tree; features are in range; split
 * thresholds are numbers (+Infinity is a real "everything left" split; NaN would send every row right).
 */

const packedSchema = z.object({
  nodeOffset: i32,
  leafOffset: i32,
  feature: i32,
  threshold: f64,
  defaultLeft: u8,
  left: i32,
  right: i32,
  leafValue: f64,
  // Models saved before categorical splits existed have neither.
  isCategorical: u8.optional(),
  catBits: u32.optional(),
  // Models saved before explanations have neither.
  nodeCover: f64.optional(),
  leafCover: f64.optional(),
});

/** The packed trees of gbdt and forest models (pack.ts); returns how many trees there are. */
export function checkPackedTrees(model: Model): number {
  const s = parseState(model, packedSchema);
  const trees = s.nodeOffset.length - 1;
  if (trees < 1) throw stateError('nodeOffset', `has ${s.nodeOffset.length} values; expected the start of each tree and the end (at least 2)`);
  checkLength('leafOffset', s.leafOffset, s.nodeOffset.length, ' (as many as nodeOffset)');
  const nodes = s.feature.length;
  for (const name of ['threshold', 'defaultLeft', 'left', 'right'] as const) checkLength(name, s[name], nodes, ' (one per node, as feature)');
  const categorical = s.isCategorical ?? new Uint8Array(0);
  if (categorical.length > 0) {
    checkLength('isCategorical', categorical, nodes, ' (one per node, or none)');
    checkLength('catBits', s.catBits ?? new Uint32Array(0), nodes * 8, ' (8 words per node)');
  }
  if (s.nodeCover !== undefined || s.leafCover !== undefined) {
    checkLength('nodeCover', s.nodeCover ?? new Float64Array(0), nodes, ' (one per node, or none)');
    checkLength('leafCover', s.leafCover ?? new Float64Array(0), s.leafValue.length, ' (one per leaf, or none)');
    checkFinite('nodeCover', s.nodeCover!);
    checkFinite('leafCover', s.leafCover!);
  }
  checkOffsets('nodeOffset', s.nodeOffset, nodes);
  checkOffsets('leafOffset', s.leafOffset, s.leafValue.length);
  checkFinite('leafValue', s.leafValue);
  for (let t = 0; t < trees; t++) {
    const a = s.nodeOffset[t]!;
    const b = s.nodeOffset[t + 1]!;
    const leaves = s.leafOffset[t + 1]! - s.leafOffset[t]!;
    if (a === b && leaves !== 1) throw stateError('leafOffset', `gives tree ${t}, which has no split, ${leaves} leaves; expected 1`);
    for (let i = a; i < b; i++) {
      checkSplit(model, s.feature, s.threshold, i, categorical[i] === 1);
      for (const side of ['left', 'right'] as const) checkChild(side, s[side][i]!, i, i - a, b - a, leaves);
    }
  }
  return trees;
}

/** The laid-out forest of isolation forests (forest-layout.ts); returns how many trees there are. */
export function checkForestLayout(model: Model): number {
  const s = parseState(model, z.object({ roots: i32, feature: i32, threshold: f64, missingRight: u8, children: i32, leafValue: f64 }));
  const nodes = s.feature.length;
  const leaves = s.leafValue.length;
  if (s.roots.length < 1) throw stateError('roots', 'is empty; expected one root per tree');
  checkLength('threshold', s.threshold, nodes, ' (one per node, as feature)');
  checkLength('missingRight', s.missingRight, nodes, ' (one per node, as feature)');
  checkLength('children', s.children, 2 * nodes, ' (two per node)');
  checkFinite('leafValue', s.leafValue);
  s.roots.forEach((r, t) => {
    if (r >= nodes || (r < 0 && ~r >= leaves)) throw stateError(`roots[${t}]`, `is ${r}; expected a node below ${nodes} or a leaf below ${leaves}`);
  });
  for (let i = 0; i < nodes; i++) {
    checkSplit(model, s.feature, s.threshold, i, false);
    checkChild('children', s.children[2 * i]!, 2 * i, i, nodes, leaves);
    checkChild('children', s.children[2 * i + 1]!, 2 * i + 1, i, nodes, leaves);
  }
  return s.roots.length;
}

function checkOffsets(field: string, offsets: Int32Array, total: number): void {
  if (offsets[0] !== 0) throw stateError(`${field}[0]`, `is ${offsets[0]}; expected 0`);
  for (let t = 1; t < offsets.length; t++) {
    if (offsets[t]! < offsets[t - 1]!) throw stateError(`${field}[${t}]`, `is ${offsets[t]}, less than the one before (${offsets[t - 1]})`);
  }
  const last = offsets[offsets.length - 1]!;
  if (last !== total) throw stateError(`${field}[${offsets.length - 1}]`, `is ${last}; expected ${total}, the end of the arrays it indexes`);
}

function checkSplit(model: Model, feature: Int32Array, threshold: Float64Array, i: number, categorical: boolean): void {
  const f = feature[i]!;
  if (!(f >= 0 && f < model.nFeatures)) throw stateError(`feature[${i}]`, `is ${f}; the model has ${model.nFeatures} features (0 to ${model.nFeatures - 1})`);
  // A categorical split keeps its set in catBits; its threshold is unused (NaN).
  if (!categorical && Number.isNaN(threshold[i]!)) throw stateError(`threshold[${i}]`, 'is NaN; expected a number');
}

/**
 * A child `c` of node `node` (numbered `local` within its tree of `nodes` nodes and `leaves` leaves):
 * a later node of the tree (so no walk loops) or a leaf of it. `at` is its index in the stored array.
 */
function checkChild(field: string, c: number, at: number, local: number, nodes: number, leaves: number): void {
  if (c >= 0 ? c > local && c < nodes : ~c < leaves) return;
  const where = c >= 0 ? `node ${c}` : `leaf ${~c}`;
  throw stateError(`${field}[${at}]`, `is ${c} (${where}); expected a node after ${local} and below ${nodes}, or a leaf below ${leaves}`);
}
