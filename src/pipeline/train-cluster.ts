import type { Table } from '../data/table.js';
import { HyperplaneError } from '../errors.js';
import { fitTrainingRecipe } from '../features/recipe.js';
import { chooseK, fit, orderBySize, silhouette, type KMeansFit } from '../learn/cluster/kmeans.js';
import { KMEANS_FORMAT_VERSION } from '../learn/cluster/kmeans-predict.js';
import type { Model } from '../learn/contract.js';
import { buildReference } from '../monitor/reference.js';
import type { ModelPackage } from './package.js';
import { Pipeline } from './pipeline.js';
import type { Data, TrainProgress } from './train.js';

/** The k tried when none is given, at most. */
const K_MAX = 10;
/** Rows above which a silhouette is the mean over a seeded sample of this many. */
const SILHOUETTE_ROWS = 5000;

export interface ClusterTrainOptions {
  /** The number of clusters; default: chosen by silhouette among 2…10. */
  k?: number;
  seed: number;
  onProgress?: (event: TrainProgress) => void;
}

export interface ClusterTrainResult {
  package: ModelPackage;
  pipeline: Pipeline;
  k: number;
  chosenBy: 'given' | 'silhouette';
  /** With k chosen: each k tried. */
  tried?: { k: number; silhouette: number; inertia: number }[];
  silhouette: number | null;
  inertia: number;
  /** Each cluster's rows and share of the training rows, the largest first (cluster 0). */
  sizes: { cluster: number; rows: number; share: number }[];
  warnings: string[];
}

/**
 * A clustering served as a pipeline: the linear recipe's features (numbers imputed and standardised, categories
 * one-hot) and k-means with k-means++ starts on every row, k given or chosen by silhouette; clusters are
 * numbered largest first. A row's answer is its nearest centroid's number. The training rows' inputs and cluster
 * shares are the monitoring reference: live traffic whose rows fall into the clusters in other shares has moved.
 */
export async function trainClusterPipeline(data: Data, options: ClusterTrainOptions): Promise<ClusterTrainResult> {
  const started = performance.now();
  const { table, schema, source } = data;
  const n = table.nRows;
  if (options.k !== undefined && !(Number.isInteger(options.k) && options.k >= 1 && options.k < n)) throw new HyperplaneError(`--k ${options.k}: expected a whole number of clusters, 1 or more and below the ${n.toLocaleString('en-US')} rows`);
  if (n < 3) throw new HyperplaneError(`clustering needs at least 3 rows; ${source} has ${n}`, { file: source });
  options.onProgress?.({ step: 'encoding', done: 0, total: 1 });
  const { recipe, X } = fitTrainingRecipe(table, schema, { family: 'linear' });
  if (X.d === 0) throw new HyperplaneError('no column to cluster on: every column is text, an id or constant', { file: source });
  options.onProgress?.({ step: options.k === undefined ? `choosing k among 2…${Math.min(K_MAX, n - 1)} by silhouette` : `k-means with k = ${options.k}`, done: 0, total: 1 });
  let result: KMeansFit;
  let tried: ClusterTrainResult['tried'];
  const distinct = distinctRows(X, K_MAX + 1);
  if (options.k !== undefined && options.k > distinct) throw new HyperplaneError(`--k ${options.k}: the rows have ${distinct} distinct encodings, fewer than the clusters asked`, { file: source });
  if (options.k === undefined && distinct < 3) throw new HyperplaneError(`choosing k by silhouette needs at least 3 distinct rows; these have ${distinct} (give --k)`, { file: source });
  if (options.k === undefined) {
    const choice = chooseK(X, { kMax: Math.min(K_MAX, distinct - 1), seed: options.seed, silhouetteRows: SILHOUETTE_ROWS });
    result = choice.fit;
    tried = choice.tried;
  } else result = fit(X, { k: options.k, seed: options.seed });
  result = orderBySize(result);
  const score = result.k >= 2 && new Set(result.labels).size >= 2 ? silhouette(X, result.labels, { maxRows: SILHOUETTE_ROWS, seed: options.seed }) : NaN;
  const warnings = result.converged ? [] : ['k-means stopped at its iteration limit before the centroids settled'];
  const model: Model = {
    kind: 'kmeans',
    formatVersion: KMEANS_FORMAT_VERSION,
    task: 'cluster',
    nFeatures: X.d,
    nClasses: result.k,
    params: { k: result.k, chosen_by: options.k === undefined ? 'silhouette' : 'given' },
    state: { centroids: Float64Array.from(result.centroids) },
    training: { iterations: result.iterations, converged: result.converged, durationMs: performance.now() - started, finalLoss: result.inertia / n, warnings },
  };
  const pipeline = new Pipeline({ target: { name: 'cluster', task: 'cluster' }, schema, members: [{ recipe, model, weight: 1 }] });
  const counts = new Float64Array(result.k);
  for (const l of result.labels) counts[l]!++;
  const sizes = Array.from(counts, (rows, cluster) => ({ cluster, rows, share: rows / n }));
  const scores = Float64Array.from(result.labels);
  const metrics: Record<string, number> = { k: result.k, inertia: result.inertia, ...(Number.isFinite(score) ? { silhouette: score } : {}) };
  const pkg: ModelPackage = {
    pipeline: {
      ...pipeline.spec,
      monitor: buildReference(table as Table, pipeline.inputColumns, { scores, rows: n, source: 'training', predicted: Array.from(result.labels, String) }, undefined, undefined, options.seed),
    },
    info: {
      createdAt: new Date().toISOString(),
      learner: 'kmeans',
      params: model.params,
      seed: options.seed,
      fingerprint: data.fingerprint,
      source,
      trainRows: n,
      metrics,
      evaluation: options.k === undefined ? `in-sample: k chosen by silhouette among 2…${Math.min(K_MAX, n - 1)}` : 'in-sample: k given',
      fit: { refit: false, evaluatedRows: n, why: 'a clustering is fitted and measured on every row' },
    },
  };
  return { package: pkg, pipeline, k: result.k, chosenBy: options.k === undefined ? 'silhouette' : 'given', ...(tried !== undefined ? { tried } : {}), silhouette: Number.isFinite(score) ? score : null, inertia: result.inertia, sizes, warnings };
}

/** How many distinct rows X has, counted up to `most` (k-means cannot make more clusters than that). */
function distinctRows(X: { data: ArrayLike<number>; n: number; d: number }, most: number): number {
  const seen = new Set<string>();
  for (let i = 0; i < X.n && seen.size < most; i++) seen.add(Array.prototype.join.call(Array.prototype.slice.call(X.data, i * X.d, (i + 1) * X.d), ','));
  return seen.size;
}
