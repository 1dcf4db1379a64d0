import { describe, expect, it } from 'vitest';
import { cli, fixture } from '../helpers.js';

interface Summary {
  learner: string;
  test: Record<string, number>;
  leaderboard: { learner: string; params: Record<string, unknown>; score: number; note?: string; latencyUs?: number; bytes?: number }[];
}

/** The leaderboard as the search scored it, in a fixed order: what threads must not change. */
const scored = (s: Summary): string[] => s.leaderboard.map((e) => `${e.learner} ${JSON.stringify(e.params)} ${e.score} ${e.note ?? ''}`).sort();

describe("train: auto's candidates on worker threads", () => {
  it('scores every candidate as one thread does: the same leaderboard, model and test metrics, and each candidate measured', async () => {
    const run = (threads: string): Promise<Summary> =>
      cli(['train', fixture('wine.csv'), '--target', 'cultivar', '--threads', threads, '--no-track', '--json']).then((r) => {
        expect(r.code, r.stderr).toBe(0);
        return JSON.parse(r.stdout) as Summary;
      });
    const [one, two] = [await run('1'), await run('2')];
    expect(scored(two)).toEqual(scored(one));
    expect(two.learner).toBe(one.learner);
    expect(two.test).toEqual(one.test);
    // A model fitted on a thread comes back to be measured here: every scored candidate has its cost.
    for (const e of two.leaderboard.filter((x) => x.note === undefined)) {
      expect(e.latencyUs, e.learner).toBeGreaterThan(0);
      expect(e.bytes, e.learner).toBeGreaterThan(0);
    }
  });
});
