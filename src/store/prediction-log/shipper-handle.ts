import { Worker } from 'node:worker_threads';
import type { RetentionStats } from './retention.js';
import type { ShipperStats } from './shipper.js';

export interface ShipperThreadOptions {
  /** The store's URI; the thread opens its own connection (no repair, no migration: the server did those). */
  uri: string;
  /** The journal root. */
  root: string;
  batchSize?: number;
  pollMs?: number;
  /** Retention: predictions and feedback older than this many ms are removed, in the thread, at its start and every `sweepEveryMs`. */
  keepMs?: number;
  /** How often retention sweeps (default one hour). */
  sweepEveryMs?: number;
  /**
   * A module the thread imports whose `createShipFold(store)` gives the monitor's fold: shipped records are
   * then summarized into window aggregates as they ship (a URL, since a function cannot cross to a thread).
   */
  foldModule?: string;
  /** Told of the thread's failures (store down, rejected records), for the server's log. */
  onError?: (message: string) => void;
  /** The compiled thread entry; by default shipper-thread.js beside this file (under dist/, as `hyperplane serve` runs). */
  threadUrl?: URL;
}

/** What crosses to the thread at its start: the options, less what stays on this side. */
export type ShipperThreadData = Omit<ShipperThreadOptions, 'onError' | 'threadUrl'>;

/** What the thread posts back. */
export type ShipperThreadMessage = { kind: 'stats'; stats: ShipperStats; retention: RetentionStats } | { kind: 'error'; message: string } | { kind: 'stopped' };

const NO_SWEEP: RetentionStats = { predictionsRemoved: 0, feedbackRemoved: 0, lastSweepMs: null };
const NO_STATS: ShipperStats = { recordsShipped: 0, segmentsShipped: 0, recordsPerSecond: 0, lagMs: 0, tornSkipped: 0, tornBytes: 0, undecodable: 0, rejected: 0, lastError: null, storeDown: false };

/** Runs a Shipper on a worker thread with its own store connection; its stats arrive after each pass. */
export class ShipperThread {
  private readonly worker: Worker;
  private latest: ShipperStats = NO_STATS;
  private retention: RetentionStats = NO_SWEEP;
  private readonly exited: Promise<void>;
  private failure: Error | undefined;

  constructor(options: ShipperThreadOptions) {
    // A function can't cross to a thread: the callback and the entry's URL stay here.
    const { onError: _onError, threadUrl: _threadUrl, ...rest } = options;
    const data: ShipperThreadData = rest;
    this.worker = new Worker(options.threadUrl ?? new URL('./shipper-thread.js', import.meta.url), { workerData: data });
    this.worker.on('message', (message: ShipperThreadMessage) => {
      if (message.kind === 'stats') {
        this.latest = message.stats;
        this.retention = message.retention;
      }
      else if (message.kind === 'error') options.onError?.(message.message);
    });
    this.worker.on('error', (e) => {
      this.failure = e;
      options.onError?.(`the prediction journal shipper thread failed: ${e.message}`);
    });
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
  }

  /** The thread's stats as of its last pass (for /metrics): no round trip. */
  stats(): ShipperStats {
    return this.failure === undefined ? this.latest : { ...this.latest, lastError: this.failure.message };
  }

  /** What retention has removed, as of the thread's last report. */
  retentionStats(): RetentionStats {
    return this.retention;
  }

  /** Stops the thread: with `drain`, after one more pass over the closed segments (close the journal first). */
  async stop(drain = true): Promise<ShipperStats> {
    this.worker.postMessage({ stop: true, drain });
    await this.exited;
    return this.stats();
  }
}
