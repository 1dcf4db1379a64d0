import { hostname } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { MonitorGauges } from '../../monitor/gauges.js';

export interface MonitorThreadOptions {
  /** The store's URI; the thread opens its own connection. */
  uri: string;
  /** How often each model is monitored. */
  everyMs: number;
  /** The range each pass reports on (default 7 days). */
  rangeMs?: number;
  /** The first pass, this long after the start at most (default 5 s). */
  firstAfterMs?: number;
  /** A config file with a monitor section: alert rules and webhooks. */
  configFile?: string;
  onError?: (message: string) => void;
}

export type MonitorThreadData = Omit<MonitorThreadOptions, 'onError'> & { holder: string };

export type MonitorThreadMessage = { kind: 'pass'; gauges: MonitorGauges } | { kind: 'error'; message: string } | { kind: 'stopped' };

/** The scheduled monitor (`serve --monitor-every`) on a worker thread; its latest numbers per version for /metrics. */
export class MonitorThread {
  private readonly worker: Worker;
  private readonly latest = new Map<string, MonitorGauges>();
  private readonly exited: Promise<void>;

  constructor(private readonly options: MonitorThreadOptions) {
    const { onError: _onError, ...rest } = options;
    const data: MonitorThreadData = { ...rest, holder: `${hostname()}:${process.pid}` };
    this.worker = new Worker(new URL('./monitor-thread.js', import.meta.url), { workerData: data });
    this.worker.on('message', (message: MonitorThreadMessage) => {
      if (message.kind === 'pass') this.latest.set(`${message.gauges.model}/${message.gauges.version}`, message.gauges);
      else if (message.kind === 'error') options.onError?.(message.message);
    });
    this.worker.on('error', (e) => options.onError?.(`the monitor thread failed: ${e.message}`));
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
  }

  /** The latest pass of each version this server monitors; a model another server has taken over drops out after three periods. */
  gauges(): MonitorGauges[] {
    const now = Date.now();
    return [...this.latest.values()].filter((g) => now - g.at <= 3 * this.options.everyMs);
  }

  async stop(): Promise<void> {
    this.worker.postMessage({ stop: true });
    await this.exited;
  }
}
