import { encodeForClustering, fitClusterEncoding, type ClusterEncoding } from './cluster-matrix.js';
import { isHyperplaneError } from '../errors.js';
import type { Matrix } from '../learn/contract.js';
import { assign, chooseK, orderBySize, sampleRows } from '../learn/cluster/kmeans.js';
import type { ColumnSchema } from '../data/schema/schema.js';
import type { ClusterDifference, RowClusters } from '../data/profile/profile.js';
import { selectRows, type Table } from '../data/table.js';

/**
 * Clusters of rows, for a profile: k-means on the feature columns (the target left out, encoded as for
 * `hyperplane cluster`: numeric columns standardised, categoricals one-hot), k from 2 to 8 by silhouette on a
 * seeded sample of at most SAMPLE_ROWS rows (2 k-means++ runs per k), then every row assigned its nearest centroid. Each cluster is
 * described by the columns whose mean over its rows is farthest from the overall mean, in standard deviations
 * (for a categorical: a level more common in the cluster than overall, its share against the overall share, in the
 * level indicator's standard deviations). Opt-in (`profile --clusters`): on the fixtures it adds 10–250 ms of CPU (movies.json, 54 encoded columns, the most).
 */

const SAMPLE_ROWS = 1000;
const MIN_ROWS = 20;
const K_MAX = 8;
const N_INIT = 2;
const MAX_ITER = 100;
const SEED = 0;
/** Columns named per cluster. */
const DISTINCTIVE = 3;

export function profileClusters(table: Table, schema: readonly ColumnSchema[], target?: string): RowClusters | undefined {
  if (table.nRows < MIN_ROWS) return undefined;
  let encoding: ClusterEncoding;
  try {
    encoding = fitClusterEncoding(table, schema, target !== undefined ? { exclude: [target] } : {}).encoding;
  } catch (e) {
    if (isHyperplaneError(e)) return undefined;
    throw e;
  }
  const sample = table.nRows > SAMPLE_ROWS ? selectRows(table, sampleRows(table.nRows, SAMPLE_ROWS, SEED)) : table;
  const sampleX = encodeForClustering(sample, encoding);
  const choice = chooseK(sampleX, { kMax: K_MAX, nInit: N_INIT, maxIter: MAX_ITER, seed: SEED });
  const fitted = orderBySize(choice.fit);
  const all: Matrix = sample === table ? sampleX : encodeForClustering(table, encoding);
  const labels = sample === table ? fitted.labels : assign(fitted.centroids, all);
  const sizes = new Float64Array(fitted.k);
  for (const l of labels) sizes[l]!++;
  // Each cluster's mean of each encoded column.
  const { d } = all;
  const means = new Float64Array(fitted.k * d);
  const overall = new Float64Array(d);
  for (let i = 0; i < all.n; i++) {
    const l = labels[i]!;
    for (let j = 0; j < d; j++) {
      const v = all.data[i * d + j]!;
      means[l * d + j]! += v;
      overall[j]! += v;
    }
  }
  for (let j = 0; j < d; j++) overall[j]! /= all.n;
  const clusters = Array.from(sizes, (size, c) => {
    const differences: ClusterDifference[] = [];
    let offset = 0;
    for (const spec of encoding.columns) {
      if (spec.kind === 'numeric') {
        // Encoded values are z-scores (missing as 0): the cluster's mean is its difference in standard deviations.
        const z = size > 0 ? means[c * d + offset]! / size : 0;
        differences.push({ column: spec.name, difference: z, value: spec.mean + spec.std * z });
        offset++;
      } else {
        spec.levels.forEach((level, l) => {
          const share = size > 0 ? means[c * d + offset + l]! / size / Math.SQRT1_2 : 0;
          const p = overall[offset + l]! / Math.SQRT1_2;
          const sd = Math.sqrt(p * (1 - p));
          // A level over-represented in the cluster says what it is; one under-represented is another's excess.
          if (sd > 0 && share > p) differences.push({ column: spec.name, level, difference: (share - p) / sd, value: share });
        });
        offset += spec.levels.length;
      }
    }
    differences.sort((a, b) => Math.abs(b.difference) - Math.abs(a.difference));
    return { size, share: size / table.nRows, differences: differences.slice(0, DISTINCTIVE) };
  });
  return {
    sampleRows: sample.nRows,
    columns: encoding.columns.length,
    k: fitted.k,
    silhouette: choice.tried.find((t) => t.k === choice.k)!.silhouette,
    tried: choice.tried.map(({ k, silhouette }) => ({ k, silhouette })),
    clusters,
  };
}
