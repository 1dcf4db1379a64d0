import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli as runCli, fixture, tempDir } from '../helpers.js';

/** One CSV line's cells: a group of levels is quoted when it holds a comma. */
function cells(line: string): string[] {
  const out: string[] = [];
  const re = /("(?:[^"]|"")*"|[^,]*)(,|$)/g;
  for (;;) {
    const m = re.exec(line)!;
    out.push(m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replace(/""/g, '"') : m[1]!);
    // The last cell ends the line (an empty one too: a row with fewer reasons than columns).
    if (m[2] === '') return out;
  }
}

const REASON = /^(.+?) = (.+) \(−(\d+) points?\)$/;

describe('hyperplane predict --explain on a scorecard', () => {
  let model = '';
  beforeAll(async () => {
    const out = tempDir('hyperplane-predict-scorecard-');
    const t = await runCli(['train', fixture('credit_card.csv'), '--target', 'declined', '--learner', 'scorecard', '--no-track', '--out', out]);
    expect(t.code, t.stderr).toBe(0);
    model = join(out, 'model.hpkg');
  });

  it('writes the score, each characteristic\'s points (summing to it) and K reason codes in words, most points lost first', async () => {
    const r = await runCli(['predict', model, fixture('credit_card.csv'), '--explain', '2']);
    expect(r.code, r.stderr).toBe(0);
    const [header, ...lines] = r.stdout.trimEnd().split('\n');
    const names = cells(header!);
    const pointsAt = names.flatMap((n, j) => (n.startsWith('points_') ? [j] : []));
    expect(names.slice(0, 4)).toEqual(['prediction', 'proba_no', 'proba_yes', 'score']);
    expect(pointsAt.length).toBeGreaterThan(2);
    // Points right after the score, then exactly two reasons: nothing else.
    expect(pointsAt).toEqual(pointsAt.map((_, k) => 4 + k));
    expect(names.slice(4 + pointsAt.length)).toEqual(['reason_1', 'reason_2']);
    const characteristics = pointsAt.map((j) => names[j]!.slice('points_'.length));
    let withReasons = 0;
    for (const line of lines) {
      const row = cells(line);
      expect(Number(row[3])).toBe(pointsAt.reduce((s, j) => s + Number(row[j]), 0));
      expect(row).toHaveLength(names.length);
      const reasons = [row.at(-2)!, row.at(-1)!].filter((c) => c !== '');
      const lost = reasons.map((text) => {
        const m = REASON.exec(text);
        expect(m, text).not.toBeNull();
        expect(characteristics).toContain(m![1]);
        return Number(m![3]);
      });
      for (const l of lost) expect(l).toBeGreaterThan(0);
      expect(lost).toEqual([...lost].sort((a, b) => b - a));
      if (reasons.length > 0) withReasons++;
    }
    expect(withReasons).toBeGreaterThan(lines.length / 2);
  });

  it('gives at most four reasons for a larger K, one per characteristic for all, and refuses --interventional', async () => {
    const header = async (k: string): Promise<string[]> => {
      const r = await runCli(['predict', model, fixture('credit_card.csv'), '--explain', k]);
      expect(r.code, r.stderr).toBe(0);
      return cells(r.stdout.slice(0, r.stdout.indexOf('\n')));
    };
    const reasons = (names: string[]) => names.filter((n) => n.startsWith('reason_'));
    expect(reasons(await header('9'))).toEqual(['reason_1', 'reason_2', 'reason_3', 'reason_4']);
    const all = await header('all');
    expect(reasons(all)).toHaveLength(all.filter((n) => n.startsWith('points_')).length);
    const refused = await runCli(['predict', model, fixture('credit_card.csv'), '--explain', '2', '--interventional']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^hyperplane: error: --interventional .*scorecard/);
  });
});
