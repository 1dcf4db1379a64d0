import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClusterReport } from '../../src/cli/commands/cluster.js';
import { ROOT, expectRefused, fixture, runCliAsync, tempDir } from '../helpers.js';

const WINE_FEATURES = readFileSync(fixture('wine.csv'), 'utf8').split('\n')[0]!.split(',').slice(0, 13).join(',');

/** The well-separated blobs of the k-means reference (300 rows, 4 blobs of 75) as a CSV, with a text column that is skipped. */
function blobsCsv(dir: string): string {
  const ref = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'reference', 'kmeans.json'), 'utf8')) as { sets: { blobs: { n: number; X: number[] } } };
  const { n, X } = ref.sets.blobs;
  const lines = ['x,y,note'];
  for (let i = 0; i < n; i++) lines.push(`${X[2 * i]},${X[2 * i + 1]},row number ${i} of many`);
  const path = join(dir, 'blobs.csv');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

async function clusterJson(...args: string[]): Promise<ClusterReport> {
  const r = await runCliAsync(['cluster', ...args, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as ClusterReport;
}

describe('hyperplane cluster', () => {
  it('chooses k = 4 by silhouette on four well-separated blobs, 75 rows each, and writes each row its cluster', async () => {
    const dir = tempDir();
    const data = blobsCsv(dir);
    const out = join(dir, 'assignments.csv');
    const r = await runCliAsync(['cluster', data, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/choosing k by silhouette/);
    expect(r.stdout).toMatch(/^\s+4\s+0\.\d{4}\s+\S+\s+◀$/m);
    expect(r.stdout).toMatch(/k = 4 \(the highest silhouette\)/);
    expect(r.stdout).toMatch(/skipped\s+note/);
    expect(r.stdout).toMatch(/^\s+size\s+300\s+75\s+75\s+75\s+75$/m);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('row,cluster');
    expect(lines).toHaveLength(301);
    expect(lines[1]).toMatch(/^1,[0-3]$/);

    const report = await clusterJson(data);
    expect(report.k).toBe(4);
    expect(report.chosenBy).toBe('silhouette');
    expect(report.tried!.map((t) => t.k)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(report.clusters.map((c) => c.size)).toEqual([75, 75, 75, 75]);
    // The --out file's clusters are the same clustering: 75 rows each.
    const counts = [0, 0, 0, 0];
    for (const line of lines.slice(1)) counts[Number(line.split(',')[1])]!++;
    expect(counts).toEqual([75, 75, 75, 75]);
  });

  it('wine.csv on its 13 measurements: k = 3 by silhouette, largest cluster first, centroids in the original units', async () => {
    const report = await clusterJson(fixture('wine.csv'), '--columns', WINE_FEATURES);
    expect(report.k).toBe(3);
    expect(report.rows).toBe(178);
    expect(report.clusters.map((c) => c.size)).toEqual([65, 62, 51]);
    expect(report.inertia).toBeGreaterThan(1270);
    expect(report.inertia).toBeLessThan(1278.8 * 1.01);
    expect(report.encoding.columns).toHaveLength(13);
    // Proline is in the hundreds: the centroid is in its units, not standardised.
    for (const c of report.clusters) expect(c.centroid['proline']).toBeGreaterThan(300);
    expect(report.centroids).toHaveLength(3);
    expect(report.centroids[0]).toHaveLength(13);
  });

  it('--k fits that many clusters; a categorical column shows its most common level; the same seed gives the same result', async () => {
    const a = await clusterJson(fixture('wine.csv'), '--k', '2', '--seed', '5');
    expect(a.k).toBe(2);
    expect(a.chosenBy).toBe('given');
    expect(a.tried).toBeUndefined();
    expect(a.clusters.reduce((s, c) => s + c.size, 0)).toBe(178);
    expect(a.silhouette).toBeGreaterThan(0);
    expect(a.encoding.columns.find((c) => c.name === 'cultivar')?.kind).toBe('categorical');
    for (const c of a.clusters) expect(['class_0', 'class_1', 'class_2']).toContain(c.levels['cultivar']);
    const b = await clusterJson(fixture('wine.csv'), '--k', '2', '--seed', '5');
    expect(b).toEqual(a);
  });

  it('above 5,000 rows, chooses k on a seeded sample of 5,000 and fits it on every row', async () => {
    const data = join(tempDir(), 'synth.csv');
    const made = await runCliAsync(['synth', '--task', 'binary', '--rows', '6000', '--features', '3', '--seed', '1', '--out', data]);
    expect(made.code, made.stderr).toBe(0);
    const report = await clusterJson(data);
    expect(report.chosenOnRows).toBe(5000);
    expect(report.rows).toBe(6000);
    expect(report.clusters.reduce((s, c) => s + c.size, 0)).toBe(6000);
    expect(report.tried!.map((t) => t.k)).toContain(report.k);
    expect(report.silhouette).toBeGreaterThan(0);
  }, 60_000);

  it('refuses a bad --k, an unknown column and data with nothing to cluster on, naming the flag or column', async () => {
    await expectRefused(['cluster', fixture('wine.csv'), '--k', '1'], /--k 1: expected a whole number, 2 or more/);
    await expectRefused(['cluster', fixture('wine.csv'), '--k', 'three'], /--k three/);
    await expectRefused(['cluster', fixture('wine.csv'), '--k', '179'], /--k 179: more than the 178 rows/);
    await expectRefused(['cluster', fixture('wine.csv'), '--columns', 'alcohol,sugar'], /--columns: no column 'sugar'/);
    const dir = tempDir();
    const text = join(dir, 'text.csv');
    writeFileSync(text, `id,comment\n${Array.from({ length: 30 }, (_, i) => `${i},said thing number ${i} at length`).join('\n')}\n`);
    await expectRefused(['cluster', text], /no usable columns to cluster on/);
    await expectRefused(['cluster', text, '--columns', 'comment'], /--columns: column 'comment' can't be clustered on/);
  });
});
