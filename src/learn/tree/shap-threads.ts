import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FlatTree } from './tree.js';
import { explainRowRange, setParallelShap, type ShapJob } from './tree-shap.js';
import type { PathTables } from './tree-shap-tables.js';

/** Below this much work (rows × trees), a second thread costs more than it saves. */
const MIN_WORK = 50_000;

/** What the helper thread is sent: the job on shared memory, its rows, and where to say it is done. */
export interface ShapThreadMessage {
  trees: FlatTree[];
  outputs: number;
  init: Float64Array;
  scale: number;
  X: Float64Array | Float32Array;
  n: number;
  d: number;
  maxDepth: number;
  tables: (PathTables | undefined)[];
  start: number;
  end: number;
  values: Float64Array;
  margin: Float64Array;
  /** Set to 1 (and notified) when the rows are done, to 2 when they failed. */
  done: Int32Array;
}

let helper: Worker | undefined;
let broken = false;

/**
 * TreeSHAP on two threads for big jobs: a helper thread (started on the first, unref'd, kept) takes the
 * second half of the rows while this thread does the first, both writing into shared memory; this thread
 * then waits for it. Exactly the plain loop's numbers: each row is computed whole by one thread.
 */
function explainOnTwoThreads(job: ShapJob): { values: Float64Array; margin: Float64Array } | undefined {
  const { n, d } = job.X;
  if (broken || n < 2 || n * job.trees.length < MIN_WORK || availableParallelism() < 2) return undefined;
  const worker = helperThread();
  if (worker === undefined) return undefined;
  const values = new Float64Array(new SharedArrayBuffer(n * job.outputs * d * 8));
  const margin = new Float64Array(new SharedArrayBuffer(n * job.outputs * 8));
  const done = new Int32Array(new SharedArrayBuffer(4));
  const half = Math.floor(n / 2);
  const model = sharedModel(job);
  const message: ShapThreadMessage = { ...model, outputs: job.outputs, init: job.init, scale: job.scale, X: sharedCopy(job.X.data), n, d, maxDepth: job.maxDepth, start: half, end: n, values, margin, done };
  worker.postMessage(message);
  const t0 = performance.now();
  explainRowRange(job, 0, half, values, margin);
  // The helper's half takes about as long as ours; past many times that it is stuck or gone: do its rows here.
  const patience = Math.max(5_000, 20 * (performance.now() - t0));
  if (Atomics.wait(done, 0, 0, patience) === 'timed-out' || done[0] !== 1) {
    broken = true;
    void helper?.terminate();
    helper = undefined;
    explainRowRange(job, half, n, values, margin);
  }
  return { values, margin };
}

function helperThread(): Worker | undefined {
  if (helper !== undefined) return helper;
  const file = new URL('./shap-worker.js', import.meta.url);
  // Running from the TypeScript sources (tests) there is no compiled worker: the plain loop runs.
  if (!existsSync(fileURLToPath(file))) return undefined;
  helper = new Worker(file);
  helper.unref();
  helper.on('error', () => {
    broken = true;
    helper = undefined;
  });
  return helper;
}

function sharedCopy<T extends Float64Array | Float32Array | Int32Array | Uint8Array | Uint32Array>(a: T): T {
  const copy = new (a.constructor as new (b: SharedArrayBuffer) => T)(new SharedArrayBuffer(a.byteLength));
  copy.set(a as never);
  return copy;
}

const sharedModels = new WeakMap<readonly FlatTree[], { trees: FlatTree[]; tables: (PathTables | undefined)[] }>();

/** The job's trees and tables on shared memory, copied once per set of trees (a served model's are kept). */
function sharedModel(job: ShapJob): { trees: FlatTree[]; tables: (PathTables | undefined)[] } {
  let model = sharedModels.get(job.trees);
  if (model === undefined) {
    model = { trees: job.trees.map(shared), tables: job.tables.map((t) => (t === undefined ? undefined : sharedTables(t))) };
    sharedModels.set(job.trees, model);
  }
  return model;
}

function sharedTables(t: PathTables): PathTables {
  return { bit: sharedCopy(t.bit), pathStart: sharedCopy(t.pathStart), pathFeature: sharedCopy(t.pathFeature), ratio: sharedCopy(t.ratio), tableStart: sharedCopy(t.tableStart), table: sharedCopy(t.table) };
}

/** A tree on shared memory: posting it shares, not copies, its arrays. */
function shared(t: FlatTree): FlatTree {
  return {
    feature: sharedCopy(t.feature),
    threshold: sharedCopy(t.threshold),
    defaultLeft: sharedCopy(t.defaultLeft),
    left: sharedCopy(t.left),
    right: sharedCopy(t.right),
    leafValue: sharedCopy(t.leafValue),
    ...(t.isCategorical !== undefined ? { isCategorical: sharedCopy(t.isCategorical), catBits: sharedCopy(t.catBits!) } : {}),
    nodeCover: sharedCopy(t.nodeCover!),
    leafCover: sharedCopy(t.leafCover!),
  };
}

setParallelShap(explainOnTwoThreads);
