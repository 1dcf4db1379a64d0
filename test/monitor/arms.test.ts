import { describe, expect, it } from 'vitest';
import { monitor } from '../../src/monitor/monitor.js';
import { Random } from '../../src/synth/random.js';
import { answer, LABELS, reference, row, withOutcome } from './traffic.js';

const HOUR = 3_600_000;

describe('realized quality per deployment arm', () => {
  it('two arms of a split with different accuracy are measured apart, each counted against its own predictions', () => {
    const rng = new Random(3);
    // Two hours; a third of the traffic to credit/2, the rest to credit/1; a few with no arm (before the policy).
    const traffic = Array.from({ length: 1200 }, (_, i) => {
      const arm = i < 30 ? undefined : i % 3 === 0 ? 'credit/2' : 'credit/1';
      const p = answer(rng, `p${i}`, HOUR + i * 6000, row(rng, i), arm);
      // Every other answer gets an outcome: credit/1 is always right, credit/2 right one time in two.
      return i % 2 === 0 ? withOutcome(p, arm !== 'credit/2' || i % 4 === 0) : p;
    });
    const report = monitor(reference(), traffic, { model: 'credit', version: 1, since: 0, task: 'binary', labels: LABELS });
    const count = (arm: string | undefined, from = 0, to = 1200) => traffic.slice(from, to).filter((p) => p.arm === arm).length;
    const labelled = (arm: string | undefined, from = 0, to = 1200) => traffic.slice(from, to).filter((p) => p.arm === arm && p.feedback !== null).length;
    expect(report.arms!.map((a) => [a.arm, a.predictions, a.labelled])).toEqual([
      ['credit/1', count('credit/1'), labelled('credit/1')],
      ['credit/2', count('credit/2'), labelled('credit/2')],
    ]);
    expect(count('credit/1') + count('credit/2')).toBe(1170);
    const [one, two] = report.arms!;
    expect(one!.metrics['accuracy']).toBe(1);
    const right2 = traffic.filter((p) => p.arm === 'credit/2' && p.feedback !== null && p.feedback.outcome === (p.response as { prediction: string }).prediction).length;
    expect(two!.metrics['accuracy']).toBeCloseTo(right2 / labelled('credit/2'), 12);
    expect(two!.metrics['accuracy']).toBeCloseTo(0.5, 1);
    expect(two!.labelledShare).toBeCloseTo(labelled('credit/2') / count('credit/2'), 12);
    // Per window too: the first hour's 600 answers, then the second's.
    expect(report.quality.map((q) => q.arms!.map((a) => [a.arm, a.predictions, a.labelled]))).toEqual([0, 600].map((from) => ['credit/1', 'credit/2'].map((arm) => [arm, count(arm, from, from + 600), labelled(arm, from, from + 600)])));
    // The window's own figures cover every prediction, arm or not.
    expect(report.quality.map((q) => q.predictions)).toEqual([600, 600]);
  });

  it('no arm on any prediction: no per-arm figures', () => {
    const rng = new Random(4);
    const traffic = Array.from({ length: 100 }, (_, i) => withOutcome(answer(rng, `p${i}`, i * 1000, row(rng, i)), true));
    const report = monitor(reference(), traffic, { model: 'credit', version: 1, since: 0, task: 'binary', labels: LABELS });
    expect(report.arms).toBeUndefined();
    expect(report.quality[0]!.arms).toBeUndefined();
  });
});
