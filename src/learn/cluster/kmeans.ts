import type { Matrix } from '../contract.js';
import { Random } from '../../synth/random.js';

/**
 * k-means as scikit-learn's KMeans does it: greedy k-means++ seeding (2 + ⌊ln k⌋ candidates per centre, the one
 * that lowers the potential most kept), Lloyd iterations until the assignments stop changing or the centres move
 * less than `tol` × the mean column variance, empty clusters re-seeded with the points farthest from their
 * centres, and `nInit` runs of which the one with the lowest inertia is kept. Seeded and deterministic: the same
 * X, options and seed give the same clusters. NaN in X is not allowed (impute first: see cluster-matrix.ts).
 */

export interface KMeansOptions {
  k: number;
  /** Runs from different seedings; the lowest inertia is kept. Default 10. */
  nInit?: number;
  /** Lloyd iterations per run at most. Default 300. */
  maxIter?: number;
  /** Convergence: the centres' total squared shift at most tol × the mean column variance. Default 1e-4. */
  tol?: number;
  seed?: number;
}

/** A fitted k-means: plain data. `centroids` is k × d, row-major. */
export interface KMeansFit {
  k: number;
  d: number;
  centroids: Float64Array<ArrayBufferLike>;
  /** Each row's cluster, 0..k-1. */
  labels: Int32Array;
  /** Σ squared distance of each row to its centroid. */
  inertia: number;
  /** Lloyd iterations of the run kept. */
  iterations: number;
  converged: boolean;
}

export function fit(X: Matrix, options: KMeansOptions): KMeansFit {
  const { n, d } = X;
  const k = options.k;
  const nInit = options.nInit ?? 10;
  const maxIter = options.maxIter ?? 300;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k-means: k must be a whole number of at least 1, not ${k}`);
  if (k > n) throw new RangeError(`k-means: k = ${k} is more than the ${n} rows`);
  if (!Number.isInteger(nInit) || nInit < 1) throw new RangeError(`k-means: nInit must be at least 1, not ${nInit}`);
  // Centred copy, as scikit-learn fits (it changes nothing in exact arithmetic, and loses less precision).
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += X.data[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= n;
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) data[i * d + j] = X.data[i * d + j]! - mean[j]!;
  const Xc: Dense = { data, n, d };
  let variance = 0;
  for (let i = 0; i < n * d; i++) variance += data[i]! * data[i]!;
  const tol = (options.tol ?? 1e-4) * (variance / (n * d));

  const random = new Random(options.seed ?? 0);
  let best: KMeansFit | undefined;
  for (let run = 0; run < nInit; run++) {
    const result = lloyd(Xc, kmeansPlusPlus(Xc, k, random), k, maxIter, tol);
    if (best === undefined || result.inertia < best.inertia) best = result;
  }
  const fitted = best!;
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) fitted.centroids[c * d + j]! += mean[j]!;
  return fitted;
}

/** Each row's nearest centroid (k × d, row-major); ties go to the lower cluster. */
export function assign(centroids: Float64Array, X: Matrix): Int32Array {
  const { n, d } = X;
  const k = centroids.length / d;
  const labels = new Int32Array(n);
  const data = asFloat64(X.data);
  for (let i = 0; i < n; i++) labels[i] = nearest(data, i * d, centroids, k, d);
  return labels;
}

/** Σ squared distance of each row to its cluster's centroid. */
export function inertiaOf(X: Matrix, centroids: Float64Array, labels: Int32Array): number {
  let total = 0;
  const data = asFloat64(X.data);
  for (let i = 0; i < X.n; i++) total += squaredDistance(data, i * X.d, centroids, labels[i]! * X.d, X.d);
  return total;
}

function squaredDistance(a: Float64Array, ai: number, b: Float64Array, bi: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const t = a[ai + j]! - b[bi + j]!;
    s += t * t;
  }
  return s;
}

/** The nearest centroid's index; its squared distance is left in `found[0]`. */
function nearest(data: Float64Array, offset: number, centroids: Float64Array, k: number, d: number): number {
  let index = 0;
  let distance = Infinity;
  for (let c = 0; c < k; c++) {
    const s = squaredDistance(data, offset, centroids, c * d, d);
    if (s < distance) {
      distance = s;
      index = c;
    }
  }
  found[0] = distance;
  return index;
}
const found = new Float64Array(1);

/** A matrix whose data is Float64Array, for the hot loops (one element type, one compiled loop). */
interface Dense {
  data: Float64Array;
  n: number;
  d: number;
}

const asFloat64 = (data: Float64Array | Float32Array): Float64Array => (data instanceof Float64Array ? data : Float64Array.from(data));

/** Greedy k-means++ (scikit-learn's `_kmeans_plusplus`): k × d initial centres. */
function kmeansPlusPlus(X: Dense, k: number, random: Random): Float64Array {
  const { n, d, data } = X;
  const centres = new Float64Array(k * d);
  const trials = 2 + Math.floor(Math.log(k));
  const first = random.int(n);
  centres.set(data.subarray(first * d, first * d + d), 0);
  const closest = new Float64Array(n);
  for (let i = 0; i < n; i++) closest[i] = squaredDistance(data, i * d, data, first * d, d);
  const cumulative = new Float64Array(n);
  const candidateDist = new Float64Array(n);
  const bestDist = new Float64Array(n);
  for (let c = 1; c < k; c++) {
    let acc = 0;
    for (let i = 0; i < n; i++) cumulative[i] = acc += closest[i]!;
    let bestCandidate = -1;
    let bestPotential = Infinity;
    for (let t = 0; t < trials; t++) {
      const candidate = Math.min(searchSorted(cumulative, random.uniform() * acc), n - 1);
      let p = 0;
      for (let i = 0; i < n; i++) {
        const s = Math.min(closest[i]!, squaredDistance(data, i * d, data, candidate * d, d));
        candidateDist[i] = s;
        p += s;
      }
      if (p < bestPotential) {
        bestPotential = p;
        bestCandidate = candidate;
        bestDist.set(candidateDist);
      }
    }
    closest.set(bestDist);
    centres.set(data.subarray(bestCandidate * d, bestCandidate * d + d), c * d);
  }
  return centres;
}

/** The first index whose cumulative value is at least `v` (numpy's searchsorted, side left). */
function searchSorted(cumulative: Float64Array, v: number): number {
  let lo = 0;
  let hi = cumulative.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function lloyd(X: Dense, initial: Float64Array<ArrayBufferLike>, k: number, maxIter: number, tol: number): KMeansFit {
  const { n, d, data } = X;
  let centres = initial;
  let next: Float64Array<ArrayBufferLike> = new Float64Array(k * d);
  const labels = new Int32Array(n).fill(-1);
  const distances = new Float64Array(n);
  const counts = new Float64Array(k);
  let iterations = 0;
  let converged = false;
  let strict = false;
  for (let iter = 0; iter < maxIter; iter++) {
    iterations = iter + 1;
    // E-step against the current centres, and the sums for the M-step in the same pass.
    next.fill(0);
    counts.fill(0);
    let changed = false;
    for (let i = 0; i < n; i++) {
      const index = nearest(data, i * d, centres, k, d);
      const distance = found[0]!;
      if (labels[i] !== index) changed = true;
      labels[i] = index;
      distances[i] = distance;
      counts[index]!++;
      for (let j = 0; j < d; j++) next[index * d + j]! += data[i * d + j]!;
    }
    relocateEmpty(X, labels, distances, counts, next, k);
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) next[c * d + j]! /= counts[c]!;
    let shift = 0;
    for (let i = 0; i < k * d; i++) shift += (next[i]! - centres[i]!) ** 2;
    [centres, next] = [next, centres];
    if (!changed) {
      strict = true;
      converged = true;
      break;
    }
    if (shift <= tol) {
      converged = true;
      break;
    }
  }
  // The labels were of the centres before the last update: unless nothing changed, assign again.
  if (!strict) for (let i = 0; i < n; i++) labels[i] = nearest(data, i * d, centres, k, d);
  return { k, d, centroids: centres, labels, inertia: inertiaOf(X, centres, labels), iterations, converged };
}

/**
 * Empty clusters take the points farthest from their own centres (scikit-learn's relocation): each such
 * point leaves its cluster's sums and becomes the empty cluster's only member.
 */
function relocateEmpty(X: Dense, labels: Int32Array, distances: Float64Array, counts: Float64Array, sums: Float64Array, k: number): void {
  const empty: number[] = [];
  for (let c = 0; c < k; c++) if (counts[c] === 0) empty.push(c);
  if (empty.length === 0) return;
  const { n, d, data } = X;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => distances[b]! - distances[a]! || a - b);
  let taken = 0;
  for (const c of empty) {
    // A point alone in its cluster would leave that cluster empty in turn.
    while (taken < n && counts[labels[order[taken]!]!]! <= 1) taken++;
    if (taken >= n) break;
    const i = order[taken++]!;
    const from = labels[i]!;
    counts[from]!--;
    for (let j = 0; j < d; j++) sums[from * d + j]! -= data[i * d + j]!;
    counts[c] = 1;
    for (let j = 0; j < d; j++) sums[c * d + j] = data[i * d + j]!;
    labels[i] = c;
    distances[i] = 0;
  }
}

export interface SilhouetteOptions {
  /** Rows above which the score is the mean over a seeded sample of this many rows (scikit-learn's sample_size). Default 5,000. */
  maxRows?: number;
  seed?: number;
}

/**
 * The mean silhouette coefficient of a clustering (Euclidean distances), as scikit-learn's silhouette_score: exact
 * up to `maxRows` rows, above that of a seeded sample (NaN when the sample holds fewer than 2 clusters).
 */
export function silhouette(X: Matrix, labels: Int32Array, options: SilhouetteOptions = {}): number {
  return silhouettes(X, [labels], options)[0]!;
}

/**
 * The silhouette of several clusterings of the same rows, each pair's distance computed once for them all.
 * A row alone in its cluster scores 0. Every clustering needs at least 2 clusters and fewer than n rows' worth.
 */
export function silhouettes(X: Matrix, labelSets: readonly Int32Array[], options: SilhouetteOptions = {}): number[] {
  const maxRows = options.maxRows ?? 5000;
  const rows = X.n > maxRows ? sampleRows(X.n, maxRows, options.seed ?? 0) : undefined;
  const n = rows?.length ?? X.n;
  const d = X.d;
  let data: Float64Array;
  if (rows === undefined) data = asFloat64(X.data);
  else {
    data = new Float64Array(n * d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) data[i * d + j] = X.data[rows[i]! * d + j]!;
  }
  const sets = labelSets.map((all) => (rows === undefined ? all : Int32Array.from(rows, (r) => all[r]!)));
  const ks = sets.map((labels) => {
    let k = 0;
    for (const l of labels) k = Math.max(k, l + 1);
    return k;
  });
  // Per clustering, per row, the sum of distances to each cluster.
  const sums = sets.map((_, s) => new Float64Array(n * ks[s]!));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dist = Math.sqrt(squaredDistance(data, i * d, data, j * d, d));
      for (let s = 0; s < sets.length; s++) {
        const labels = sets[s]!;
        const k = ks[s]!;
        const sum = sums[s]!;
        sum[i * k + labels[j]!]! += dist;
        sum[j * k + labels[i]!]! += dist;
      }
    }
  }
  return sets.map((labels, s) => {
    const k = ks[s]!;
    const sum = sums[s]!;
    const sizes = new Float64Array(k);
    for (const l of labels) sizes[l]!++;
    let nonEmpty = 0;
    for (const size of sizes) if (size > 0) nonEmpty++;
    if (nonEmpty < 2 || nonEmpty >= n) {
      // A sample can miss every row of a small cluster: the score is then unknown, not an error.
      if (rows !== undefined) return NaN;
      throw new RangeError(`silhouette: needs from 2 to ${n - 1} clusters, not ${nonEmpty}`);
    }
    let total = 0;
    for (let i = 0; i < n; i++) {
      const own = labels[i]!;
      if (sizes[own]! <= 1) continue;
      const a = sum[i * k + own]! / (sizes[own]! - 1);
      let b = Infinity;
      for (let c = 0; c < k; c++) if (c !== own && sizes[c]! > 0) b = Math.min(b, sum[i * k + c]! / sizes[c]!);
      const m = Math.max(a, b);
      if (m > 0) total += (b - a) / m;
    }
    return total / n;
  });
}

/** `size` distinct row indices of 0..n-1, seeded, in increasing order. */
export function sampleRows(n: number, size: number, seed: number): Int32Array {
  if (size >= n) return Int32Array.from({ length: n }, (_, i) => i);
  const random = new Random(seed);
  const index = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < size; i++) {
    const j = i + random.int(n - i);
    const t = index[i]!;
    index[i] = index[j]!;
    index[j] = t;
  }
  return index.slice(0, size).sort();
}

export interface ChooseKOptions extends Omit<KMeansOptions, 'k'> {
  /** The k tried, inclusive. Default 2..10 (capped at n - 1). */
  kMin?: number;
  kMax?: number;
  /** Rows above which each silhouette is of a seeded sample. Default 5,000. */
  silhouetteRows?: number;
}

export interface KChoice {
  k: number;
  fit: KMeansFit;
  /** Each k tried, with its silhouette and inertia. */
  tried: { k: number; silhouette: number; inertia: number }[];
}

/** Fits k-means for each k in the range and keeps the one with the highest silhouette (the smaller k on a tie). */
export function chooseK(X: Matrix, options: ChooseKOptions = {}): KChoice {
  const kMin = Math.max(2, options.kMin ?? 2);
  const kMax = Math.min(options.kMax ?? 10, X.n - 1);
  if (kMax < kMin) throw new RangeError(`k-means: choosing k needs at least ${kMin + 1} rows, not ${X.n}`);
  const fitOptions: Omit<KMeansOptions, 'k'> = {};
  if (options.nInit !== undefined) fitOptions.nInit = options.nInit;
  if (options.maxIter !== undefined) fitOptions.maxIter = options.maxIter;
  if (options.tol !== undefined) fitOptions.tol = options.tol;
  if (options.seed !== undefined) fitOptions.seed = options.seed;
  const silhouetteRows = options.silhouetteRows;
  const fits: KMeansFit[] = [];
  for (let k = kMin; k <= kMax; k++) fits.push(fit(X, { ...fitOptions, k }));
  const scores = silhouettes(
    X,
    fits.map((f) => f.labels),
    { ...(silhouetteRows !== undefined ? { maxRows: silhouetteRows } : {}), seed: options.seed ?? 0 },
  );
  let best = 0;
  // NaN (a sample that missed a cluster) never wins.
  for (let i = 1; i < fits.length; i++) if (scores[i]! > scores[best]! || (Number.isNaN(scores[best]!) && !Number.isNaN(scores[i]!))) best = i;
  return { k: fits[best]!.k, fit: fits[best]!, tried: fits.map((f, i) => ({ k: f.k, silhouette: scores[i]!, inertia: f.inertia })) };
}

/** The fit with its clusters renumbered largest first (ties: in the order they were), so cluster 0 is the biggest. */
export function orderBySize(result: KMeansFit): KMeansFit {
  const { k, d } = result;
  const sizes = new Float64Array(k);
  for (const l of result.labels) sizes[l]!++;
  const order = Array.from({ length: k }, (_, c) => c).sort((a, b) => sizes[b]! - sizes[a]! || a - b);
  const rank = new Int32Array(k);
  order.forEach((c, r) => (rank[c] = r));
  const centroids = new Float64Array(k * d);
  order.forEach((c, r) => centroids.set(result.centroids.subarray(c * d, c * d + d), r * d));
  return { ...result, centroids, labels: result.labels.map((l) => rank[l]!) };
}
