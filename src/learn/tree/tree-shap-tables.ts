import { categoryGoesLeft, type FlatTree } from './tree.js';

/**
 * Path-dependent TreeSHAP by tables worked out once a tree: the idea of Fast TreeSHAP v2 (Yang 2021),
 * giving the same numbers as the path walk in tree-shap.ts in O(leaves × path features) per row, where
 * the walk spends O(leaves × depth²).
 *
 * For one leaf with value v, let P be the n distinct features on its path, z_j the share of training
 * cover its path keeps through the splits on j (the product over those splits), and H ⊆ P the features
 * whose splits the row follows all the way. Feature i's Shapley contribution from this leaf is
 *   v (1[i ∈ H] − z_i) Σ_{S ⊆ H∖{i}} w(|S|) Π_{j ∈ P∖{i}∖S} z_j,   w(s) = s! (n − s − 1)! / n!.
 * With C(H) = Σ_{S ⊆ H} w(|S|) Π_{j ∈ P∖S} z_j that is −v C(H) for every i outside H, and
 * v (1 − z_i) / z_i · C(H ∖ {i}) for i in H. So a table of v C over all 2^n subsets answers every row;
 * a row's H for each leaf comes from one walk over the splits, each clearing its feature's bit on the
 * branch the row does not take.
 */
export interface PathTables {
  /** Per split node: the bit its feature holds in the path masks below it. */
  bit: Uint8Array;
  /** Per leaf: where its path's features and ratios start (leaves + 1 entries; a leaf's n is the gap). */
  pathStart: Int32Array;
  pathFeature: Int32Array;
  /** Per path feature: (1 − z) / z. */
  ratio: Float64Array;
  /** Per leaf: where its 2^n table entries start. */
  tableStart: Int32Array;
  /** v × C(H) for each leaf and subset H of its path features (bit k = the leaf's k-th path feature). */
  table: Float64Array;
}

/** Most distinct features on one path a table is made for (2^16 entries a leaf). */
const MAX_PATH_FEATURES = 16;
/** Most table entries for one tree (2 MB); a tree past either limit is left to the path walk. */
const MAX_TREE_ENTRIES = 1 << 18;

const cache = new WeakMap<FlatTree, PathTables | null>();

/**
 * The tree's tables, made on first use and kept while the tree is; undefined for a tree the path walk
 * should explain: a single leaf, a path with too many features, or a branch no training cover reached
 * (z = 0 makes (1 − z) / z infinite).
 */
export function pathTables(tree: FlatTree, fractions: Float64Array): PathTables | undefined {
  let tables = cache.get(tree);
  if (tables === undefined) cache.set(tree, (tables = makeTables(tree, fractions) ?? null));
  return tables ?? undefined;
}

interface LeafPath {
  leaf: number;
  features: number[];
  zero: number[];
}

function makeTables(tree: FlatTree, fractions: Float64Array): PathTables | undefined {
  const nodes = tree.feature.length;
  if (nodes === 0) return undefined;
  // TableShap's one pass in node order needs each child after its parent (so trees grow, ours and XGBoost's).
  for (let node = 0; node < nodes; node++) if (tree.left[node]! >= 0 && tree.left[node]! <= node) return undefined;
  for (let node = 0; node < nodes; node++) if (tree.right[node]! >= 0 && tree.right[node]! <= node) return undefined;
  const bit = new Uint8Array(nodes);
  const paths: LeafPath[] = [];
  let entries = 0;
  // Depth-first over the splits, carrying the path's distinct features and their zero fractions.
  const stack: { node: number; features: number[]; zero: number[] }[] = [{ node: 0, features: [], zero: [] }];
  while (stack.length > 0) {
    const { node, features, zero } = stack.pop()!;
    if (node < 0) {
      if (features.length > MAX_PATH_FEATURES) return undefined;
      entries += 1 << features.length;
      if (entries > MAX_TREE_ENTRIES) return undefined;
      paths.push({ leaf: ~node, features, zero });
      continue;
    }
    const f = tree.feature[node]!;
    let b = features.indexOf(f);
    const childFeatures = b < 0 ? [...features, f] : features;
    if (b < 0) b = features.length;
    bit[node] = b;
    for (const [child, share] of [
      [tree.left[node]!, fractions[2 * node]!],
      [tree.right[node]!, fractions[2 * node + 1]!],
    ] as const) {
      const z = (b < zero.length ? zero[b]! : 1) * share;
      if (!(z > 0)) return undefined;
      const childZero = zero.slice();
      childZero[b] = z;
      stack.push({ node: child, features: childFeatures, zero: childZero });
    }
  }

  const leaves = tree.leafValue.length;
  const pathStart = new Int32Array(leaves + 1);
  for (const p of paths) pathStart[p.leaf + 1] = p.features.length;
  for (let l = 0; l < leaves; l++) pathStart[l + 1] += pathStart[l]!;
  const tableStart = new Int32Array(leaves);
  for (let l = 0, at = 0; l < leaves; l++) {
    tableStart[l] = at;
    at += 1 << (pathStart[l + 1]! - pathStart[l]!);
  }
  const pathFeature = new Int32Array(pathStart[leaves]!);
  const ratio = new Float64Array(pathStart[leaves]!);
  const table = new Float64Array(entries);
  for (const { leaf, features, zero } of paths) {
    for (let k = 0; k < features.length; k++) {
      pathFeature[pathStart[leaf]! + k] = features[k]!;
      ratio[pathStart[leaf]! + k] = (1 - zero[k]!) / zero[k]!;
    }
    fillTable(zero, tree.leafValue[leaf]!, table, tableStart[leaf]!);
  }
  return { bit, pathStart, pathFeature, ratio, tableStart, table };
}

/**
 * table[at + H] = v × C(H) for every subset H of the n path features. C(H) = Π_{j ∉ H} z_j ×
 * Σ_s w(s) e_{|H|−s}(z_H), where e_k is the k-th elementary symmetric polynomial of H's zero
 * fractions: the subsets S ⊆ H of size s choose the rest of H, whose z's multiply in. Each subset's
 * polynomial is its subset without the lowest bit, times (1 + z t).
 */
function fillTable(zero: readonly number[], value: number, table: Float64Array, at: number): void {
  const n = zero.length;
  const size = 1 << n;
  // w(s) = s! (n − s − 1)! / n!, s < n; S = P never occurs (a feature is always left out), so w(n) = 0.
  const w = new Float64Array(n + 1);
  for (let s = 0; s < n; s++) w[s] = 1 / (n * binomial(n - 1, s));
  const poly = new Float64Array(size * (n + 1));
  const inside = new Float64Array(size);
  poly[0] = 1;
  inside[0] = 1;
  for (let h = 1; h < size; h++) {
    const low = 31 - Math.clz32(h & -h);
    const rest = h & (h - 1);
    const z = zero[low]!;
    inside[h] = inside[rest]! * z;
    const from = rest * (n + 1);
    const to = h * (n + 1);
    poly[to] = poly[from]!;
    for (let k = 1; k <= n; k++) poly[to + k] = poly[from + k]! + z * poly[from + k - 1]!;
  }
  const full = size - 1;
  for (let h = 0; h < size; h++) {
    const count = popcount(h);
    let sum = 0;
    for (let s = 0; s <= count; s++) sum += w[s]! * poly[h * (n + 1) + count - s]!;
    table[at + h] = value * inside[full ^ h]! * sum;
  }
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

function popcount(h: number): number {
  let c = 0;
  for (let v = h; v !== 0; v &= v - 1) c++;
  return c;
}

/** Adds a row's contributions from trees with tables; holds the walk's masks so rows allocate nothing. */
export class TableShap {
  private nodeMask = new Int32Array(64);
  private leafMask = new Int32Array(64);

  /** Adds scale × each feature's contribution to `tree`'s value for the row at x[rowOffset …] into phi[phiOffset + feature]. */
  add(tree: FlatTree, tables: PathTables, x: Float64Array | Float32Array, rowOffset: number, phi: Float64Array, phiOffset: number, scale: number): void {
    const { feature, threshold, defaultLeft, left, right, isCategorical } = tree;
    const nodes = feature.length;
    const leaves = tree.leafValue.length;
    if (this.nodeMask.length < nodes) this.nodeMask = new Int32Array(nodes);
    if (this.leafMask.length < leaves) this.leafMask = new Int32Array(leaves);
    const { nodeMask, leafMask } = this;
    const { bit, pathStart, pathFeature, ratio, tableStart, table } = tables;
    // Children come after their parent (makeTables checks), so one pass in node order gives every
    // node its mask: the child the row does not take clears the split feature's bit. Arithmetic, not
    // branches, picks the child: which one the row takes is a coin flip to the branch predictor.
    nodeMask[0] = -1;
    for (let node = 0; node < nodes; node++) {
      const v = x[rowOffset + feature[node]!]!;
      const goesLeft = isCategorical !== undefined && isCategorical[node] === 1 ? +categoryGoesLeft(tree.catBits!, node, v) : v !== v ? defaultLeft[node]! : +(v <= threshold[node]!);
      const mask = nodeMask[node]!;
      const b = 1 << bit[node]!;
      const leftMask = mask & ~(b & (goesLeft - 1));
      const rightMask = mask & ~(b & -goesLeft);
      const l = left[node]!;
      const r = right[node]!;
      if (l >= 0) nodeMask[l] = leftMask;
      else leafMask[~l] = leftMask;
      if (r >= 0) nodeMask[r] = rightMask;
      else leafMask[~r] = rightMask;
    }
    for (let leaf = 0; leaf < leaves; leaf++) {
      const p0 = pathStart[leaf]!;
      const n = pathStart[leaf + 1]! - p0;
      const hot = leafMask[leaf]! & ((1 << n) - 1);
      const t0 = tableStart[leaf]!;
      // A feature the row follows adds ratio × v C(H without it); any other subtracts v C(H): its entry
      // is read with its bit left as is, and multiplied by h × ratio + h − 1 (ratio or −1, exactly).
      for (let k = 0; k < n; k++) {
        const h = (hot >>> k) & 1;
        phi[phiOffset + pathFeature[p0 + k]!] += scale * table[t0 + (hot ^ (h << k))]! * (h * ratio[p0 + k]! + h - 1);
      }
    }
  }
}
