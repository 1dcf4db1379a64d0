import { describe, expect, it } from 'vitest';
import { groupHoldout } from '../../src/evaluate/splits.js';

/** 1,000 rows in 120 groups of uneven sizes (1 to 16 rows), interleaved as rows of customers come in. */
function unevenGroups(): Int32Array {
  const sizes = Array.from({ length: 120 }, (_, g) => 1 + ((g * 37) % 16));
  const rows: number[] = [];
  sizes.forEach((size, g) => {
    for (let r = 0; r < size; r++) rows.push(g);
  });
  // A fixed interleaving: rows of one group are not next to each other.
  const order = rows.map((g, i) => ({ g, key: (i * 7919) % rows.length })).sort((a, b) => a.key - b.key);
  return Int32Array.from(order, (o) => o.g);
}

const groupsOn = (groups: Int32Array, rows: Int32Array): Set<number> => new Set(Array.from(rows, (i) => groups[i]!));

describe('group holdout', () => {
  const groups = unevenGroups();

  it('puts no group on both sides, and covers every row once', () => {
    for (const seed of [0, 1, 2, 3, 4]) {
      const s = groupHoldout(groups, 0.2, seed);
      expect(s.train.length + s.test.length).toBe(groups.length);
      expect(new Set([...s.train, ...s.test]).size).toBe(groups.length);
      const test = groupsOn(groups, s.test);
      for (const g of groupsOn(groups, s.train)) expect(test.has(g)).toBe(false);
      expect(s.testGroups).toBe(test.size);
      expect(s.groups).toBe(120);
    }
  });

  it('holds out about the share of rows asked for', () => {
    for (const share of [0.1, 0.2, 0.3, 0.5]) {
      for (const seed of [0, 7, 42]) {
        const s = groupHoldout(groups, share, seed);
        // Within one largest group (16 rows) of the goal.
        expect(Math.abs(s.test.length - share * groups.length)).toBeLessThanOrEqual(16);
      }
    }
  });

  it('is the same for a seed, and differs between seeds', () => {
    const a = groupHoldout(groups, 0.2, 3);
    expect(Array.from(groupHoldout(groups, 0.2, 3).test)).toEqual(Array.from(a.test));
    expect(Array.from(groupHoldout(groups, 0.2, 4).test)).not.toEqual(Array.from(a.test));
  });

  it('keeps both sides non-empty when every group is big, and refuses a single group', () => {
    // Two groups of 50: a 10% share can only be met by one whole group.
    const two = Int32Array.from({ length: 100 }, (_, i) => (i < 50 ? 0 : 1));
    const s = groupHoldout(two, 0.1, 0);
    expect(s.test.length).toBe(50);
    expect(s.train.length).toBe(50);
    // Three groups, one huge: the small ones are held out, not the huge one.
    const skewed = Int32Array.from({ length: 100 }, (_, i) => (i < 90 ? 0 : i < 95 ? 1 : 2));
    for (const seed of [0, 1, 2, 3]) expect(groupsOn(skewed, groupHoldout(skewed, 0.1, seed).test).has(0)).toBe(false);
    expect(() => groupHoldout(new Int32Array(10), 0.2, 0)).toThrow(/needs at least 2 groups, found 1/);
    expect(() => groupHoldout(groups, 1.2, 0)).toThrow(/test share must be between 0 and 1/);
  });
});
