import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MonitorReport } from '../../src/monitor/monitor.js';
import { rocAuc } from '../../src/evaluate/metrics.js';
import { cli, fixture, serveOnFreePort, tempDir } from '../helpers.js';

/**
 * test/fixtures/data/anomaly.csv (test/fixtures/make_anomaly_fixtures.py): 2,000 rows, 40 marked is_anomaly = yes.
 * On the same split scikit-learn's IsolationForest scores an AUC of 0.987 and OneClassSVM(nu=0.05) 0.995
 * (test/fixtures/reference/anomaly.json, on the numeric columns).
 */
const DATA = fixture('anomaly.csv');
const reference = JSON.parse(readFileSync(join(fixture('..'), 'reference', 'anomaly.json'), 'utf8')) as { cases: { name: string; isolation_forest_auc: number; ocsvm_auc: number }[] };
const blobs = reference.cases.find((c) => c.name === 'blobs')!;

interface Summary {
  learner: string;
  target: { name: string; task: string; threshold: number; positive?: string };
  threshold: { value: number; how: string };
  test: { rows: number; flagged: number; metrics: Record<string, number>; labelled?: { rows: number; anomalies: number } };
  train: { metrics: Record<string, number> };
  leaderboard: { learner: string; auc: number }[];
  run: string;
}

describe('train --task anomaly, end to end from the CLI', () => {
  it('trains on the inputs alone, sets the threshold by contamination or by labels, measures AUC and precision at the threshold, and is served, logged and monitored like any model', async () => {
    const dir = tempDir('hyperplane-anomaly-');
    const env = { HYPERPLANE_STORE: `sqlite:${join(dir, 'hyperplane.db')}` };
    const run = (args: readonly string[]) => cli(args, { env, cwd: dir });
    const [labelled, unlabelled] = await Promise.all([
      run(['train', DATA, '--task', 'anomaly', '--target', 'is_anomaly', '--json', '--out', join(dir, 'labelled')]),
      run(['train', DATA, '--task', 'anomaly', '--learner', 'isolation_forest', '--contamination', '0.02', '--json', '--out', join(dir, 'plain')]),
    ]);
    expect(labelled.code, labelled.stderr).toBe(0);
    expect(unlabelled.code, unlabelled.stderr).toBe(0);
    const a = JSON.parse(labelled.stdout) as Summary;
    const b = JSON.parse(unlabelled.stdout) as Summary;

    // With labels: every anomaly learner ranked by AUC on the labelled training rows; the threshold the flags' best F1 there.
    expect(a.leaderboard.map((e) => e.learner).sort()).toEqual(['isolation_forest', 'one_class_svm']);
    expect(a.learner).toBe(a.leaderboard[0]!.learner);
    expect(a.target).toMatchObject({ name: 'is_anomaly', task: 'anomaly', positive: 'yes' });
    expect(a.threshold.how).toMatch(/best F1 .* 'is_anomaly' on the training rows/);
    // Measured on the 400 held-out rows (8 anomalies, stratified): ranked as well as scikit-learn's models rank them.
    expect(a.test.labelled).toEqual({ rows: 400, anomalies: 8 });
    expect(a.test.metrics['auc']).toBeGreaterThanOrEqual(Math.min(blobs.isolation_forest_auc, blobs.ocsvm_auc) - 0.02);
    expect(a.test.metrics['precision']).toBeGreaterThanOrEqual(0.7);
    expect(a.test.metrics['recall']).toBeGreaterThanOrEqual(0.6);
    console.log(`anomaly.csv: ${a.learner} test AUC ${a.test.metrics['auc']!.toFixed(4)} (scikit-learn IsolationForest ${blobs.isolation_forest_auc.toFixed(4)}, OneClassSVM ${blobs.ocsvm_auc.toFixed(4)}), precision at the threshold ${a.test.metrics['precision']!.toFixed(4)}, recall ${a.test.metrics['recall']!.toFixed(4)}`);

    // Without labels: contamination 2% flags 2% of the 1,600 training rows; the test rows only say what share is flagged.
    expect(b.learner).toBe('isolation_forest');
    expect(b.train.metrics['flagged_share']).toBeCloseTo(0.02, 2);
    expect(b.test.labelled).toBeUndefined();
    expect(Object.keys(b.test.metrics)).toEqual(['flagged_share']);

    // Batch prediction: a flag and the score per row; the flags are the scores at or above the packaged threshold.
    const predicted = await run(['predict', join(dir, 'labelled', 'model.hpkg'), DATA, '--out', join(dir, 'p.csv')]);
    expect(predicted.code, predicted.stderr).toBe(0);
    const lines = readFileSync(join(dir, 'p.csv'), 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('id,prediction,score');
    const rows = lines.slice(1).map((l) => l.split(','));
    for (const [, flag, score] of rows) expect(flag).toBe(Number(score) >= a.threshold.value ? 'anomaly' : 'normal');
    const truth = readFileSync(DATA, 'utf8').trimEnd().split('\n').slice(1).map((l) => (l.endsWith(',yes') ? 1 : 0));
    expect(rocAuc(truth, rows.map((r) => Number(r[2])))).toBeGreaterThan(0.98);
    // evaluate: the flags against the column that marked anomalies at training.
    const evaluated = await run(['evaluate', join(dir, 'labelled', 'model.hpkg'), DATA, '--json']);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(JSON.parse(evaluated.stdout)['auc']).toBeCloseTo(rocAuc(truth, rows.map((r) => Number(r[2]))), 10);
    const unlabelledEvaluate = await run(['evaluate', join(dir, 'plain', 'model.hpkg'), DATA]);
    expect(unlabelledEvaluate.code).toBe(2);
    expect(unlabelledEvaluate.stderr).toMatch(/trained without a column marking anomalies/);

    // A recorded run: reproduced from its settings, data and seed, metrics and model identical.
    const again = await run(['reproduce', a.run, '--json', '--no-track']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ identical: true, model: { match: true } });

    // Served: registered from its run, answered with the flag and the score, on /v1 and /v2; logged, and monitored.
    expect((await run(['models', 'register', a.run, '--name', 'fraud', '--alias', 'production'])).code).toBe(0);
    const { server, address, exited, stderr } = await serveOnFreePort(dir, env);
    const post = (path: string, body: unknown) => fetch(`${address}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    try {
      const normal = (await (await post('/v1/models/fraud/predict', { x1: 0.1, x2: 0.2, x3: 0, x4: 0.3, channel: 'web' })).json()) as { id: string; prediction: string; score: number };
      expect(normal.prediction, stderr()).toBe('normal');
      expect(normal.score).toBeLessThan(a.threshold.value);
      const batch = (await (await post('/v1/models/fraud/predict', { rows: [{ x1: 8, x2: -5, x3: 7, x4: -5, channel: 'phone' }, { x1: 4, x2: 3, x3: -2, x4: 1, channel: 'store' }] })).json()) as { predictions: { id: string; prediction: string; score: number }[] };
      expect(batch.predictions.map((p) => p.prediction)).toEqual(['anomaly', 'normal']);
      expect(batch.predictions[0]!.score).toBeGreaterThanOrEqual(a.threshold.value);
      const infer = (await (await post('/v2/models/fraud/infer', { inputs: [['x1', 8], ['x2', -5], ['x3', 7], ['x4', -5]].map(([name, v]) => ({ name, shape: [1], datatype: 'FP64', data: [v] })).concat([{ name: 'channel', shape: [1], datatype: 'BYTES', data: ['phone'] }]) })).json()) as { outputs: { name: string; datatype: string; data: unknown[] }[] };
      expect(infer.outputs.find((o) => o.name === 'prediction')).toMatchObject({ datatype: 'BYTES', data: ['anomaly'] });
      expect(infer.outputs.find((o) => o.name === 'score')?.data[0]).toBeCloseTo(batch.predictions[0]!.score, 12);
      // Traffic unlike the training rows: 60 rows far out, each flagged.
      const far = Array.from({ length: 60 }, (_, i) => ({ x1: 8 + (i % 5), x2: -5, x3: 7, x4: -5, channel: 'phone' }));
      const answered = (await (await post('/v1/models/fraud/predict', { rows: far })).json()) as { predictions: { id: string; prediction: string }[] };
      expect(answered.predictions.every((p) => p.prediction === 'anomaly')).toBe(true);
      // Outcomes: 'anomaly' or 'normal'. The lone row and the batch's second were normal, its first an anomaly; of the
      // 60 far rows 40 were anomalies and 20 not: 61 flagged, 41 of them anomalies, every anomaly flagged.
      const outcomes = [
        { id: normal.id, outcome: 'normal' },
        { id: batch.predictions[0]!.id, outcome: 'anomaly' },
        { id: batch.predictions[1]!.id, outcome: 'normal' },
        ...answered.predictions.map((p, i) => ({ id: p.id, outcome: i < 40 ? 'anomaly' : 'normal' })),
      ];
      const fed = await post('/v1/feedback', outcomes);
      expect(fed.status, await fed.clone().text()).toBe(202);
      const wrong = await post('/v1/feedback', { id: normal.id, outcome: 'yes' });
      expect(wrong.status).toBe(400);
      expect(await wrong.text()).toMatch(/unknown label 'yes'.*one of normal, anomaly/);
      const abstain = await fetch(`${address}/v1/admin/deployments/fraud`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ policy: { kind: 'fixed', ref: 'fraud@production', abstainBelow: 0.8 } }) });
      expect([400, 401]).toContain(abstain.status);
    } finally {
      server.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    // The log keeps each answer's flag and score; monitoring reads the scores' and the flags' drift from it.
    const report = JSON.parse((await run(['monitor', 'fraud', '--since', '1h', '--json'])).stdout) as MonitorReport & { prediction: { score: { missing?: { current: number } }; labels?: { statistic: number; drifted: boolean } } };
    expect(report.rows).toBe(64);
    // Realized quality from the outcomes: the flags' precision and recall, the scores' AUC.
    const quality = report.quality.find((q) => q.labelled > 0)!;
    expect(quality.labelled).toBe(63);
    expect(quality.metrics['precision']).toBeCloseTo(41 / 61, 10);
    expect(quality.metrics['recall']).toBe(1);
    expect(quality.metrics['auc']).toBeGreaterThan(0.5);
    const text = await run(['monitor', 'fraud', '--since', '1h']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/prediction score .*DRIFT/);
    expect(text.stdout).toMatch(/predicted label .*DRIFT/);
    expect(text.stdout).not.toMatch(/prediction score .*0\.0% → 100\.0%/);
    // What has no meaning for a score and a flag is refused, naming why.
    const queue = await run(['label-queue', 'fraud']);
    expect(queue.code).toBe(2);
    expect(queue.stderr).toMatch(/model 'fraud' flags anomalies by a score threshold: label-queue ranks predictions by their class probabilities/);
    const retrain = await run(['retrain', 'fraud@production', '--data', DATA]);
    expect(retrain.code).toBe(2);

    // Bad input: one line, exit 2, naming what is wrong.
    const refused = async (args: readonly string[], pattern: RegExp): Promise<void> => {
      const r = await run(args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
    };
    await refused(['train', DATA, '--task', 'anomaly', '--contamination', '0.7'], /--contamination 0\.7: expected the share of rows that are anomalies, above 0 and below 0\.5/);
    await refused(['train', DATA, '--task', 'anomaly', '--target', 'channel'], /column 'channel': marks anomalies with 3 distinct values \(web, store, phone\); expected two: normal and anomaly/);
    await refused(['train', DATA, '--task', 'anomaly', '--learner', 'gbdt'], /--learner gbdt learns a target; anomaly learners are auto, isolation_forest, one_class_svm/);
    await refused(['train', DATA, '--task', 'anomaly', '--cv', '5'], /--task anomaly learns no target: drop --cv/);
    await refused(['train', DATA, '--target', 'is_anomaly', '--learner', 'isolation_forest'], /--learner isolation_forest scores anomalies: add --task anomaly/);
    await refused(['train', DATA, '--target', 'is_anomaly', '--contamination', '0.1'], /--contamination is for --task anomaly/);
  });
});
