import { describe, expect, it } from 'vitest';
import { Scored } from '../../src/serve/scored.js';
import type { ServedVersion } from '../../src/serve/served-models.js';

/** Just what Scored reads of a served version: its labels, their JSON, and its name and version. */
function version(labels: string[] | undefined): ServedVersion {
  return {
    model: 'm "quoted"',
    version: 3,
    pipeline: { spec: { target: { labels } } },
    json: { labels: (labels ?? []).map((l) => JSON.stringify(l)), meta: `,"model":${JSON.stringify('m "quoted"')},"version":3` },
  } as unknown as ServedVersion;
}

describe('answers written as JSON text', () => {
  it('parse back to the objects the protocols build, whatever the labels hold', () => {
    const labels = ['say "hi"', 'line\nbreak', 'back\\slash', 'é ✓'];
    const scores = Float64Array.from([0.1, 0.2, 0.3, 0.4, 1e-9, 0, 0.999999, 1 - 0.999999]);
    const scored = new Scored(version(labels), ['id-0', 'id-1'], Int32Array.from([3, 2]), scores, [[], ["unknown category 'x\"y' for 'f': scored as other"]]);
    const objects = scored.answers();
    for (let i = 0; i < 2; i++) {
      expect(JSON.parse(scored.answerJson(i))).toEqual(objects[i]);
      expect(JSON.parse(scored.outputJson(i))).toEqual({ prediction: objects[i]!.prediction, probabilities: objects[i]!.probabilities });
    }
    expect(objects[0]).toMatchObject({ id: 'id-0', prediction: 'é ✓', probabilities: { 'say "hi"': 0.1, 'back\\slash': 0.3 } });
    // The open form takes the version's meta after it, as the single-row answer does.
    expect(JSON.parse(`${scored.answerJson(1, true)}${scored.model.json.meta}}`)).toMatchObject({ id: 'id-1', model: 'm "quoted"', version: 3, notes: [expect.stringContaining('x"y')] });
  });

  it('give a regression its value, and a non-finite score as null rather than invalid JSON', () => {
    const scored = new Scored(version(undefined), ['a', 'b'], undefined, Float64Array.from([-12.5, NaN]), [[], []]);
    expect(JSON.parse(`[${scored.answerJson(0)},${scored.answerJson(1)}]`)).toEqual([
      { id: 'a', prediction: -12.5 },
      { id: 'b', prediction: null },
    ]);
  });

  it("put a scorecard's score, points and reasons in the answer and the log, before an explanation", () => {
    const card = { score: 612, points: [{ characteristic: 'income', attribute: '≤ 1.8', points: 40 }], reasons: [{ characteristic: 'income', attribute: '≤ 1.8', pointsLost: 178 }] };
    const text = `"score":612,"points":${JSON.stringify(card.points)},"reasons":${JSON.stringify(card.reasons)}`;
    const scored = new Scored(version(['no', 'yes']), ['a'], Int32Array.from([0]), Float64Array.from([0.9, 0.1]), [[]], [text]);
    scored.explanations = ['{"base":0}'];
    expect(JSON.parse(scored.answerJson(0))).toEqual({ id: 'a', prediction: 'no', probabilities: { no: 0.9, yes: 0.1 }, ...card, explanation: { base: 0 } });
    expect(JSON.parse(scored.outputJson(0))).toEqual({ prediction: 'no', probabilities: { no: 0.9, yes: 0.1 }, ...card, explanation: { base: 0 } });
    const batch = JSON.parse(scored.v1Json(true, undefined, 1)) as { predictions: unknown[] };
    expect(batch.predictions[0]).toMatchObject(card);
  });
});
