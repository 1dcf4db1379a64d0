import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../store.js';
import { Shipper } from './shipper.js';
import type { ShipperThreadData, ShipperThreadMessage } from './shipper-handle.js';

/**
 * The thread behind ShipperThread: a Shipper with its own connection to the store, so SQLite's
 * synchronous inserts stay off the event loop that answers requests. It posts its stats after each
 * pass and answers `stop` by shipping what is closed once more, closing the store, and exiting.
 */
const data = workerData as ShipperThreadData;
const port = parentPort!;
const store = await openStore({ uri: data.uri, repair: false, migrate: false });
const shipper = new Shipper({
  root: data.root,
  log: store.predictions,
  ...(data.batchSize !== undefined ? { batchSize: data.batchSize } : {}),
  ...(data.pollMs !== undefined ? { pollMs: data.pollMs } : {}),
  onError: (message, error) => port.postMessage({ kind: 'error', message: error instanceof Error ? `${message}: ${error.message}` : message } satisfies ShipperThreadMessage),
});
const postStats = (): void => port.postMessage({ kind: 'stats', stats: shipper.stats() } satisfies ShipperThreadMessage);
const statsTimer = setInterval(postStats, data.pollMs ?? 200);
shipper.start();
port.on('message', (message: { stop: true; drain: boolean }) => {
  if (!message.stop) return;
  clearInterval(statsTimer);
  void (async () => {
    try {
      await shipper.stop(message.drain);
    } finally {
      postStats();
      await store.close();
      port.postMessage({ kind: 'stopped' } satisfies ShipperThreadMessage);
      port.close();
    }
  })();
});
postStats();
