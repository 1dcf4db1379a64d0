import { parentPort, workerData } from 'node:worker_threads';
import { growForestTree, type ForestJob } from './forest-tree.js';

/** Grows the random-forest trees the main thread asks for, one message per tree. */
const job = workerData as ForestJob;
parentPort!.on('message', (message: { t: number; seed: number }) => {
  const result = growForestTree(job, message.seed);
  const { tree } = result;
  const transfer = [tree.feature, tree.threshold, tree.defaultLeft, tree.left, tree.right, tree.leafValue, result.splitCount, result.splitGain, result.inBag].map((a) => a.buffer as ArrayBuffer);
  parentPort!.postMessage({ t: message.t, result }, transfer);
});
