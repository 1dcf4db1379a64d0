import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Matrix } from '../../src/learn/contract.js';
import { assign, chooseK, fit, inertiaOf, orderBySize, sampleRows, silhouette, silhouettes } from '../../src/learn/cluster/kmeans.js';
import { ROOT } from '../helpers.js';

interface Reference {
  sklearn: string;
  sets: Record<string, { n: number; d: number; separated: boolean; X: number[]; fits: { k: number; inertia: number; labels: number[]; silhouette: number }[]; bestK: number }>;
}

const reference = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'reference', 'kmeans.json'), 'utf8')) as Reference;
const matrixOf = (name: string): Matrix => {
  const set = reference.sets[name]!;
  return { data: Float64Array.from(set.X), n: set.n, d: set.d };
};

/** The share of rows whose clusters agree under the best one-to-one relabelling (greedy on the contingency table, exact for these sizes when the clusterings agree). */
function agreement(a: ArrayLike<number>, b: ArrayLike<number>, k: number): number {
  const table = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < a.length; i++) table[a[i]!]![b[i]!]!++;
  const usedA = new Set<number>();
  const usedB = new Set<number>();
  let matched = 0;
  const cells = table.flatMap((row, i) => row.map((count, j) => ({ i, j, count }))).sort((x, y) => y.count - x.count);
  for (const { i, j, count } of cells) {
    if (usedA.has(i) || usedB.has(j)) continue;
    usedA.add(i);
    usedB.add(j);
    matched += count;
  }
  return matched / a.length;
}

describe('k-means against scikit-learn KMeans(n_init=10, random_state=0)', () => {
  for (const [name, set] of Object.entries(reference.sets)) {
    for (const ref of set.fits) {
      it(`${name}, k = ${ref.k}: inertia within 1%${set.separated && ref.k <= set.bestK ? ', and the same clusters up to relabelling' : ''}`, () => {
        const X = matrixOf(name);
        const result = fit(X, { k: ref.k, nInit: 10, seed: 0 });
        expect(result.inertia / ref.inertia - 1).toBeLessThan(0.01);
        expect(result.inertia).toBeCloseTo(inertiaOf(X, result.centroids, result.labels), 6);
        expect(result.converged).toBe(true);
        if (set.separated && ref.k <= set.bestK) expect(agreement(result.labels, ref.labels, ref.k)).toBe(1);
      });
    }
  }

  it('the silhouette equals scikit-learn silhouette_score on its own labels, to 1e-9', () => {
    for (const [name, set] of Object.entries(reference.sets)) {
      const X = matrixOf(name);
      const scores = silhouettes(X, set.fits.map((f) => Int32Array.from(f.labels)));
      set.fits.forEach((f, i) => {
        expect(Math.abs(scores[i]! - f.silhouette), `${name} k=${f.k}`).toBeLessThan(1e-9);
        expect(Math.abs(silhouette(X, Int32Array.from(f.labels)) - f.silhouette)).toBeLessThan(1e-9);
      });
    }
  });

  it("chooseK picks scikit-learn's best k by silhouette on the blobs (2..10)", () => {
    const set = reference.sets['blobs']!;
    const choice = chooseK(matrixOf('blobs'), { seed: 0 });
    expect(choice.k).toBe(set.bestK);
    expect(choice.tried.map((t) => t.k)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // Each k's silhouette close to scikit-learn's (the clusterings can differ a little past the true k).
    for (const t of choice.tried) expect(Math.abs(t.silhouette - set.fits.find((f) => f.k === t.k)!.silhouette)).toBeLessThan(0.05);
    expect(agreement(choice.fit.labels, set.fits.find((f) => f.k === set.bestK)!.labels, set.bestK)).toBe(1);
  });
});

describe('k-means mechanics', () => {
  const X = matrixOf('overlapping');

  it('is deterministic for a seed, and assign() gives the fitted labels back', () => {
    const a = fit(X, { k: 5, seed: 7 });
    const b = fit(X, { k: 5, seed: 7 });
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(Array.from(a.centroids)).toEqual(Array.from(b.centroids));
    expect(Array.from(assign(a.centroids, X))).toEqual(Array.from(a.labels));
  });

  it('more runs never give a higher inertia than the best of fewer with the same seed', () => {
    expect(fit(X, { k: 8, nInit: 10, seed: 3 }).inertia).toBeLessThanOrEqual(fit(X, { k: 8, nInit: 1, seed: 3 }).inertia);
  });

  it('k = n puts every row in its own cluster; k = the distinct rows puts each distinct row in one', () => {
    const dup: Matrix = { data: Float64Array.from([0, 0, 0, 0, 0, 0, 1, 1, 5, 5, 9, 9]), n: 6, d: 2 };
    const result = fit(dup, { k: 4, seed: 0 });
    expect(result.inertia).toBe(0);
    const sizes = new Array<number>(4).fill(0);
    for (const l of result.labels) sizes[l]!++;
    expect(sizes.every((s) => s > 0)).toBe(true);
    const all = fit({ data: Float64Array.from([1, 2, 3, 10]), n: 4, d: 1 }, { k: 4 });
    expect(all.inertia).toBe(0);
  });

  it('refuses k out of range', () => {
    expect(() => fit(X, { k: 0 })).toThrow(/k must be/);
    expect(() => fit(X, { k: X.n + 1 })).toThrow(/more than the/);
  });

  it('orderBySize numbers clusters largest first, keeping each centroid with its rows', () => {
    const ordered = orderBySize(fit(X, { k: 3, seed: 0 }));
    const sizes = [0, 0, 0];
    for (const l of ordered.labels) sizes[l]!++;
    expect(sizes[0]).toBeGreaterThanOrEqual(sizes[1]!);
    expect(sizes[1]).toBeGreaterThanOrEqual(sizes[2]!);
    expect(Array.from(assign(ordered.centroids, X))).toEqual(Array.from(ordered.labels));
  });

  it('the silhouette of a sample is seeded, and equals the exact one when the sample is every row', () => {
    const labels = fit(X, { k: 3, seed: 0 }).labels;
    const exact = silhouette(X, labels);
    expect(silhouette(X, labels, { maxRows: X.n })).toBe(exact);
    const s1 = silhouette(X, labels, { maxRows: 200, seed: 1 });
    expect(silhouette(X, labels, { maxRows: 200, seed: 1 })).toBe(s1);
    expect(Math.abs(s1 - exact)).toBeLessThan(0.05);
    const rows = sampleRows(100, 10, 4);
    expect(new Set(rows).size).toBe(10);
  });
});
