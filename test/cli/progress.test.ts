import { describe, expect, it } from 'vitest';
import { describe as describeStep, etaSeconds, formatSeconds, progressReporter } from '../../src/cli/progress.js';

/** A stream that records what is written, as a terminal or as a pipe. */
function fakeStream(isTTY: boolean): { stream: { isTTY: boolean; columns: number; write: (s: string) => boolean }; writes: string[] } {
  const writes: string[] = [];
  return { stream: { isTTY, columns: 100, write: (s: string) => (writes.push(s), true) }, writes };
}

describe('ETA from the measured rate', () => {
  it('is unknown until some work in the step is done: no false "0s"', () => {
    const clock = { startedAt: 0, firstDone: 3, firstAt: 0 };
    expect(etaSeconds(clock, 3, 8, 0)).toBeUndefined();
    expect(etaSeconds(clock, 3, 8, 60_000)).toBeUndefined();
    const text = describeStep({ step: 'auto', detail: 'forest', done: 3, total: 8, unit: 'candidates' }, clock, 12_400);
    expect(text).toBe('auto: forest 3/8 candidates, 12.4 s');
    expect(text).not.toMatch(/0 ?s left|ETA 0/);
  });

  it('from a known rate: 2 of 10 done in 4 s leaves 8 at 2 s each', () => {
    const clock = { startedAt: 0, firstDone: 0, firstAt: 0 };
    expect(etaSeconds(clock, 2, 10, 4000)).toBeCloseTo(16, 9);
    expect(describeStep({ step: 'cross-validation', done: 2, total: 10, unit: 'folds' }, clock, 4000)).toBe('cross-validation 2/10 folds, 4.0 s, about 16.0 s left');
    // Capped by what is left of a time budget; nothing once done.
    expect(etaSeconds(clock, 2, 10, 4000, 5)).toBe(5);
    expect(etaSeconds(clock, 10, 10, 4000)).toBeUndefined();
  });

  it('formats long times in minutes and hours', () => {
    expect(formatSeconds(12.44)).toBe('12.4 s');
    expect(formatSeconds(185)).toBe('3 min 05 s');
    expect(formatSeconds(3720)).toBe('1 h 02 min');
  });
});

describe('the renderer', () => {
  it('on a terminal redraws one line and clears it at the end: nothing left behind', () => {
    let t = 0;
    const { stream, writes } = fakeStream(true);
    const p = progressReporter({ stream, quietMs: 0, timer: false, now: () => t });
    p.update({ step: 'auto', detail: 'baseline', done: 0, total: 4, unit: 'candidates' });
    t = 2000;
    p.update({ step: 'auto', detail: 'forest', done: 1, total: 4, unit: 'candidates' });
    expect(writes.at(-1)).toBe('\r\x1b[Kauto: forest 1/4 candidates, 2.0 s, about 6.0 s left');
    p.stop();
    // The final frame: back to the line's start, the line erased; no newline, no glyph, no bar.
    expect(writes.at(-1)).toBe('\r\x1b[K');
    p.stop();
    p.update({ step: 'late', done: 0, total: 1 });
    expect(writes.at(-1)).toBe('\r\x1b[K');
    for (const w of writes) expect(w).not.toMatch(/\n|ETA 0s/);
  });

  it('not on a terminal writes plain lines at starts and ends, at most one every few seconds within a step', () => {
    let t = 0;
    const { stream, writes } = fakeStream(false);
    const p = progressReporter({ stream, prefix: 'train: ', quietMs: 0, plainEveryMs: 5000, timer: false, now: () => t });
    p.update({ step: 'cross-validation', done: 0, total: 100, unit: 'folds' });
    for (let i = 1; i < 100; i++) {
      t = i * 100;
      p.update({ step: 'cross-validation', done: i, total: 100, unit: 'folds' });
    }
    t = 10_000;
    p.update({ step: 'cross-validation', done: 100, total: 100, unit: 'folds' });
    p.stop();
    expect(writes.every((w) => w.endsWith('\n') && !w.includes('\r') && !w.includes('\x1b'))).toBe(true);
    expect(writes[0]).toBe('train: cross-validation 0/100 folds, 0.0 s\n');
    expect(writes.at(-1)).toBe('train: cross-validation 100/100 folds, 10.0 s\n');
    expect(writes.length).toBeLessThanOrEqual(4);
  });

  it('stays silent for a run shorter than its quiet period', () => {
    let t = 0;
    const { stream, writes } = fakeStream(false);
    const p = progressReporter({ stream, quietMs: 1000, timer: false, now: () => t });
    p.update({ step: 'reading data', done: 0, total: 1 });
    t = 500;
    p.update({ step: 'fitting gbdt', done: 0, total: 1 });
    p.stop();
    expect(writes).toEqual([]);
  });
});
