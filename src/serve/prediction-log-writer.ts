import { readdir, rename, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { HyperplaneError } from '../errors.js';
import { processAlive, STORE_DIR, type PredictionRecord, type PredictionLog } from '../store/index.js';
import { countLines, filesInUse, newFileName, NdjsonAppender, readSpillFile, SPILL_FILE } from './log/spill-file.js';

export interface PredictionLogWriterOptions {
  /** Records per insert; a full batch is written at once (default 500). */
  batchSize?: number;
  /** A partial batch waits at most this long (default 200 ms). */
  flushIntervalMs?: number;
  /**
   * Write whatever is queued as soon as no insert is in flight, so batches grow with the load instead
   * of waiting to fill (default false). Records then live a millisecond or two, not a batch's wait:
   * on a server they die young, and its garbage collections stay short.
   */
  writeWhenIdle?: boolean;
  /** Records held in memory at most; past it they go to the spill file (default 50,000). */
  maxBuffered?: number;
  /** Where records go while the store can't take them (default `.hyperplane/spill/`). One directory per host: the pid in a file's name says whether its writer is alive. */
  spillDir?: string;
  /** First pause after a failed insert, doubling up to `retryMaxMs` (defaults 100 ms and 5 s). */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** An insert that has not answered by then counts as failed (default 10 s); ids make the retry safe. */
  insertTimeoutMs?: number;
  /** Told of each failure (store, disk, rejected record), for the server's log. */
  onError?: (error: Error) => void;
}

export interface PredictionLogStats {
  /** Records in memory waiting for the store: never more than maxBuffered. */
  buffered: number;
  /** Records in memory waiting for their spill write to finish (milliseconds' worth unless the disk fails). */
  spilling: number;
  /** Records in spill files on disk, waiting to be replayed. */
  spilled: number;
  /** Records this writer inserted (a replayed record the store already had counts again). */
  stored: number;
  /** Failed inserts. */
  failures: number;
  /** Records the store refused as invalid; they are kept in `rejected-*.ndjson` in the spill directory. */
  rejected: number;
  /** Unreadable lines skipped while replaying (a line torn by a crash mid-write). */
  unreadable: number;
  /** The last insert failed and no insert has worked since. */
  storeDown: boolean;
  lastError?: string;
}

/** The replay stops here: the store failed again, or the writer is closing. */
class ReplayStopped extends Error {}
class InsertTimeout extends Error {}

/**
 * Writes the prediction log off the request path: `record` only queues, batches are inserted
 * one at a time, memory is bounded, and what the store can't take now goes to a spill file that
 * is replayed when it answers again. Nothing recorded is dropped.
 */
export class PredictionLogWriter {
  private readonly batchSize: number;
  private readonly writeWhenIdle: boolean;
  private readonly maxBuffered: number;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;
  private readonly insertTimeoutMs: number;
  private readonly spillDir: string;
  private readonly spill: NdjsonAppender;
  private readonly rejects: NdjsonAppender;
  private readonly timer: NodeJS.Timeout;

  /** Chunks of at most batchSize; only the last is partial, so taking a batch is a shift. */
  private queue: PredictionRecord[][] = [];
  /** The batch being inserted or waiting to be retried. */
  private batch: PredictionRecord[] | null = null;
  /** Records ever queued, and those since stored or moved to the spill file: their difference is `buffered`. */
  private enqueued = 0;
  private settled = 0;
  /** Records queued before this count go out even as a partial batch (the timer and flush set it). */
  private drainThrough = 0;

  /** Closed spill files to replay, with their record counts. */
  private readonly segments = new Map<string, number>();
  /** Records of a file already stored, so a replay cut short resumes where it stopped. */
  private readonly replayed = new Map<string, number>();
  private replayRequested = 1;
  private replayDone = 0;

  private running: Promise<void> | null = null;
  private runScheduled = false;
  private wake: (() => void) | null = null;
  private waiters: Array<() => void> = [];
  private retryMs: number;
  private failing = false;
  /** The last failure was an insert that never answered. */
  private timedOut = false;
  /** flush() asks for the next try without the pause. */
  private retryNow = false;
  private stopped = false;
  private closing: Promise<void> | null = null;

  /** Inserts tried, for flush() to see the outcome of the next one. */
  private attempts = 0;
  private storedCount = 0;
  private failureCount = 0;
  private rejectedCount = 0;
  private unreadableCount = 0;
  private lastError: string | undefined;

  constructor(
    private readonly log: Pick<PredictionLog, 'insert'>,
    private readonly options: PredictionLogWriterOptions = {},
  ) {
    this.maxBuffered = positive(options.maxBuffered, 50_000, 'maxBuffered', true);
    // A batch bigger than the buffer would never fill.
    this.batchSize = Math.min(positive(options.batchSize, 500, 'batchSize', true), this.maxBuffered);
    this.writeWhenIdle = options.writeWhenIdle === true;
    this.retryMinMs = positive(options.retryMinMs, 100, 'retryMinMs');
    this.retryMaxMs = Math.max(this.retryMinMs, positive(options.retryMaxMs, 5_000, 'retryMaxMs'));
    this.insertTimeoutMs = positive(options.insertTimeoutMs, 10_000, 'insertTimeoutMs');
    const flushIntervalMs = positive(options.flushIntervalMs, 200, 'flushIntervalMs');
    this.retryMs = this.retryMinMs;
    this.spillDir = resolve(options.spillDir ?? join(STORE_DIR, 'spill'));
    this.spill = new NdjsonAppender(this.spillDir, 'predictions', (p, e) => this.reject(p, e), (e) => this.report('cannot write the spill file', e));
    this.rejects = new NdjsonAppender(this.spillDir, 'rejected', (p, e) => this.report(`prediction ${p.id} cannot be serialized and is lost`, e), (e) => this.report('cannot write the rejected-records file', e));
    this.timer = setInterval(() => this.tick(), flushIntervalMs).unref();
    // Files left by a process that died are replayed as soon as the store answers.
    this.scheduleRun();
  }

  /** Queues one prediction. O(1), never waits, never throws: it is on every request's path. */
  record(prediction: PredictionRecord): void {
    if (this.stopped || this.enqueued - this.settled >= this.maxBuffered) {
      this.spill.add(prediction);
      return;
    }
    let tail = this.queue[this.queue.length - 1];
    if (tail === undefined || tail.length >= this.batchSize) {
      tail = [];
      this.queue.push(tail);
    }
    tail.push(prediction);
    this.enqueued++;
    if (tail.length === this.batchSize || (this.writeWhenIdle && this.running === null)) this.scheduleRun();
  }

  /**
   * A prediction recorded but not in the store yet (the feedback route looks here before the store,
   * so feedback that overtakes its prediction's batch is still scored). O(records held); feedback is
   * rare beside predictions, and this keeps `record` free of any index.
   */
  find(id: string): PredictionRecord | undefined {
    for (const p of this.batch ?? []) if (p.id === id) return p;
    for (const chunk of this.queue) for (const p of chunk) if (p.id === id) return p;
    return undefined;
  }

  /**
   * Resolves once everything recorded before the call is in the store or, when the store is down,
   * fsync'd in the spill file; while the store answers, spill files are replayed first. Rejects
   * (with the records kept in memory) only if the store is down and the disk refuses the spill.
   */
  async flush(): Promise<void> {
    const target = this.enqueued;
    this.drainThrough = Math.max(this.drainThrough, target);
    const replay = ++this.replayRequested;
    while (this.settled < target) {
      if (this.failing || this.stopped) {
        this.spillMemory();
        break;
      }
      await this.step();
    }
    if (this.failing && !this.stopped) {
      // On disk first; then one try now, not after the pause, in case the store is back.
      await this.syncSpill();
      // A store that just hung would likely hang again: not worth another timeout on shutdown.
      if (this.timedOut) return;
      const attempt = this.attempts;
      if (this.wake !== null) this.wake();
      else this.retryNow = true;
      while (this.failing && this.attempts === attempt && !this.stopped && this.hasWork()) await this.step();
    }
    while (!this.failing && !this.stopped && this.replayDone < replay) await this.step();
    await this.syncSpill();
  }

  /** Flushes, then stops the timers and closes the spill file (on SIGTERM). Later records go straight to a spill file. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.flush();
      } finally {
        this.stopped = true;
        clearInterval(this.timer);
        this.wake?.();
        // Anything recorded while flushing: to disk, for the next process.
        this.spillMemory();
        const last = await this.spill.rotate().catch(() => null);
        await this.rejects.rotate().catch(() => null);
        // Left for another writer (or the next process) to replay.
        if (last !== null) filesInUse.delete(last.path);
        for (const path of this.segments.keys()) filesInUse.delete(path);
      }
    })();
    return this.closing;
  }

  /** Waits for the worker's next move, starting it if it is idle. */
  private step(): Promise<void> {
    const next = this.changed();
    this.kick();
    return next;
  }

  private async syncSpill(): Promise<void> {
    try {
      await this.spill.sync();
      await this.rejects.sync();
    } catch (e) {
      throw new HyperplaneError(`the prediction log cannot be flushed: the store is down and the spill file cannot be written (${message(e)})`, { file: this.spillDir });
    }
  }

  stats(): PredictionLogStats {
    let spilled = this.spill.records;
    for (const n of this.segments.values()) spilled += n;
    const s: PredictionLogStats = {
      buffered: this.enqueued - this.settled,
      spilling: this.spill.inMemory,
      spilled,
      stored: this.storedCount,
      failures: this.failureCount,
      rejected: this.rejectedCount,
      unreadable: this.unreadableCount,
      storeDown: this.failing,
    };
    if (this.lastError !== undefined) s.lastError = this.lastError;
    return s;
  }

  private tick(): void {
    if (this.enqueued - this.settled > 0) this.drainThrough = this.enqueued;
    // Records spilled while the store was merely slow are replayed once it keeps up.
    if (!this.failing && this.replayDone === this.replayRequested && (this.segments.size > 0 || this.spill.records > 0)) this.replayRequested++;
    this.spill.retry();
    this.rejects.retry();
    this.kick();
  }

  /** Starts the worker after the current request's code, never inside `record`. */
  private scheduleRun(): void {
    if (this.running !== null || this.runScheduled) return;
    this.runScheduled = true;
    setImmediate(() => {
      this.runScheduled = false;
      this.kick();
    });
  }

  private kick(): void {
    if (this.running !== null || this.stopped || !this.hasWork()) return;
    this.running = this.run().then(
      () => {
        this.running = null;
        this.notify();
        // Work that came while the loop was winding down.
        if (this.hasWork() && !this.failing) this.scheduleRun();
      },
      (e: unknown) => {
        // A bug, not an outage: the timer starts the loop again, so this can't spin.
        this.running = null;
        this.notify();
        this.report('the prediction log writer hit an unexpected error', e);
      },
    );
  }

  /** One insert at a time: fresh batches first, spill files when there are none. */
  private async run(): Promise<void> {
    while (!this.stopped && this.hasWork()) {
      if (this.failing) {
        await this.backoff();
        if (this.stopped || !this.hasWork()) break;
      }
      if (this.liveReady()) await this.insertLive();
      else await this.replayPass();
    }
  }

  private hasWork(): boolean {
    return this.liveReady() || this.replayDone < this.replayRequested;
  }

  private liveReady(): boolean {
    if (this.batch !== null) return true;
    const queued = this.enqueued - this.settled;
    return queued >= this.batchSize || (queued > 0 && (this.writeWhenIdle || this.enqueued - queued < this.drainThrough));
  }

  private async insertLive(): Promise<boolean> {
    if (this.batch === null) {
      const next = this.queue.shift();
      if (next === undefined) return true;
      this.batch = next;
    }
    const batch = this.batch;
    const ok = await this.store(batch);
    // flush() may have moved it to the spill file meanwhile; ids make a double insert harmless.
    if (ok && this.batch === batch) {
      this.batch = null;
      this.settled += batch.length;
    }
    this.notify();
    return ok;
  }

  /** Inserts a batch; false when the store failed (the caller keeps the batch). */
  private async store(batch: PredictionRecord[]): Promise<boolean> {
    try {
      const refused = await this.insertSorting(batch);
      this.storedCount += batch.length - refused.length;
      this.rejectedCount += refused.length;
      if (refused.length > 0) this.rejects.addAll(refused);
      this.retryNow = false;
      if (this.failing) {
        this.failing = false;
        this.retryMs = this.retryMinMs;
        // Back up: whatever spilled meanwhile (here or by a process that died) goes in now.
        this.replayRequested++;
      }
      return true;
    } catch (e) {
      this.failureCount++;
      this.failing = true;
      this.timedOut = e instanceof InsertTimeout;
      this.report('the store did not take a batch of the prediction log; it is kept and retried', e);
      return false;
    } finally {
      this.attempts++;
      // flush() waits on this to learn whether the store is down.
      this.notify();
    }
  }

  /** Inserts, halving a batch the store refuses as invalid until the bad records are found; returns them. */
  private async insertSorting(batch: PredictionRecord[]): Promise<PredictionRecord[]> {
    try {
      await this.insert(batch);
      return [];
    } catch (e) {
      if (!isInvalidRecord(e)) throw e;
      if (batch.length === 1) {
        this.report(`the store refused prediction ${batch[0]!.id}; it is kept in the spill directory's rejected-*.ndjson`, e);
        return batch;
      }
      const half = batch.length >> 1;
      return [...(await this.insertSorting(batch.slice(0, half))), ...(await this.insertSorting(batch.slice(half)))];
    }
  }

  private insert(batch: readonly PredictionRecord[]): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new InsertTimeout(`the store did not answer an insert within ${this.insertTimeoutMs} ms`)), this.insertTimeoutMs);
    });
    // Through a promise, so an insert that throws synchronously is a failure like any other.
    const insert = Promise.resolve().then(() => this.log.insert(batch));
    return Promise.race([insert, timeout]).finally(() => clearTimeout(timer));
  }

  /** Rotates this writer's spill file, adopts files of dead writers, and replays them all. */
  private async replayPass(): Promise<void> {
    const pass = this.replayRequested;
    try {
      const own = await this.spill.rotate();
      if (own !== null) this.segments.set(own.path, own.records);
    } catch (e) {
      this.report('cannot close the spill file for replay', e);
    }
    await this.adoptOrphans();
    for (const path of [...this.segments.keys()]) {
      try {
        await this.replayFile(path);
      } catch (e) {
        if (e instanceof ReplayStopped) return;
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
          this.segments.delete(path);
          filesInUse.delete(path);
        } else {
          this.report(`cannot replay the spill file ${path}; it is kept`, e);
        }
      }
    }
    this.replayDone = Math.max(this.replayDone, pass);
    this.notify();
  }

  /** Takes over spill files whose writer is gone, renaming each to a name of ours so only one process replays it. */
  private async adoptOrphans(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.spillDir);
    } catch {
      return;
    }
    for (const name of names) {
      const match = SPILL_FILE.exec(name);
      const path = join(this.spillDir, name);
      if (match === null || filesInUse.has(path)) continue;
      const pid = Number(match[1]);
      if (pid !== process.pid && processAlive(pid)) continue;
      const adopted = join(this.spillDir, newFileName('predictions'));
      filesInUse.add(adopted);
      try {
        await rename(path, adopted);
      } catch {
        // Another process adopted it first.
        filesInUse.delete(adopted);
        continue;
      }
      this.segments.set(adopted, await countLines(adopted).catch(() => 0));
    }
  }

  private async replayFile(path: string): Promise<void> {
    const done = this.replayed.get(path) ?? 0;
    let seen = 0;
    let batch: PredictionRecord[] = [];
    const replayBatch = async (): Promise<void> => {
      if (this.stopped) throw new ReplayStopped();
      if (!(await this.store(batch))) throw new ReplayStopped();
      this.replayed.set(path, seen);
      batch = [];
      // Fresh records are not held back by a long replay.
      if (this.liveReady() && !(await this.insertLive())) throw new ReplayStopped();
    };
    for await (const p of readSpillFile(path, (line) => this.unreadable(path, line))) {
      if (++seen <= done) continue;
      batch.push(p);
      if (batch.length >= this.batchSize) await replayBatch();
    }
    if (batch.length > 0) await replayBatch();
    // Deleted only once every record in it is stored.
    await unlink(path).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
    this.segments.delete(path);
    this.replayed.delete(path);
    filesInUse.delete(path);
  }

  /** Moves everything in memory to the spill file, oldest first. */
  private spillMemory(): void {
    if (this.batch !== null) this.spill.addAll(this.batch);
    for (const chunk of this.queue) this.spill.addAll(chunk);
    this.batch = null;
    this.queue = [];
    this.settled = this.enqueued;
    this.notify();
  }

  private backoff(): Promise<void> {
    if (this.retryNow) {
      this.retryNow = false;
      return Promise.resolve();
    }
    const ms = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, this.retryMaxMs);
    return new Promise((done) => {
      const timer = setTimeout(() => this.wake?.(), ms).unref();
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        done();
      };
    });
  }

  private changed(): Promise<void> {
    return new Promise((done) => this.waiters.push(done));
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private reject(p: PredictionRecord, e: unknown): void {
    this.rejectedCount++;
    this.report(`prediction ${p.id} cannot be serialized and is lost`, e);
  }

  private unreadable(path: string, line: number): void {
    this.unreadableCount++;
    this.lastError = `${path}, line ${line}: not a prediction record (torn by a crash mid-write?); skipped`;
  }

  private report(what: string, e: unknown): void {
    const error = new Error(`${what}: ${message(e)}`, { cause: e });
    this.lastError = error.message;
    try {
      this.options.onError?.(error);
    } catch {
      // A failing logger must not stop the writer.
    }
  }
}

/** Errors that a record causes (bad field, unserializable value), as opposed to an unreachable store. */
const isInvalidRecord = (e: unknown): boolean => e instanceof HyperplaneError || e instanceof TypeError || e instanceof RangeError;

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

function positive(value: number | undefined, fallback: number, field: string, integer = false): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new HyperplaneError(`must be a positive ${integer ? 'integer' : 'number'}, got ${value}`, { field });
  }
  return value;
}
