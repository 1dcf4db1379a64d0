import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { openStore, type Store } from '../store.js';
import { sweep, type RetentionStats } from './retention.js';
import { Shipper, type ShipFold } from './shipper.js';
import type { ShipperThreadData, ShipperThreadMessage } from './shipper-handle.js';

/**
 * The thread behind ShipperThread: a Shipper with its own connection to the store, so SQLite's
 * synchronous inserts stay off the event loop that answers requests. It posts its stats after each
 * pass and answers `stop` by shipping what is closed once more, closing the store, and exiting.
 */
const data = workerData as ShipperThreadData;
const port = parentPort!;
// Background work: below the thread answering requests, so on a busy machine shipping waits (the journal
// holds the records, on disk) rather than the answers. On Linux this sets the calling thread's own priority.
try {
  setPriority(10);
} catch {
  // Not permitted here: the thread keeps the process's priority.
}
// Stop may come before the store opens (a server stopped while its store is down): remembered, and obeyed below.
let stopAsked: { drain: boolean } | undefined;
let onStop: ((drain: boolean) => void) | undefined;
port.on('message', (message: { stop: true; drain: boolean }) => {
  if (!message.stop) return;
  stopAsked = { drain: message.drain };
  onStop?.(message.drain);
});

/**
 * The store, opened again and again until it answers (100 ms doubling to 5 s): a server that starts while its
 * store is down answers from the journal, and ships once the store is back. Undefined if stopped first.
 */
async function openRetrying(): Promise<Store | undefined> {
  let backoff = 100;
  for (;;) {
    try {
      return await openStore({ uri: data.uri, repair: false, migrate: false });
    } catch (e) {
      port.postMessage({ kind: 'error', message: `the prediction journal shipper cannot reach the store; retrying: ${e instanceof Error ? e.message : String(e)}` } satisfies ShipperThreadMessage);
    }
    if (stopAsked !== undefined) return undefined;
    await new Promise((r) => setTimeout(r, backoff));
    if (stopAsked !== undefined) return undefined;
    backoff = Math.min(5000, backoff * 2);
  }
}

const opened = await openRetrying();
if (opened === undefined) {
  // Stopped before the store answered: what is journaled ships when a server next starts here.
  port.postMessage({ kind: 'stopped' } satisfies ShipperThreadMessage);
  port.close();
  process.exit(0);
}
const store: Store = opened;
const fold = data.foldModule === undefined ? undefined : ((await import(data.foldModule)) as { createShipFold(store: Store): ShipFold }).createShipFold(store);
const shipper = new Shipper({
  root: data.root,
  log: store.predictions,
  // PostgreSQL parses and inserts one segment while this thread sends the next; SQLite inserts on this thread anyway.
  concurrency: store.dialect === 'postgres' ? 2 : 1,
  ...(data.batchSize !== undefined ? { batchSize: data.batchSize } : {}),
  ...(data.pollMs !== undefined ? { pollMs: data.pollMs } : {}),
  ...(fold !== undefined ? { fold } : {}),
  onError: (message, error) => port.postMessage({ kind: 'error', message: error instanceof Error ? `${message}: ${error.message}` : message } satisfies ShipperThreadMessage),
});
const retention: RetentionStats = { predictionsRemoved: 0, feedbackRemoved: 0, lastSweepMs: null };
const postStats = (): void => port.postMessage({ kind: 'stats', stats: shipper.stats(), retention } satisfies ShipperThreadMessage);
const statsTimer = setInterval(postStats, data.pollMs ?? 200);
shipper.start();

// Retention runs here, on the thread's own connection, so a long sweep never holds up an answer.
let stopping = false;
let sweeping: Promise<void> = Promise.resolve();
const sweepOnce = (keepMs: number): void => {
  sweeping = sweeping.then(async () => {
    if (stopping) return;
    try {
      const removed = await sweep({ predictions: store.predictions, feedback: store.feedback, windows: store.monitorWindows, keepMs, stopping: () => stopping });
      retention.predictionsRemoved += removed.predictions;
      retention.feedbackRemoved += removed.feedback;
      retention.lastSweepMs = Date.now();
    } catch (e) {
      port.postMessage({ kind: 'error', message: `retention could not remove old predictions (tried again at the next sweep): ${e instanceof Error ? e.message : String(e)}` } satisfies ShipperThreadMessage);
    }
  });
};
const keepMs = data.keepMs;
const sweepTimer = keepMs !== undefined ? setInterval(() => sweepOnce(keepMs), data.sweepEveryMs ?? 60 * 60 * 1000) : undefined;
if (keepMs !== undefined) sweepOnce(keepMs);
onStop = (drain: boolean): void => {
  onStop = undefined;
  clearInterval(statsTimer);
  clearInterval(sweepTimer);
  stopping = true;
  void (async () => {
    try {
      await sweeping;
      await shipper.stop(drain);
    } finally {
      postStats();
      await store.close();
      port.postMessage({ kind: 'stopped' } satisfies ShipperThreadMessage);
      port.close();
    }
  })();
};
if (stopAsked !== undefined) onStop(stopAsked.drain);
postStats();
