import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../../store/index.js';
import { unpackBatch, type PackedBatch } from './packed-batch.js';

/** The thread behind WorkerPredictionLog: inserts batches into its own connection to the store, in order. */
const { uri, nice } = workerData as { uri: string; nice?: number };
// Background work: below the threads answering requests, so on a busy machine the log waits (it is
// batched and buffered) rather than the answers. On Linux this sets the calling thread's own priority.
if (nice !== undefined) {
  try {
    setPriority(nice);
  } catch {
    // Not permitted here: the thread keeps the process's priority.
  }
}
const store = await openStore({ uri, repair: false, migrate: false });
let queue = Promise.resolve();
parentPort!.on('message', (message: { seq: number; packed: PackedBatch } | { close: true }) => {
  if ('close' in message) {
    queue = queue.then(async () => {
      await store.close();
      process.exit(0);
    });
    return;
  }
  queue = queue.then(async () => {
    try {
      await store.predictions.insert(unpackBatch(message.packed));
      parentPort!.postMessage({ seq: message.seq });
    } catch (e) {
      const error = e instanceof Error ? { name: e.name, message: e.message } : { name: 'Error', message: String(e) };
      parentPort!.postMessage({ seq: message.seq, error });
    }
  });
});
