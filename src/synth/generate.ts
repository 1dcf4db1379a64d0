import { Random } from './random.js';

export type SynthTask = 'binary' | 'multiclass' | 'regression';

export interface SynthOptions {
  task: SynthTask;
  rows: number;
  features: number;
  seed: number;
  /** Classes for multiclass (binary is always 2). */
  classes?: number;
  /** Share of labels replaced by a random class (classification). */
  labelNoise?: number;
}

export interface SynthData {
  featureNames: string[];
  /** Row-major, rows × features. */
  X: Float64Array;
  y: Float64Array;
  nInformative: number;
  nRedundant: number;
}

/**
 * Data in the spirit of scikit-learn's make_classification / make_friedman: informative features drawn
 * from Gaussian clusters on hypercube vertices (two per class, so no single line separates the classes),
 * redundant features that are linear mixes of them, pure-noise features, and label noise.
 * Regression adds interactions and thresholds so trees and linear models score differently.
 */
export function synthesize(options: SynthOptions): SynthData {
  const { rows, features, seed, task } = options;
  if (features < 2) throw new Error('synth needs at least 2 features');
  const rng = new Random(seed);
  const nInformative = Math.max(2, Math.round(features * 0.4));
  const nRedundant = Math.min(features - nInformative, Math.round(features * 0.2));
  const nNoise = features - nInformative - nRedundant;
  const X = new Float64Array(rows * features);
  const y = new Float64Array(rows);
  const mixing = randomMatrix(rng, nInformative, nRedundant);
  const informative = new Float64Array(nInformative);

  if (task === 'regression') {
    const weights = Array.from({ length: nInformative }, () => rng.normal() * 2);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < nInformative; j++) informative[j] = rng.normal();
      let target = 0;
      for (let j = 0; j < nInformative; j++) target += weights[j]! * informative[j]!;
      target += 3 * Math.sin(informative[0]! * informative[1]!) + 2 * Math.max(informative[nInformative - 1]!, 0) ** 2;
      y[i] = target + rng.normal() * 0.5;
      writeRow(X, i, features, informative, mixing, nRedundant, nNoise, rng);
    }
  } else {
    const nClasses = task === 'binary' ? 2 : Math.max(3, options.classes ?? 3);
    const clustersPerClass = 2;
    const nClusters = nClasses * clustersPerClass;
    const centroids = hypercubeVertices(rng, nClusters, nInformative);
    const shapes = Array.from({ length: nClusters }, () => randomMatrix(rng, nInformative, nInformative));
    const labelNoise = options.labelNoise ?? 0.02;
    const z = new Float64Array(nInformative);
    for (let i = 0; i < rows; i++) {
      const cluster = rng.int(nClusters);
      const centroid = centroids[cluster]!;
      const shape = shapes[cluster]!;
      for (let j = 0; j < nInformative; j++) z[j] = rng.normal();
      for (let j = 0; j < nInformative; j++) {
        let v = centroid[j]!;
        for (let k = 0; k < nInformative; k++) v += z[k]! * shape[k * nInformative + j]! * 0.5;
        informative[j] = v;
      }
      const label = cluster % nClasses;
      y[i] = rng.uniform() < labelNoise ? rng.int(nClasses) : label;
      writeRow(X, i, features, informative, mixing, nRedundant, nNoise, rng);
    }
  }
  const featureNames = Array.from({ length: features }, (_, j) => `f${j}`);
  return { featureNames, X, y, nInformative, nRedundant };
}

function writeRow(
  X: Float64Array,
  i: number,
  d: number,
  informative: Float64Array,
  mixing: Float64Array,
  nRedundant: number,
  nNoise: number,
  rng: Random,
): void {
  const nInf = informative.length;
  const base = i * d;
  for (let j = 0; j < nInf; j++) X[base + j] = informative[j]!;
  for (let r = 0; r < nRedundant; r++) {
    let v = 0;
    for (let k = 0; k < nInf; k++) v += informative[k]! * mixing[k * nRedundant + r]!;
    X[base + nInf + r] = v;
  }
  for (let k = 0; k < nNoise; k++) X[base + nInf + nRedundant + k] = rng.normal();
}

function randomMatrix(rng: Random, rows: number, cols: number): Float64Array {
  const m = new Float64Array(rows * cols);
  for (let i = 0; i < m.length; i++) m[i] = rng.uniform() * 2 - 1;
  return m;
}

/** Distinct random vertices of the hypercube [-1, 1]^d (with repeats only if d is tiny). */
function hypercubeVertices(rng: Random, count: number, d: number): Float64Array[] {
  const seen = new Set<string>();
  const out: Float64Array[] = [];
  for (let tries = 0; out.length < count; tries++) {
    const v = new Float64Array(d);
    for (let j = 0; j < d; j++) v[j] = rng.uniform() < 0.5 ? -1 : 1;
    const key = v.join(',');
    if (seen.has(key) && tries < 1000) continue;
    seen.add(key);
    out.push(v);
  }
  return out;
}
