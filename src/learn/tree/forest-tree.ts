import { Random } from '../../synth/random.js';
import type { BinMapper } from './binning.js';
import { growDeepTree, type DeepTreeLimits } from './grow-deep.js';
import type { FlatTree } from './tree.js';

/** Everything one random-forest tree needs; the same on the main thread and in a worker. */
export interface ForestJob {
  bins: Uint8Array;
  n: number;
  d: number;
  mapper: BinMapper;
  y: Float64Array;
  /** Classes, when more than 2 (y holds codes); 0 otherwise. */
  classes: number;
  /** Sample weight × class weight per row. */
  base: Float64Array;
  bootstrap: boolean;
  limits: DeepTreeLimits;
}

export interface ForestTreeResult {
  tree: FlatTree;
  /** Multiclass: each leaf's class distribution (leaf l's at l × classes). */
  leafClasses?: Float64Array;
  splitCount: Float64Array;
  splitGain: Float64Array;
  /** 1 for rows drawn into this tree's bootstrap sample; the others score it out of bag. */
  inBag: Uint8Array;
}

/** Tree t's own random stream, so trees are the same whichever thread grows them and in what order. */
export function treeSeed(seed: number, t: number): number {
  return (Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(t + 1, 0x85ebca6b)) >>> 0;
}

export function growForestTree(job: ForestJob, seed: number): ForestTreeResult {
  const { n, base } = job;
  const rng = new Random(seed);
  const w = new Float64Array(n);
  if (job.bootstrap) for (let s = 0; s < n; s++) w[rng.int(n)]++;
  else w.fill(1);
  const rows = new Int32Array(n);
  const inBag = new Uint8Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) {
    w[i] *= base[i]!;
    if (w[i]! > 0) {
      rows[m++] = i;
      inBag[i] = 1;
    }
  }
  const grown = growDeepTree({ bins: job.bins, d: job.d, mapper: job.mapper, y: job.y, classes: job.classes, w, rows: rows.subarray(0, m), rng }, job.limits);
  return { ...grown, inBag };
}
