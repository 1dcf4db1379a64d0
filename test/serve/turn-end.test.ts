import { describe, expect, it } from 'vitest';
import { TurnEnd } from '../../src/serve/turn-end.js';

describe('TurnEnd', () => {
  it('runs the tasks of a turn together, in order, after the turn\'s other work; a failing task does not stop the rest', async () => {
    const seen: string[] = [];
    const errors: unknown[] = [];
    const turnEnd = new TurnEnd((e) => errors.push(e));
    turnEnd.later(() => seen.push('a'));
    turnEnd.later(() => {
      throw new Error('b failed');
    });
    turnEnd.later(() => seen.push('c'));
    seen.push('same turn');
    await Promise.resolve();
    seen.push('microtask');
    expect(seen).toEqual(['same turn', 'microtask']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['same turn', 'microtask', 'a', 'c']);
    expect(errors).toEqual([new Error('b failed')]);
    // A later turn's tasks run in a turn of their own.
    turnEnd.later(() => seen.push('d'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen.at(-1)).toBe('d');
  });
});
