import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, fixture, serveOnFreePort, tempDir } from '../helpers.js';

/** test/fixtures/data/anomaly.csv: two Gaussian clusters of 1,960 rows and 40 scattered rows marked is_anomaly = yes. */
const DATA = fixture('anomaly.csv');
const rows = readFileSync(DATA, 'utf8').trimEnd().split('\n').slice(1).map((l) => l.split(','));

interface Summary {
  k: number;
  chosenBy: string;
  tried: { k: number; silhouette: number }[];
  silhouette: number;
  clusters: { cluster: number; rows: number; share: number }[];
  run: string;
}

describe('train --task cluster: a clustering served like any model', () => {
  it('chooses k by silhouette, answers each row with its cluster in batch and on the server, and monitor sees traffic move between clusters', async () => {
    const dir = tempDir('hyperplane-cluster-model-');
    const env = { HYPERPLANE_STORE: `sqlite:${join(dir, 'hyperplane.db')}` };
    const run = (args: readonly string[]) => cli(args, { env, cwd: dir });
    const [chosen, given] = await Promise.all([run(['train', DATA, '--task', 'cluster', '--json', '--out', join(dir, 'chosen')]), run(['train', DATA, '--task', 'cluster', '--k', '2', '--json', '--no-track'])]);
    expect(chosen.code, chosen.stderr).toBe(0);
    expect(given.code, given.stderr).toBe(0);
    const a = JSON.parse(chosen.stdout) as Summary;
    // The best silhouette among 2…10 is the data's structure: the two clusters, and the 40 marked rows apart (their is_anomaly level).
    expect(a.chosenBy).toBe('silhouette');
    expect(a.tried.map((t) => t.k)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(a.k).toBe(3);
    expect(a.silhouette).toBe(Math.max(...a.tried.map((t) => t.silhouette)));
    expect(a.clusters.map((c) => c.rows).sort((x, y) => y - x)).toEqual(a.clusters.map((c) => c.rows));
    expect(a.clusters.reduce((s, c) => s + c.rows, 0)).toBe(2000);
    expect(a.clusters[2]!.rows).toBe(40);
    expect(JSON.parse(given.stdout).k).toBe(2);

    // Batch: each row's cluster; the 40 marked rows are cluster 2, and the sizes are the training sizes.
    const predicted = await run(['predict', join(dir, 'chosen', 'model.hpkg'), DATA, '--out', join(dir, 'p.csv')]);
    expect(predicted.code, predicted.stderr).toBe(0);
    const out = readFileSync(join(dir, 'p.csv'), 'utf8').trimEnd().split('\n');
    expect(out[0]).toBe('id,prediction');
    const clusters = out.slice(1).map((l) => Number(l.split(',')[1]));
    expect(clusters.map((c, i) => (c === 2) === (rows[i]![6] === 'yes')).every(Boolean)).toBe(true);
    for (const c of a.clusters) expect(clusters.filter((x) => x === c.cluster).length).toBe(c.rows);

    const again = await run(['reproduce', a.run, '--json', '--no-track']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ identical: true, model: { match: true } });

    // Served: a row is answered with its cluster; traffic from one cluster only shows as the clusters' shares drifting.
    expect((await run(['models', 'register', a.run, '--name', 'segments', '--alias', 'production'])).code).toBe(0);
    const { server, address, exited, stderr } = await serveOnFreePort(dir, env);
    try {
      const post = (body: unknown) => fetch(`${address}/v1/models/segments/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const first = rows[0]!;
      const one = (await (await post({ x1: Number(first[1]), x2: Number(first[2]), x3: Number(first[3]), x4: Number(first[4]), channel: first[5], is_anomaly: first[6] })).json()) as { prediction: number };
      expect(one.prediction, stderr()).toBe(clusters[0]);
      const same = rows.filter((_, i) => clusters[i] === clusters[0]).slice(0, 60).map((r) => ({ x1: Number(r[1]), x2: Number(r[2]), x3: Number(r[3]), x4: Number(r[4]), channel: r[5], is_anomaly: r[6] }));
      const batch = (await (await post({ rows: same })).json()) as { predictions: { prediction: number }[] };
      expect(batch.predictions.every((p) => p.prediction === clusters[0])).toBe(true);
      const abstain = await fetch(`${address}/v1/admin/deployments/segments`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ policy: { kind: 'fixed', ref: 'segments@production', abstainBelow: 0.8 } }) });
      expect([400, 401]).toContain(abstain.status);
    } finally {
      server.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    const report = await run(['monitor', 'segments', '--since', '1h']);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/61 predictions/);
    expect(report.stdout).toMatch(/predicted label .*DRIFT/);

    // Bad input: one line, exit 2.
    const dup = join(dir, 'dup.csv');
    writeFileSync(dup, 'a,b\n1,x\n1,x\n1,x\n2,y\n');
    for (const [args, pattern] of [
      [['train', dup, '--task', 'cluster', '--k', '3'], /--k 3: the rows have 2 distinct encodings, fewer than the clusters asked/],
      [['train', dup, '--task', 'cluster'], /choosing k by silhouette needs at least 3 distinct rows; these have 2 \(give --k\)/],
      [['train', DATA, '--task', 'cluster', '--k', '0'], /--k 0: expected a whole number of clusters, 1 or more/],
      [['train', DATA, '--task', 'cluster', '--target', 'is_anomaly'], /--task cluster clusters every row, on every input: drop --target/],
      [['train', DATA, '--target', 'is_anomaly', '--k', '3'], /--k is for --task cluster/],
    ] as const) {
      const r = await run(args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
    }
    const deploy = await run(['deploy', 'segments', '--abstain-below', '0.7']);
    expect(deploy.code).toBe(2);
    expect(deploy.stderr).toMatch(/is a clustering: its answers are clusters, with no class probability to abstain on/);
  });
});
