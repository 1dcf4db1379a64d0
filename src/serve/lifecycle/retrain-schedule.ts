import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RetrainEntry } from '../../config/retrain.js';
import type { Leases } from '../../store/index.js';

export interface RetrainScheduleOptions {
  leases: Leases;
  entries: readonly RetrainEntry[];
  /** The store the retraining records into and moves the alias in (HYPERPLANE_STORE for the child). */
  storeUri: string;
  /** Who this is, among the servers sharing the store (host and pid). */
  holder: string;
  /** How often each entry is checked for being due (default a minute). */
  checkMs?: number;
  /** Each retraining's last line (promoted or kept), or why it failed. */
  onNotice?: (line: string) => void;
}

/** The lease of one alias's retraining: held from a run's start for `every`, so servers sharing a store run it once per period. */
export const retrainLease = (model: string): string => `retrain/${model.includes('@') ? model : `${model}@production`}`;

const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

/**
 * Runs `hyperplane retrain` for each configured alias once every `every`, across every server on the
 * store: a run takes the alias's lease for `every` (renewed while it trains, if it takes longer), and
 * nobody runs it again until the lease lapses, restarts included. The first is due at once unless a
 * server ran one less than `every` ago. Training runs in a child process: the server's event loop keeps
 * answering, and a training that fails or runs out of memory takes nothing else down.
 */
export class RetrainSchedule {
  private timer: NodeJS.Timeout | undefined;
  private readonly running = new Map<string, ChildProcess>();
  private stopped = false;
  /** Aliases whose next time has been said, so a check every minute says it once. */
  private readonly told = new Set<string>();

  constructor(private readonly options: RetrainScheduleOptions) {}

  start(): void {
    const loop = (): void => {
      void this.tick().finally(() => {
        if (!this.stopped) this.timer = setTimeout(loop, this.options.checkMs ?? 60_000).unref();
      });
    };
    loop();
  }

  /** Starts every entry that is due and not running here; resolves once they have started. */
  async tick(now = Date.now()): Promise<void> {
    for (const entry of this.options.entries) {
      if (this.stopped) return;
      const lease = retrainLease(entry.model);
      if (this.running.has(lease)) continue;
      try {
        const held = await this.options.leases.holder(lease);
        if (held !== undefined && held.expiresAt > now) {
          if (!this.told.has(lease)) this.options.onNotice?.(`retrain ${entry.model}: next due ${new Date(held.expiresAt).toISOString().slice(0, 16).replace('T', ' ')} UTC (the last one was started by ${held.holder})`);
          this.told.add(lease);
          continue;
        }
        this.told.delete(lease);
        if (!(await this.options.leases.acquire(lease, this.options.holder, entry.everyMs))) continue;
      } catch (e) {
        this.options.onNotice?.(`retrain ${entry.model}: cannot take its lease: ${e instanceof Error ? e.message : String(e)}`);
        continue;
      }
      this.run(entry, lease);
    }
  }

  /** Whether a retraining started by this server is still going. */
  get busy(): boolean {
    return this.running.size > 0;
  }

  /** Waits for the retrainings in progress to end (a SIGTERM to each: a tracked run is then marked killed). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const ending = [...this.running.values()].map((child) => new Promise<void>((resolve) => {
      child.once('close', () => resolve());
      child.kill('SIGTERM');
    }));
    await Promise.all(ending);
  }

  private run(entry: RetrainEntry, lease: string): void {
    const o = this.options;
    const args = [CLI, 'retrain', entry.model, '--data', entry.data, '--trigger', 'schedule'];
    if (entry.query !== undefined) args.push('--query', entry.query);
    if (entry.minGain !== undefined) args.push('--min-gain', String(entry.minGain));
    if (entry.metric !== undefined) args.push('--metric', entry.metric);
    if (entry.time !== undefined) args.push('--time', entry.time);
    const child = spawn(process.execPath, args, { env: { ...process.env, HYPERPLANE_STORE: o.storeUri }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.running.set(lease, child);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout = (stdout + d).slice(-8192)));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-8192)));
    // A training longer than the period keeps its lease, so no other server starts the same one meanwhile.
    const renew = setInterval(() => void o.leases.acquire(lease, o.holder, entry.everyMs).catch(() => undefined), Math.max(1000, entry.everyMs / 3)).unref();
    o.onNotice?.(`retrain ${entry.model}: started on ${entry.data} (every ${entry.every})`);
    const done = (code: number | null, signal: NodeJS.Signals | null): void => {
      clearInterval(renew);
      this.running.delete(lease);
      const lines = stdout.trim().split('\n');
      const last = lines[lines.length - 1] ?? '';
      if (code === 0) o.onNotice?.(`retrain ${entry.model}: ${last}`);
      else o.onNotice?.(`retrain ${entry.model}: failed (${signal ?? `exit ${code}`}): ${stderr.trim().split('\n').filter((l) => l !== '').pop() ?? 'no message'}`);
    };
    child.once('close', done);
    child.once('error', (e) => {
      clearInterval(renew);
      this.running.delete(lease);
      o.onNotice?.(`retrain ${entry.model}: could not start: ${e.message}`);
    });
  }
}
