import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { predictionSchema } from '../../src/serve/schemas/responses.js';
import { creditRequests, registerPackage } from '../credit.js';
import { cli as runCli, fixture, serveOnFreePort, tempDir } from '../helpers.js';

interface CardAnswer {
  id: string;
  prediction: string;
  score: number;
  points: { characteristic: string; attribute: string; points: number }[];
  reasons: { characteristic: string; attribute: string; pointsLost: number }[];
}


/** What every scorecard answer must hold: the score its points add to, and its reasons drawn from them, most points lost first. */
function expectCard(answer: CardAnswer): void {
  expect(answer.points.length).toBeGreaterThan(0);
  expect(answer.score).toBe(answer.points.reduce((sum, p) => sum + p.points, 0));
  expect(answer.reasons.length).toBeLessThanOrEqual(4);
  const characteristics = answer.points.map((p) => p.characteristic);
  for (const r of answer.reasons) {
    expect(r.pointsLost).toBeGreaterThan(0);
    expect(characteristics).toContain(r.characteristic);
  }
  const lost = answer.reasons.map((r) => r.pointsLost);
  expect(lost).toEqual([...lost].sort((a, b) => b - a));
}

describe('a served scorecard', () => {
  it('answers every row, one or a batch, with its score, points and reason codes, and logs them with the answer', async () => {
    const dir = tempDir('hyperplane-serve-scorecard-');
    const env = { HYPERPLANE_STORE: `sqlite:${join(dir, 'hyperplane.db')}` };
    const out = join(dir, 'model');
    const train = await runCli(['train', fixture('credit_card.csv'), '--target', 'declined', '--learner', 'scorecard', '--no-track', '--out', out], { env });
    expect(train.code, train.stderr).toBe(0);
    // Registered as a finished run's model, as server.test.ts does for its untracked models.
    await registerPackage(env.HYPERPLANE_STORE, 'credit', join(out, 'model.hpkg'), 'production');

    const { server, address, exited, stderr } = await serveOnFreePort(dir, env);
    const rows = creditRequests();
    const post = async (body: unknown, query = ''): Promise<Record<string, unknown>> => {
      const r = await fetch(`${address}/v1/models/credit/predict${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(r.status, stderr()).toBe(200);
      return (await r.json()) as Record<string, unknown>;
    };
    // An applicant with two or more derogatory reports: one the card gives reasons for.
    const one = (await post(rows.find((r) => (r['reports'] as number) >= 2)!)) as unknown as CardAnswer;
    expectCard(one);
    expect(one.reasons.length).toBeGreaterThan(0);
    // The published answer, with no field it leaves out: strict, so a misnamed field fails.
    expect(predictionSchema.strict().safeParse(one).error).toBeUndefined();
    const batch = (await post({ rows: rows.slice(0, 3) })) as unknown as { predictions: CardAnswer[] };
    expect(batch.predictions).toHaveLength(3);
    for (const p of batch.predictions) expectCard(p);
    // ?explain= still gives contributions beside the card's fields.
    const explained = await post(rows[0]!, '?explain=2');
    expect(explained).toMatchObject({ score: expect.any(Number), explanation: { contributions: expect.any(Array) } });
    expect((explained['explanation'] as { contributions: unknown[] }).contributions).toHaveLength(2);

    server.kill('SIGTERM');
    expect(await exited).toBe(0);
    const logged = await runCli(['predictions', 'credit', '--json'], { env });
    expect(logged.code, logged.stderr).toBe(0);
    const byId = new Map((JSON.parse(logged.stdout) as { predictions: { id: string; response: Partial<CardAnswer> }[] }).predictions.map((p) => [p.id, p.response]));
    for (const answer of [one, ...batch.predictions]) {
      expect(byId.get(answer.id)).toMatchObject({ prediction: answer.prediction, score: answer.score, points: answer.points, reasons: answer.reasons });
    }
  }, 60_000);
});
