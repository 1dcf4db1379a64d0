import type { FlatTree } from './tree.js';

/** Where a new node or leaf hangs: its parent node and side, or parent −1 for the root. */
export interface Slot {
  parent: number;
  side: 0 | 1;
}

/**
 * Collects a tree's nodes and leaves as they are grown, in any order, and lays them out flat.
 * Every grower (boosting, forests, isolation) builds through this, so the layout is defined once.
 */
export class TreeBuilder {
  private readonly feature: number[] = [];
  private readonly threshold: number[] = [];
  private readonly defaultLeft: number[] = [];
  private readonly left: number[] = [];
  private readonly right: number[] = [];
  private readonly leafValue: number[] = [];
  private readonly isCategorical: number[] = [];
  private readonly catBits: number[] = [];
  private readonly nodeCover: number[] = [];
  private readonly leafCover: number[] = [];

  /**
   * A split on `feature`: x ≤ threshold goes left, or, with `categories`, codes in the set go left.
   * `cover` is the (weighted) count of training rows reaching it, which TreeSHAP weighs branches by.
   * Returns its node number.
   */
  addSplit(slot: Slot, feature: number, threshold: number, missingLeft: boolean, cover: number, categories?: Uint32Array): number {
    const node = this.feature.length;
    this.nodeCover.push(cover);
    this.feature.push(feature);
    this.threshold.push(threshold);
    this.defaultLeft.push(missingLeft ? 1 : 0);
    this.left.push(0);
    this.right.push(0);
    this.isCategorical.push(categories !== undefined ? 1 : 0);
    for (let w = 0; w < 8; w++) this.catBits.push(categories?.[w] ?? 0);
    this.attach(slot, node);
    return node;
  }

  /** A leaf holding `value`, reached by `cover` (weighted) training rows. Returns its leaf number. */
  addLeaf(slot: Slot, value: number, cover: number): number {
    const leaf = this.leafValue.length;
    this.leafValue.push(value);
    this.leafCover.push(cover);
    this.attach(slot, ~leaf);
    return leaf;
  }

  private attach(slot: Slot, child: number): void {
    if (slot.parent >= 0) (slot.side === 0 ? this.left : this.right)[slot.parent] = child;
  }

  build(): FlatTree {
    return {
      feature: Int32Array.from(this.feature),
      threshold: Float64Array.from(this.threshold),
      defaultLeft: Uint8Array.from(this.defaultLeft),
      left: Int32Array.from(this.left),
      right: Int32Array.from(this.right),
      leafValue: Float64Array.from(this.leafValue),
      nodeCover: Float64Array.from(this.nodeCover),
      leafCover: Float64Array.from(this.leafCover),
      ...(this.isCategorical.includes(1) ? { isCategorical: Uint8Array.from(this.isCategorical), catBits: Uint32Array.from(this.catBits) } : {}),
    };
  }
}
