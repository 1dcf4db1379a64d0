import type { FlatTree } from '../learn/tree/tree.js';
import type { GraphBuilder } from './graph.js';

/**
 * Categorical splits as plain ones: a node that sends a set of category codes left tests a 0/1 feature,
 * the code's membership in that set, made here with one Gather from a table per feature (exact, and
 * linear in the number of distinct sets).
 */

/** A categorical split's test as a 0/1 feature: the node's left set, for one category-code feature. */
export interface CategorySet {
  feature: number;
  bits: Uint32Array;
  column: number;
}

/**
 * The distinct (feature, left set) pairs of the categorical splits, grouped by feature (the order the
 * membership columns are concatenated in), each given a column after X's d.
 */
export function categorySets(trees: readonly FlatTree[], d: number): CategorySet[] {
  const byKey = new Map<string, CategorySet>();
  for (const t of trees) {
    if (t.isCategorical === undefined) continue;
    for (let i = 0; i < t.feature.length; i++) {
      if (t.isCategorical[i] !== 1) continue;
      const bits = t.catBits!.slice(i * 8, i * 8 + 8);
      const key = setKey(t.feature[i]!, bits);
      if (!byKey.has(key)) byKey.set(key, { feature: t.feature[i]!, bits, column: -1 });
    }
  }
  const firstSeen = [...new Set([...byKey.values()].map((s) => s.feature))];
  const sets = firstSeen.flatMap((f) => [...byKey.values()].filter((s) => s.feature === f));
  sets.forEach((s, j) => (s.column = d + j));
  return sets;
}

export const setKey = (feature: number, bits: Uint32Array): string => `${feature}:${bits.join(',')}`;

/**
 * Each set's membership as 0/1 columns, as categoryGoesLeft decides it: the code floored, codes from 254
 * up sharing bit 254, missing or negative codes in no set (row 255 of the table, all 0). One Gather per
 * feature from a 256 × sets table: linear in the number of splits.
 */
export function membership(g: GraphBuilder, X: string, sets: readonly CategorySet[]): string[] {
  const byFeature = new Map<number, CategorySet[]>();
  for (const s of sets) byFeature.set(s.feature, [...(byFeature.get(s.feature) ?? []), s]);
  const out: string[] = [];
  for (const [feature, group] of byFeature) {
    const x = g.op('Gather', [X, g.int64s([feature])], { axis: { int: 1 } }, { name: `category_feature_${feature}` });
    const outside = g.op('Not', [g.op('GreaterOrEqual', [x, g.doubles([0], [])])]);
    const code = g.op('Min', [g.op('Floor', [x]), g.doubles([254], [])]);
    const row = g.cast(g.op('Where', [outside, g.doubles([255], []), code]), 'int64');
    const table = new Float64Array(256 * group.length);
    group.forEach((s, j) => {
      for (let c = 0; c <= 254; c++) if (((s.bits[c >> 5]! >>> (c & 31)) & 1) === 1) table[c * group.length + j] = 1;
    });
    // row is [N, 1]: the gather gives [N, 1, sets], flattened to [N, sets].
    const gathered = g.op('Gather', [g.doubles(table, [256, group.length], `category_sets_${feature}`), row], { axis: { int: 0 } });
    out.push(g.op('Flatten', [gathered], { axis: { int: 1 } }, { name: `category_member_${feature}` }));
  }
  return out;
}
