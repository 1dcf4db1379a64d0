// Node's accelerators around the predict-time code (worker threads for big batches of TreeSHAP and packing),
// registered on import through tree-shap.ts's and pack.ts's hooks. Node's entry points import this; the
// node-free predict path (src/predict/) does not, and runs the same code on one thread.
import './tree/shap-threads.js';
import './tree/pack-threads.js';
