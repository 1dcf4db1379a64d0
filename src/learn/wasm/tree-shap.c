/*
 * Path-dependent TreeSHAP by tables for one row (the loop of TableShap.add in src/learn/tree/tree-shap-tables.ts,
 * whose comment derives it), compiled to WebAssembly by scripts/build-wasm.mjs into tree-shap-wasm.ts
 * (committed). In WebAssembly the loop runs ~2.5x faster than in JavaScript, with the same results to the bit:
 * the same operations in the same order (docs/benchmarks.md, "Explanations").
 *
 * Numeric splits only: tree-shap.ts keeps trees with categorical splits on the JavaScript loop.
 */
typedef struct {
  int nodes, leaves;
  const int *feature;
  const double *threshold;
  const int *defaultLeft, *left, *right, *bit, *pathStart, *pathFeature;
  const double *ratio;
  const int *tableStart;
  const double *table;
} Tree;

/*
 * Adds scale x each feature's contribution, for one row x (d doubles), from every tree into phi: tree t's
 * into phi[(t % outputs) * d + feature]. nodeMask and leafMask hold room for the largest tree.
 */
__attribute__((export_name("explainRow")))
void explainRow(const Tree *trees, int nTrees, int outputs, int d, const double *x, double *phi, double scale, int *nodeMask, int *leafMask) {
  for (int t = 0; t < nTrees; t++) {
    const Tree *tr = &trees[t];
    double *out = phi + (t % outputs) * d;
    /* Children come after their parent: one pass in node order gives each node its mask; the child the
       row does not take clears the split feature's bit. */
    nodeMask[0] = -1;
    for (int node = 0; node < tr->nodes; node++) {
      double v = x[tr->feature[node]];
      int goesLeft = v != v ? tr->defaultLeft[node] : (v <= tr->threshold[node]);
      int mask = nodeMask[node], b = 1 << tr->bit[node];
      int leftMask = mask & ~(b & (goesLeft - 1)), rightMask = mask & ~(b & -goesLeft);
      int l = tr->left[node], r = tr->right[node];
      if (l >= 0) nodeMask[l] = leftMask; else leafMask[~l] = leftMask;
      if (r >= 0) nodeMask[r] = rightMask; else leafMask[~r] = rightMask;
    }
    const int *pathStart = tr->pathStart, *pathFeature = tr->pathFeature;
    const double *ratio = tr->ratio;
    for (int leaf = 0; leaf < tr->leaves; leaf++) {
      int p0 = pathStart[leaf], n = pathStart[leaf + 1] - p0;
      int hot = leafMask[leaf] & ((1 << n) - 1);
      const double *table = tr->table + tr->tableStart[leaf];
      /* A feature the row follows adds ratio x v C(H without it); any other subtracts v C(H). */
      for (int k = 0; k < n; k++) {
        int h = (hot >> k) & 1;
        out[pathFeature[p0 + k]] += scale * table[hot ^ (h << k)] * (h * ratio[p0 + k] + h - 1);
      }
    }
  }
}
