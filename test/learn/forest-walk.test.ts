import { describe, expect, it } from 'vitest';
import { addForestScores, layoutForest } from '../../src/learn/tree/forest-layout.js';
import type { FlatTree } from '../../src/learn/tree/tree.js';
import { WasmForest } from '../../src/learn/wasm/forest.js';

/** A random tree of `splits` splits over d features: each split turns a random leaf into a node. */
function randomTree(splits: number, d: number, next: () => number): FlatTree {
  const feature: number[] = [];
  const threshold: number[] = [];
  const defaultLeft: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  let leaves = 1;
  // Leaf slots: [node, side] pairs pointing at leaf ~0 initially (the root is a leaf until the first split).
  const slots: [number, 'left' | 'right'][] = [];
  for (let s = 0; s < splits; s++) {
    const node = feature.length;
    feature.push(Math.floor(next() * d));
    threshold.push(next() * 2 - 1);
    defaultLeft.push(next() < 0.5 ? 1 : 0);
    if (s === 0) {
      left.push(~0);
      right.push(~1);
    } else {
      const [parent, side] = slots.splice(Math.floor(next() * slots.length), 1)[0]!;
      const leafIndex = ~(side === 'left' ? left[parent]! : right[parent]!);
      (side === 'left' ? left : right)[parent] = node;
      left.push(~leafIndex);
      right.push(~leaves);
    }
    if (s > 0) leaves++;
    else leaves = 2;
    slots.push([node, 'left'], [node, 'right']);
  }
  return {
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    defaultLeft: Uint8Array.from(defaultLeft),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    leafValue: Float64Array.from({ length: leaves }, () => next() * 10 - 5),
  };
}

describe('the packed WebAssembly forest walk', () => {
  it('adds the same leaf values as the JavaScript walk: missing values both ways, stumps, several outputs, ragged blocks', () => {
    let seed = 12345;
    const next = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const d = 7;
    for (const outputs of [1, 3]) {
      const trees = Array.from({ length: 12 * outputs }, (_, t) => randomTree(t % 5 === 0 ? 0 : 1 + Math.floor(next() * 40), d, next));
      const layout = layoutForest(trees, outputs);
      for (const n of [1, 3, 257, 1030]) {
        const X = Float64Array.from({ length: n * d }, () => (next() < 0.1 ? NaN : next() * 2 - 1));
        const expected = new Float64Array(n * outputs).fill(0.25);
        addForestScores(layout, X, n, d, expected);
        const actual = new Float64Array(n * outputs).fill(0.25);
        WasmForest.fromLayout(layout).addScores(X, n, d, actual);
        expect(Array.from(actual)).toEqual(Array.from(expected));
      }
    }
  });
});
