import { describe, expect, it } from 'vitest';
import { confidenceOf, LabelQueue, pickForLabels, type LabelCandidate } from '../../src/monitor/label-queue.js';
import { Random } from '../../src/synth/random.js';

const candidate = (id: string, probabilities: Record<string, number>, input: unknown = {}): LabelCandidate => ({ id, input, probabilities });

describe('the label queue', () => {
  it('measures confidence and margin from class probabilities', () => {
    expect(confidenceOf({ a: 0.2, b: 0.5, c: 0.3 })).toEqual({ confidence: 0.5, margin: 0.2 });
    expect(confidenceOf({ only: 0.9 })).toEqual({ confidence: 0.9, margin: 0.9 });
    expect(confidenceOf({})).toEqual({ confidence: NaN, margin: NaN });
  });

  it('keeps, through its bounded heap, exactly what a full sort would pick, ties broken by id', () => {
    const rng = new Random(7);
    // Rounded to a few values, so that many tie.
    const all = Array.from({ length: 5000 }, (_, i) => {
      const p = Math.round(rng.uniform() * 20) / 20;
      return candidate(`c${String(rng.int(1e6)).padStart(6, '0')}-${i}`, { yes: p, no: 1 - p });
    });
    const sorted = [...all].sort((a, b) => confidenceOf(a.probabilities).confidence - confidenceOf(b.probabilities).confidence || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const n of [1, 7, 100, 4999]) expect(pickForLabels(all, n, 'uncertainty').map((p) => p.candidate.id)).toEqual(sorted.slice(0, n).map((c) => c.id));
    // The order the log is read in makes no difference.
    expect(pickForLabels([...all].reverse(), 100, 'uncertainty')).toEqual(pickForLabels(all, 100, 'uncertainty'));
  });

  it('takes all when there are fewer than n, and leaves out those without probabilities', () => {
    const queue = new LabelQueue(10, 'margin');
    queue.add(candidate('b', { x: 0.6, y: 0.4 }));
    queue.add(candidate('a', { x: 0.9, y: 0.1 }));
    queue.add(candidate('c', {}));
    expect(queue.picks().map((p) => [p.candidate.id, Math.round(p.score * 100) / 100])).toEqual([
      ['b', 0.2],
      ['a', 0.8],
    ]);
    expect([queue.seen, queue.unscored]).toEqual([3, 1]);
    expect(() => new LabelQueue(0, 'uncertainty')).toThrow(RangeError);
  });

  it('spreads diverse picks over numeric and categorical inputs, deterministically', () => {
    // A cluster of near-copies, most uncertain, and two rows apart from it: one by number, one by category.
    const rows = [
      ...Array.from({ length: 8 }, (_, i) => candidate(`k${i}`, { yes: 0.5 + i / 100, no: 0.5 - i / 100 }, { x: 1, kind: 'a' })),
      candidate('far-x', { yes: 0.6, no: 0.4 }, { x: 50, kind: 'a' }),
      candidate('far-kind', { yes: 0.61, no: 0.39 }, { x: 1, kind: 'b' }),
    ];
    expect(pickForLabels(rows, 3, 'diverse').map((p) => p.candidate.id)).toEqual(['k0', 'far-x', 'far-kind']);
    expect(pickForLabels(rows, 3, 'uncertainty').map((p) => p.candidate.id)).toEqual(['k0', 'k1', 'k2']);
    expect(pickForLabels([...rows].reverse(), 3, 'diverse')).toEqual(pickForLabels(rows, 3, 'diverse'));
  });
});
