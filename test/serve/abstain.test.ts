import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MonitorReport } from '../../src/monitor/monitor.js';
import { measure } from '../../src/monitor/quality.js';
import { checkDeployment } from '../../src/serve/deployments.js';
import { Scored } from '../../src/serve/scored.js';
import type { ServedVersion } from '../../src/serve/served-models.js';
import type { PredictionWithFeedback } from '../../src/store/index.js';
import { creditRequests } from '../credit.js';
import { cli, fixture, serveOnFreePort, tempDir } from '../helpers.js';

/** The credit card data's true outcomes, row by row (creditRequests' order). */
function creditOutcomes(): string[] {
  return readFileSync(fixture('credit_card.csv'), 'utf8').trimEnd().split('\n').slice(1).map((line) => line.split(',')[0]!);
}

interface Answer {
  id: string;
  prediction: string;
  probabilities: Record<string, number>;
  abstained?: boolean;
  reason?: string;
}

describe('abstention: the policy schema', () => {
  it('takes abstainBelow in (0, 1] on every kind, and names policy.abstainBelow when it is wrong', () => {
    expect(checkDeployment('credit', { kind: 'fixed', ref: 'credit@production', abstainBelow: 0.7 }).spec).toEqual({ kind: 'fixed', ref: 'credit@production', abstainBelow: 0.7 });
    expect(checkDeployment('credit', { kind: 'split', arms: [{ ref: 'credit/1', weight: 1 }, { ref: 'credit/2', weight: 1 }], abstainBelow: 1 }).spec.abstainBelow).toBe(1);
    expect(checkDeployment('credit', { kind: 'shadow', ref: 'credit/1', shadow: 'credit/2', abstainBelow: 0.5 }).spec.abstainBelow).toBe(0.5);
    expect(checkDeployment('credit', { kind: 'bandit', arms: ['credit/1', 'credit/2'], abstainBelow: 0.6 }).spec.abstainBelow).toBe(0.6);
    // A policy stored before the option reads as it did.
    expect(checkDeployment('credit', { kind: 'fixed', ref: 'credit@production' }).spec).toEqual({ kind: 'fixed', ref: 'credit@production' });
    for (const bad of [0, -0.2, 1.5, '0.7', null, Number.NaN]) {
      expect(() => checkDeployment('credit', { kind: 'fixed', ref: 'credit@production', abstainBelow: bad })).toThrow(/field 'policy\.abstainBelow': expected a probability above 0 and at most 1/);
    }
  });

  it("realized quality leaves abstained answers out of the metrics but counts them as labelled", () => {
    const p = (id: string, prediction: string, yes: number, outcome: string, abstained: boolean): PredictionWithFeedback => ({
      id,
      model: 'credit',
      version: 1,
      timestamp: 0,
      request: {},
      response: { prediction, probabilities: { no: 1 - yes, yes }, ...(abstained ? { abstained: true, reason: 'r' } : {}) },
      latencyMs: 0,
      feedback: { id: 1, outcome, reward: null, timestamp: 1000 },
    });
    // Two confident answers, right; two abstained, wrong: accuracy 1 on the answers given.
    const q = measure([p('a', 'yes', 0.95, 'yes', false), p('b', 'no', 0.05, 'no', false), p('c', 'yes', 0.6, 'no', true), p('d', 'no', 0.45, 'yes', true)], 'binary', ['no', 'yes'], 0.5);
    expect(q.labelled).toBe(4);
    expect(q.abstained).toBe(2);
    expect(q.metrics['accuracy']).toBe(1);
    // With none abstained the result has no abstained field (what segments and arms print is unchanged).
    expect('abstained' in measure([p('a', 'yes', 0.95, 'yes', false)], 'binary', ['no', 'yes'], 0.5)).toBe(false);
  });
});

/** Just what Scored reads of a served version (as scored.test.ts makes it). */
function version(labels: string[] | undefined): ServedVersion {
  return { model: 'm', version: 1, pipeline: { spec: { target: { labels, task: labels === undefined ? 'regression' : labels.length === 2 ? 'binary' : 'multiclass' } } }, json: { labels: (labels ?? []).map((l) => JSON.stringify(l)), meta: ',"model":"m","version":1' } } as unknown as ServedVersion;
}

describe('abstention: answers and their log', () => {
  it("marks a row whose predicted class's probability is below the threshold, in the answer, the log and the other protocols' objects", () => {
    // Row 0: 'b' at 0.65; row 1: 'a' at 0.95; row 2: a decision threshold answered 'b' at 0.4 (its probability, not the top one, is what counts).
    const scored = new Scored(version(['a', 'b']), ['r0', 'r1', 'r2'], Int32Array.from([1, 0, 1]), Float64Array.from([0.35, 0.65, 0.95, 0.05, 0.6, 0.4]), [[], [], []], undefined, 0.7);
    expect(scored.abstentions).toBe(2);
    expect(JSON.parse(scored.outputJson(0))).toEqual({ prediction: 'b', probabilities: { a: 0.35, b: 0.65 }, abstained: true, reason: "the predicted class's probability 0.65 is below the deployment's threshold 0.7" });
    expect(scored.outputJson(1)).toBe('{"prediction":"a","probabilities":{"a":0.95,"b":0.05}}');
    expect(JSON.parse(scored.answerJson(2))).toMatchObject({ id: 'r2', abstained: true, reason: "the predicted class's probability 0.4 is below the deployment's threshold 0.7" });
    const objects = scored.answers();
    for (let i = 0; i < 3; i++) expect(JSON.parse(scored.answerJson(i))).toEqual(objects[i]);
    // A probability that rounds up to the threshold is shown whole.
    const close = new Scored(version(['a', 'b']), ['c'], Int32Array.from([0]), Float64Array.from([0.69999, 0.30001]), [[]], undefined, 0.7);
    expect(JSON.parse(close.outputJson(0)).reason).toBe("the predicted class's probability 0.69999 is below the deployment's threshold 0.7");
  });

  it('leaves a regression answer as it is (a version that moved under an abstaining deployment), and answers without a threshold byte for byte as before', () => {
    const regression = new Scored(version(undefined), ['a'], undefined, Float64Array.from([12.5]), [[]], undefined, 0.7);
    expect(regression.abstentions).toBe(0);
    expect(regression.abstained).toBeUndefined();
    expect(regression.answerJson(0)).toBe('{"id":"a","prediction":12.5}');
    const plain = new Scored(version(['a', 'b']), ['p'], Int32Array.from([1]), Float64Array.from([0.45, 0.55]), [[]]);
    expect(plain.abstained).toBeUndefined();
    expect(plain.answerJson(0)).toBe('{"id":"p","prediction":"b","probabilities":{"a":0.45,"b":0.55}}');
  });
});

describe('abstention end to end from the CLI', () => {
  it('deploy --abstain-below: refused for regression and bad values; serve answers below it abstained (with reason and probabilities), counts them in /metrics; monitor counts them and measures the answers given', async () => {
    const dir = tempDir('hyperplane-abstain-');
    const env = { HYPERPLANE_STORE: `sqlite:${join(dir, 'hyperplane.db')}` };
    const run = (args: readonly string[]) => cli(args, { env, cwd: dir });
    const [credit, mpg] = await Promise.all([
      run(['train', fixture('credit_card.csv'), '--target', 'declined', '--learner', 'logistic', '--json']),
      run(['train', fixture('cars.json'), '--target', 'Miles_per_Gallon', '--learner', 'linear', '--json']),
    ]);
    expect(credit.code, credit.stderr).toBe(0);
    expect(mpg.code, mpg.stderr).toBe(0);
    expect((await run(['models', 'register', JSON.parse(credit.stdout).run, '--name', 'credit', '--alias', 'production'])).code).toBe(0);
    expect((await run(['models', 'register', JSON.parse(mpg.stdout).run, '--name', 'mpg', '--alias', 'production'])).code).toBe(0);

    // Refused, exit 2, one line naming the flag and why; nothing stored.
    const refused = async (args: readonly string[], pattern: RegExp): Promise<void> => {
      const r = await run(args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^hyperplane: error: /);
      expect(r.stderr).toMatch(pattern);
    };
    await refused(['deploy', 'mpg', '--abstain-below', '0.7'], /--abstain-below 0\.7: 'mpg@production' is a regression model: its answers are values with no class probability to abstain on/);
    await refused(['deploy', 'credit', '--abstain-below', '1.5'], /--abstain-below 1\.5: expected a probability above 0 and at most 1/);
    await refused(['deploy', 'credit', '--abstain-below', '0'], /--abstain-below 0: expected a probability above 0/);
    await refused(['deploy', 'credit', '--abstain-below', 'high'], /--abstain-below high: expected a probability/);
    await refused(['deploy', 'credit', '--abstain-below', 'off'], /--abstain-below off: there is no deployment 'credit'/);
    expect((await run(['deploy'])).stdout).toMatch(/^no deployments/);

    // No deployment yet: it is made, NAME@production with the threshold; --policy alone keeps it; off removes it.
    const deployed = await run(['deploy', 'credit', '--abstain-below', '0.9']);
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(deployed.stdout).toBe('credit: {"kind":"fixed","ref":"credit@production","abstainBelow":0.9}\n');
    expect((await run(['deploy', 'credit', '--policy', 'fixed v1'])).stdout).toBe('credit: {"kind":"fixed","ref":"credit/1","abstainBelow":0.9}\n');
    expect((await run(['deploy', 'credit', '--abstain-below', 'off'])).stdout).toBe('credit: {"kind":"fixed","ref":"credit/1"}\n');
    expect((await run(['deploy', 'credit', '--policy', 'fixed', '--abstain-below', '0.9'])).stdout).toBe('credit: {"kind":"fixed","ref":"credit@production","abstainBelow":0.9}\n');
    expect((await run(['deploy'])).stdout).toBe('credit  {"kind":"fixed","ref":"credit@production","abstainBelow":0.9}  (abstains below 0.9)\n');

    const key = await run(['keys', 'create', 'abstain-admin', '--scope', 'admin']);
    expect(key.code, key.stderr).toBe(0);
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${key.stdout.trim()}` };
    const { server, address, exited, stderr } = await serveOnFreePort(dir, env);
    const rows = creditRequests().slice(0, 400);
    const outcomes = creditOutcomes().slice(0, 400);
    let predictions: Answer[];
    try {
      const post = (path: string, body: unknown, method = 'POST') => fetch(`${address}${path}`, { method, headers, body: JSON.stringify(body) });
      const answered = await post('/v1/models/credit/predict', { rows });
      expect(answered.status, stderr()).toBe(200);
      predictions = ((await answered.json()) as { predictions: Answer[] }).predictions;
      // Below the threshold: abstained with the reason, the prediction and probabilities as usual; above it: the answer as before.
      for (const p of predictions) {
        const top = p.probabilities[p.prediction]!;
        if (top < 0.9) {
          expect(p.abstained).toBe(true);
          expect(p.reason).toMatch(/^the predicted class's probability 0\.\d+ is below the deployment's threshold 0\.9$/);
        } else {
          expect(Object.keys(p)).toEqual(['id', 'prediction', 'probabilities']);
        }
      }
      const abstained = predictions.filter((p) => p.abstained === true);
      expect(abstained.length).toBeGreaterThan(10);
      expect(abstained.length).toBeLessThan(predictions.length - 10);
      // One row: the same marks, beside the answer's version and arm.
      const lone = rows[predictions.indexOf(abstained[0]!)]!;
      const one = (await (await post('/v1/models/credit/predict', lone)).json()) as Answer & { arm: string };
      expect(one).toMatchObject({ abstained: true, arm: 'credit@production', prediction: abstained[0]!.prediction });
      // Not through the deployment: no threshold.
      const direct = (await (await post('/v1/models/credit@production/predict', lone)).json()) as Answer;
      expect(direct.abstained).toBeUndefined();
      // The other protocols: an abstained tensor (v2), the marks beside the probabilities (MLflow).
      const infer = (await (await post('/v2/models/credit/infer', { inputs: Object.entries(lone).map(([name, v]) => ({ name, shape: [1], datatype: typeof v === 'number' ? 'FP64' : 'BYTES', data: [v] })) })).json()) as { outputs: { name: string; data: unknown[] }[] };
      expect(infer.outputs.find((o) => o.name === 'abstained')?.data).toEqual([true]);
      const mlflow = (await (await post('/invocations?model=credit', { dataframe_records: [lone] })).json()) as { predictions: Record<string, unknown>[] };
      expect(mlflow.predictions[0]).toMatchObject({ abstained: true });

      const metrics = await (await fetch(`${address}/metrics`)).text();
      expect(metrics).toContain(`hyperplane_abstentions_total{model="credit",version="1"} ${abstained.length + 3}`);

      // The API takes the same schema: a bad threshold names the field; a regression model is refused.
      const bad = await post('/v1/admin/deployments/credit', { policy: { kind: 'fixed', ref: 'credit@production', abstainBelow: 2 } }, 'PUT');
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { message: string }).message).toMatch(/field 'policy\.abstainBelow': expected a probability above 0 and at most 1/);
      const regression = await post('/v1/admin/deployments/mpg', { policy: { kind: 'fixed', ref: 'mpg@production', abstainBelow: 0.8 } }, 'PUT');
      expect(regression.status).toBe(400);
      expect(((await regression.json()) as { message: string }).message).toMatch(/field 'policy\.abstainBelow': 'mpg@production' is a regression model/);

      // Outcomes for the batch's answers.
      const fed = await post('/v1/feedback', predictions.map((p, i) => ({ id: p.id, outcome: outcomes[i] })));
      expect(fed.status).toBe(202);
      expect(((await fed.json()) as { accepted: number }).accepted).toBe(predictions.length);
    } finally {
      server.kill('SIGTERM');
    }
    expect(await exited).toBe(0);

    // Monitoring counts every abstention (the batch, the lone row, v2's and MLflow's) and measures the answers given.
    const report = JSON.parse((await run(['monitor', 'credit', '--since', '1h', '--json'])).stdout) as MonitorReport;
    const abstainedCount = predictions.filter((p) => p.abstained === true).length;
    expect(report.rows).toBe(predictions.length + 4);
    expect(report.abstained).toEqual({ predictions: abstainedCount + 3, share: (abstainedCount + 3) / report.rows });
    const window = report.quality.find((q) => q.labelled > 0)!;
    expect(window).toMatchObject({ predictions: report.rows, labelled: predictions.length, abstained: abstainedCount + 3, measured: predictions.length - abstainedCount });
    const given = predictions.map((p, i) => ({ p, outcome: outcomes[i] })).filter(({ p }) => p.abstained !== true);
    expect(window.metrics['accuracy']).toBeCloseTo(given.filter(({ p, outcome }) => p.prediction === outcome).length / given.length, 10);
    const text = await run(['monitor', 'credit', '--since', '1h']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`abstained: ${abstainedCount + 3} of ${report.rows} predictions`);
    expect(text.stdout).toContain('quality of the answers given, from outcomes sent back; abstentions left out');
  }, 60_000);
});
