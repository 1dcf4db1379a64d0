/**
 * Stratified k-fold assignment, the same as scikit-learn's StratifiedKFold(shuffle=False): classes are
 * taken in order of first appearance, the sorted labels are dealt round-robin to decide how many rows
 * of each class each fold gets, and each class's rows fill the folds in row order. Returns each row's
 * test fold. Matching scikit-learn exactly lets tests compare cross-validated choices one to one.
 */
export function stratifiedFolds(y: Float64Array, nFolds: number): Int32Array {
  const n = y.length;
  const order = new Map<number, number>();
  const encoded = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let e = order.get(y[i]!);
    if (e === undefined) {
      e = order.size;
      order.set(y[i]!, e);
    }
    encoded[i] = e;
  }
  // sklearn encodes by sorted label, then permutes to first-appearance order; the sort below must
  // follow the first-appearance codes, as its `y_order = np.sort(y_encoded)` does.
  const k = order.size;
  const sorted = Int32Array.from(encoded).sort();
  const allocation = Array.from({ length: nFolds }, () => new Int32Array(k));
  for (let i = 0; i < n; i++) allocation[i % nFolds]![sorted[i]!]!++;
  const folds = new Int32Array(n);
  const next = new Int32Array(k);
  const used = Array.from({ length: k }, () => new Int32Array(nFolds));
  for (let i = 0; i < n; i++) {
    const c = encoded[i]!;
    let f = next[c]!;
    while (f < nFolds && used[c]![f]! >= allocation[f]![c]!) f++;
    next[c] = f;
    used[c]![f]!++;
    folds[i] = f;
  }
  return folds;
}
