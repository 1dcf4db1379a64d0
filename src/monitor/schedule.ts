import type { Store } from '../store/index.js';
import type { MonitorConfig } from './alerts/config.js';
import { deliverNotifications } from './alerts/deliver.js';
import type { WebhookSender } from './alerts/webhook.js';
import { monitorGauges, type MonitorGauges } from './gauges.js';
import { runMonitor, type MonitoredVersion } from './run.js';
import { HOUR_MS } from './window.js';

export interface MonitorScheduleOptions {
  store: Pick<Store, 'monitorWindows' | 'predictions' | 'alerts' | 'leases'>;
  /** A version as monitoring needs it, from its package (undefined: no reference, not monitored). */
  lookup: (model: string, version: number) => Promise<MonitoredVersion | undefined>;
  /** How often each model is monitored. */
  everyMs: number;
  /** The range each pass reports on (default 7 days). */
  rangeMs?: number;
  windowMs?: number;
  /** Alert rules and webhooks; without them a pass only measures. */
  config?: MonitorConfig;
  /** Delivers due notifications (queues and returns: a slow receiver holds up nothing). */
  sender?: Pick<WebhookSender, 'send'>;
  /** Who this is, among the servers sharing the store (host and pid). */
  holder: string;
  /** Told of each pass's numbers, for /metrics. */
  onPass?: (gauges: MonitorGauges) => void;
  onError?: (message: string) => void;
}

/** The lease of one model's monitor. */
export const monitorLease = (model: string): string => `monitor/${model}`;

/**
 * Runs each model's monitor every `everyMs`. Servers sharing a store take a lease per model (kept for
 * two periods and 30 s, renewed before and after each pass) and only its holder runs that model's
 * monitor, so each alert is raised and notified once. A holder that stops gives its leases up; one that
 * dies is replaced once its lease lapses.
 */
export class MonitorSchedule {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly held = new Set<string>();

  constructor(private readonly options: MonitorScheduleOptions) {}

  start(firstAfterMs = this.options.everyMs): void {
    const loop = (delay: number): void => {
      this.timer = setTimeout(() => {
        this.running = this.tick().then(() => undefined).finally(() => {
          if (!this.stopped) loop(this.options.everyMs);
        });
      }, delay);
    };
    loop(firstAfterMs);
  }

  /** One pass over every model with windows in the range; returns the versions this server monitored. */
  async tick(now = Date.now()): Promise<MonitorGauges[]> {
    const o = this.options;
    const rangeMs = o.rangeMs ?? 7 * 86_400_000;
    const done: MonitorGauges[] = [];
    let watched: { model: string; version: number }[];
    try {
      watched = await o.store.monitorWindows.watched(now - rangeMs);
    } catch (e) {
      o.onError?.(`monitor: cannot list the models to watch: ${message(e)}`);
      return done;
    }
    const models = [...new Set(watched.map((w) => w.model))];
    for (const model of models) {
      if (this.stopped) break;
      try {
        if (!(await o.store.leases.acquire(monitorLease(model), o.holder, this.leaseMs()))) {
          this.held.delete(model);
          continue;
        }
        this.held.add(model);
        for (const { version } of watched.filter((w) => w.model === model)) {
          const v = await o.lookup(model, version);
          if (v === undefined) continue;
          const run = await runMonitor(o.store, v, { since: now - rangeMs, windowMs: o.windowMs ?? HOUR_MS, now, ...(o.config !== undefined ? { config: o.config } : {}) });
          if (o.config !== undefined && o.sender !== undefined) deliverNotifications(run.notifications, o.config.webhooks, o.sender);
          const gauges = monitorGauges(run, now);
          done.push(gauges);
          o.onPass?.(gauges);
        }
        // Renewed after the pass too: a pass longer than the period must not let the lease lapse mid-way.
        await o.store.leases.acquire(monitorLease(model), o.holder, this.leaseMs());
      } catch (e) {
        o.onError?.(`monitor: ${model}: ${message(e)}`);
      }
    }
    return done;
  }

  /** Two periods, plus time for a slow pass: a holder that stopped without releasing is replaced within this. */
  private leaseMs(): number {
    return 2 * this.options.everyMs + 30_000;
  }

  /** Stops after the pass under way and gives up the leases held, so another server takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    for (const model of this.held) await this.options.store.leases.release(monitorLease(model), this.options.holder).catch(() => undefined);
    this.held.clear();
  }
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
