import { Worker } from 'node:worker_threads';
import { HyperplaneError } from '../../errors.js';
import type { PredictionRecord, PredictionLog } from '../../store/index.js';
import { packBatch, type PackedBatch } from './packed-batch.js';

interface Reply {
  seq: number;
  error?: { name: string; message: string };
}

/**
 * The log thread's priority (nice): well below the threads answering requests, so it takes the CPU they
 * leave. At 5 it still held back the answers on a busy 2-core machine; at 15 one worker answered 4–14%
 * more single rows a second (four alternations) with the log still keeping up (nothing held or spilled
 * after 8 s at 18.8k req/s), while back-to-back 1,000-row batches spill a little more (20.5k of 150k
 * against 11k; replayed once the load eases).
 */
const LOG_THREAD_NICE = 15;

/**
 * The prediction log's inserts on a worker thread with its own connection to the store. SQLite
 * writes are synchronous (better-sqlite3): on the server's thread, every logged row cost ~25 µs of
 * the event loop that answers requests. Only `insert` is offered: it is all the log writer needs.
 */
export class WorkerPredictionLog implements Pick<PredictionLog, 'insert'> {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private seq = 0;
  private failed: Error | undefined;

  constructor(uri: string) {
    this.worker = new Worker(new URL('./log-worker.js', import.meta.url), { workerData: { uri, nice: LOG_THREAD_NICE } });
    this.worker.on('message', (reply: Reply) => {
      const waiting = this.pending.get(reply.seq);
      if (waiting === undefined) return;
      this.pending.delete(reply.seq);
      if (reply.error === undefined) waiting.resolve();
      else {
        // The writer sets invalid records aside by their error's kind, so the kind crosses the thread.
        const { name, message } = reply.error;
        waiting.reject(name === 'HyperplaneError' ? new HyperplaneError(message) : name === 'TypeError' ? new TypeError(message) : name === 'RangeError' ? new RangeError(message) : new Error(message));
      }
    });
    this.worker.on('error', (e) => {
      this.failed = e;
      for (const w of this.pending.values()) w.reject(e);
      this.pending.clear();
    });
  }

  insert(batch: readonly PredictionRecord[]): Promise<void> {
    if (this.failed !== undefined) return Promise.reject(this.failed);
    const seq = ++this.seq;
    let packed: PackedBatch;
    try {
      packed = packBatch(batch);
    } catch (e) {
      // A record the store would refuse fails the insert, as the store would (the writer sets it aside).
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      this.worker.postMessage({ seq, packed }, [packed.numbers.buffer as ArrayBuffer]);
    });
  }

  /** After the writer has flushed: closes the worker's store connection and stops it. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage({ close: true });
    await closed;
  }
}
