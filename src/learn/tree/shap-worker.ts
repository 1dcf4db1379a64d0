import { parentPort } from 'node:worker_threads';
import type { ShapThreadMessage } from './shap-threads.js';
import { explainRowRange } from './tree-shap.js';

// The helper thread of shap-threads.ts: explains the rows it is sent and says so through shared memory.
parentPort!.on('message', (m: ShapThreadMessage) => {
  try {
    explainRowRange({ trees: m.trees, outputs: m.outputs, init: m.init, scale: m.scale, X: { data: m.X, n: m.n, d: m.d }, maxDepth: m.maxDepth, tables: m.tables }, m.start, m.end, m.values, m.margin);
    Atomics.store(m.done, 0, 1);
  } catch {
    Atomics.store(m.done, 0, 2);
  }
  Atomics.notify(m.done, 0);
});
