import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../../store/index.js';
import type { PredictionRecord } from '../../store/index.js';

/** The thread behind WorkerPredictionLog: inserts batches into its own connection to the store, in order. */
const { uri } = workerData as { uri: string };
const store = await openStore({ uri, repair: false, migrate: false });
let queue = Promise.resolve();
parentPort!.on('message', (message: { seq: number; batch: PredictionRecord[] } | { close: true }) => {
  if ('close' in message) {
    queue = queue.then(async () => {
      await store.close();
      process.exit(0);
    });
    return;
  }
  queue = queue.then(async () => {
    try {
      await store.predictions.insert(message.batch);
      parentPort!.postMessage({ seq: message.seq });
    } catch (e) {
      const error = e instanceof Error ? { name: e.name, message: e.message } : { name: 'Error', message: String(e) };
      parentPort!.postMessage({ seq: message.seq, error });
    }
  });
});
