import { readdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { processAlive } from '../provenance.js';
import type { EncodedPrediction, PredictionLog } from '../serving.js';
import type { MonitorWindows, WindowPart } from '../monitor-windows.js';
import type { Journal } from './journal.js';
import { segmentBatches } from './record-format.js';
import { appendRejected, type RefusedRecord } from './rejected-file.js';
import { isInvalidRecord } from './invalid-record.js';
import { createdMs, JOURNAL_DIR, listSegments, REJECTED_DIR, type SegmentEntry } from './segment-files.js';
import { releaseLock, tryLock } from './ship-lock.js';

export interface ShipperOptions {
  /** The journal root (the `dir` the journals were given). */
  root: string;
  log: Pick<PredictionLog, 'insert'>;
  /** Records per insert call. Default 5,000. */
  batchSize?: number;
  /**
   * Segments shipped at once (default 1). PostgreSQL takes 2: each COPY has a backend of its own, so the
   * database parses and inserts one segment while this thread decodes and sends the other.
   */
  concurrency?: number;
  /** How often to look for closed segments. Default 200 ms. */
  pollMs?: number;
  /** This process's journal, when in the same thread: asked to close a segment older than `segmentMaxAgeMs`. */
  journal?: Pick<Journal, 'rotateIfOlder' | 'noticeShipped'>;
  /** Default 500 ms. */
  segmentMaxAgeMs?: number;
  /** Told of each failure (store down, rejected record, unreadable segment), for the server's log. */
  onError?: (message: string, error: unknown) => void;
  /** Whether a pid is running; `processAlive` from the store layer by default (a test may stand in). */
  isAlive?: (pid: number) => boolean;
  /** Monitoring: each segment's stored records summarized into window aggregates, folded into the store's before the segment is deleted. */
  fold?: ShipFold;
}

/**
 * How the monitor summarizes shipped records (it lives above the store, so the store is handed it).
 * Folding is idempotent per segment (see MonitorWindows.fold); a summary that fails leaves the segment's
 * records out of the aggregates, never out of the log.
 */
export interface ShipFold {
  windows: Pick<MonitorWindows, 'fold'>;
  /** A segment's stored records as window parts (records of models with no monitoring reference left out). */
  summarize(records: readonly EncodedPrediction[]): Promise<WindowPart[]>;
  /** Two summaries of one window as one. */
  merge(a: string, b: string): string;
}

/** A segment whose records are stored, waiting to be folded and deleted. */
interface Shipped {
  segment: SegmentEntry;
  records: number;
  parts: WindowPart[];
}

/** Segments shipped between folds: what a crash can make the shipper insert again (idempotently). */
const FOLD_EVERY = 16;

export interface ShipperStats {
  recordsShipped: number;
  segmentsShipped: number;
  /** Records shipped a second over the last ~10 s. */
  recordsPerSecond: number;
  /** Age of the oldest unshipped segment (its first record) this shipper ships; 0 when nothing waits. */
  lagMs: number;
  /** Torn tails skipped (a killed writer's last, half-written record), and their bytes. */
  tornSkipped: number;
  tornBytes: number;
  /** Records with an intact frame whose payload does not decode (a writer's bug): skipped. */
  undecodable: number;
  /** Records the store refused as invalid, kept in `<root>/rejected/`. */
  rejected: number;
  lastError: string | null;
  /** The last insert failed and the shipper is retrying with backoff. */
  storeDown: boolean;
}

const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5000;
const RATE_WINDOW_MS = 10_000;

class Stopped extends Error {}

/**
 * Loads closed journal segments into the store, oldest first, and deletes each once every record of
 * it is stored. Idempotent: a record's id is its primary key, so a segment shipped again after a crash
 * between the insert and the delete inserts nothing twice. It ships the directories of this process
 * and those of dead processes (their `.open` segments too, torn tail skipped), each under a lock file
 * so two shippers do not ship the same directory.
 */
export class Shipper {
  private readonly root: string;
  private readonly log: Pick<PredictionLog, 'insert'>;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly pollMs: number;
  private readonly segmentMaxAgeMs: number;
  private readonly isAlive: (pid: number) => boolean;
  private readonly held = new Set<string>();
  /** Files that are not segments this code can read: reported once, then left alone. */
  private readonly unreadable = new Set<string>();
  /** Dirs named with this pid but older than this process are a dead predecessor's (a reused pid). */
  private readonly processStartMs = Date.now() - process.uptime() * 1000;
  private readonly counts = { recordsShipped: 0, segmentsShipped: 0, tornSkipped: 0, tornBytes: 0, undecodable: 0, rejected: 0 };
  /** When the oldest segment not shipped yet was started; null when none waits. */
  private oldestWaitingMs: number | null = null;
  private lastError: string | null = null;
  private storeDown = false;
  private readonly samples: { at: number; shipped: number }[] = [];
  private stopping = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private passing: Promise<number> | undefined;

  constructor(private readonly options: ShipperOptions) {
    this.root = options.root;
    this.log = options.log;
    this.batchSize = options.batchSize ?? 5000;
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.pollMs = options.pollMs ?? 200;
    this.segmentMaxAgeMs = options.segmentMaxAgeMs ?? 500;
    this.isAlive = options.isAlive ?? processAlive;
  }

  /** Ships in the background: a pass every `pollMs`. */
  start(): void {
    if (this.loop !== undefined) return;
    // The rate's first sample is the start: a first pass that ships everything at once still counts.
    this.sample();
    this.loop = (async () => {
      while (!this.stopping) {
        try {
          await this.shipAvailable();
        } catch (e) {
          if (!(e instanceof Stopped)) this.report('the prediction journal shipper failed a pass', e);
        }
        await this.sleep(this.pollMs);
      }
    })();
  }

  /** One pass: ships every segment that can be shipped now; returns the records inserted. */
  shipAvailable(): Promise<number> {
    // One pass at a time: a caller's pass and the loop's would ship the same segment twice.
    const previous = this.passing ?? Promise.resolve(0);
    const pass = previous.catch(() => 0).then(() => this.pass());
    this.passing = pass;
    return pass;
  }

  /**
   * Stops the loop, then ships what is closed once more (unless `drain` is false), giving up at the
   * first insert failure rather than waiting on a down store: what is left ships at the next start.
   */
  async stop(drain = true): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    if (drain) await this.shipAvailable().catch((e: unknown) => (e instanceof Stopped ? 0 : Promise.reject(e)));
    for (const dir of this.held) releaseLock(dir);
    this.held.clear();
  }

  stats(): ShipperStats {
    const now = Date.now();
    const first = this.samples[0];
    const rate = first === undefined || now - first.at < 1 ? 0 : ((this.counts.recordsShipped - first.shipped) * 1000) / (now - first.at);
    return { ...this.counts, recordsPerSecond: rate, lagMs: this.oldestWaitingMs === null ? 0 : Math.max(0, now - this.oldestWaitingMs), lastError: this.lastError, storeDown: this.storeDown };
  }

  private async pass(): Promise<number> {
    this.options.journal?.rotateIfOlder(this.segmentMaxAgeMs);
    let shipped = 0;
    let stillWaiting = Number.POSITIVE_INFINITY;
    for (const { dir, pid, startMs } of this.journalDirs()) {
      const ownerGone = pid !== process.pid ? !this.isAlive(pid) : startMs < this.processStartMs - 1000;
      if (!this.held.has(dir)) {
        if (pid !== process.pid && !ownerGone) continue; // a live process's: its own shipper's
        if (!tryLock(dir, this.isAlive)) continue;
        this.held.add(dir);
      }
      const segments = listSegments(dir);
      const first = segments[0];
      // While a pass waits on a down store, the lag goes on growing from the oldest segment it knows of.
      if (first !== undefined) this.oldestWaitingMs = Math.min(this.oldestWaitingMs ?? Infinity, createdMs(first.path) ?? Date.now());
      // A live writer's `.open` segment is still being written; a dead one's is all there will be.
      shipped += await this.shipDir(dir, segments.filter((segment) => ownerGone || !segment.open));
      const left = listSegments(dir);
      if (left[0] !== undefined) stillWaiting = Math.min(stillWaiting, createdMs(left[0].path) ?? Date.now());
      else if (ownerGone) {
        rmSync(dir, { recursive: true, force: true });
        this.held.delete(dir);
      }
    }
    this.oldestWaitingMs = Number.isFinite(stillWaiting) ? stillWaiting : null;
    this.options.journal?.noticeShipped();
    this.sample();
    return shipped;
  }

  /**
   * A directory's segments, oldest first, FOLD_EVERY at a time: each group is stored, its summaries folded
   * into the monitor's windows, then its files deleted. Only the group's unbroken run of stored segments
   * from its oldest is folded and deleted: one stored after a failed one ships again at the next pass
   * (its insert is idempotent), so folds stay in writing order and a journal's fold mark is one number.
   */
  private async shipDir(dir: string, segments: readonly SegmentEntry[]): Promise<number> {
    let shipped = 0;
    for (let at = 0; at < segments.length; at += FOLD_EVERY) {
      const group = segments.slice(at, at + FOLD_EVERY);
      const { done, failure } = await this.shipAll(group);
      let prefix = 0;
      while (prefix < group.length && done.has(group[prefix]!.path)) prefix++;
      const stored = group.slice(0, prefix).map((segment) => done.get(segment.path)!);
      if (stored.length > 0) {
        await this.foldRetrying(basename(dir), stored);
        for (const s of stored) {
          unlinkSync(s.segment.path);
          this.counts.segmentsShipped++;
          shipped += s.records;
        }
      }
      if (failure !== undefined) throw failure;
    }
    return shipped;
  }

  /** The segments, `concurrency` at a time; the first failure stops the rest (they ship at the next pass). */
  private async shipAll(segments: readonly SegmentEntry[]): Promise<{ done: Map<string, Shipped>; failure: unknown }> {
    let next = 0;
    let stop = false;
    const done = new Map<string, Shipped>();
    const worker = async (): Promise<void> => {
      // A worker that failed stops the others after their current segment.
      while (next < segments.length && !stop) {
        const segment = segments[next++]!;
        try {
          const shipped = await this.shipSegment(segment);
          if (shipped !== undefined) done.set(segment.path, shipped);
        } catch (e) {
          stop = true;
          throw e;
        }
      }
    };
    // Settled, not raced: a failed worker must not leave the other shipping after the pass has returned.
    const results = await Promise.allSettled(Array.from({ length: Math.min(this.concurrency, segments.length) }, worker));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    return { done, failure: failed?.reason };
  }

  /** Stores a segment's records; undefined when there is nothing to delete (gone already, or unreadable). */
  private async shipSegment(segment: SegmentEntry): Promise<Shipped | undefined> {
    const path = segment.path;
    if (this.unreadable.has(path)) return undefined;
    let batches: ReturnType<typeof segmentBatches>;
    let next: ReturnType<ReturnType<typeof segmentBatches>['next']>;
    try {
      batches = segmentBatches(readFileSync(path), path, this.batchSize);
      // The header is read at the first step: a file that is not a segment throws here, before anything is stored.
      next = batches.next();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // shipped by a shipper that held the lock before us
      // Not a segment, or a format this code cannot read: left where it is, for a newer Hyperplane or a person.
      this.unreadable.add(path);
      this.report(`cannot ship ${path}`, e);
      return undefined;
    }
    const refused: RefusedRecord[] = [];
    let stored = 0;
    let parts: WindowPart[] | undefined = [];
    // A batch at a time: decoded, stored, summarized, then dropped before the next is decoded.
    for (; next.done !== true; next = batches.next()) {
      const batch = next.value;
      const refusedHere = await this.insertRetrying(batch);
      for (const r of refusedHere) refused.push(r);
      this.counts.recordsShipped += batch.length - refusedHere.length;
      const refusedIds = new Set(refusedHere.map((r) => r.record.id));
      const kept = refusedHere.length === 0 ? batch : batch.filter((r) => !refusedIds.has(r.id));
      stored += kept.length;
      // A summary that fails leaves the whole segment out of the monitor's windows (never out of the log).
      if (parts !== undefined) parts = await this.summarize(kept, path, parts);
    }
    const contents = next.value;
    this.counts.tornSkipped += contents.torn;
    this.counts.tornBytes += contents.tornBytes;
    if (contents.undecodable > 0) this.report(`${path} holds ${contents.undecodable} records that do not decode; skipped`, undefined);
    this.counts.undecodable += contents.undecodable;
    if (contents.torn > 0) this.report(`${path} ends in a torn record (${contents.tornBytes} bytes), skipped: its writer died writing it`, undefined);
    if (refused.length > 0) await this.keepRejected(refused);
    return { segment, records: stored, parts: parts ?? [] };
  }

  /** `parts` with the summary of `records` added; undefined once monitoring fails to summarize (reported). */
  private async summarize(records: readonly EncodedPrediction[], path: string, parts: WindowPart[]): Promise<WindowPart[] | undefined> {
    if (this.options.fold === undefined || records.length === 0) return parts;
    try {
      for (const part of await this.options.fold.summarize(records)) parts.push(part);
      return parts;
    } catch (e) {
      this.report(`monitoring could not summarize ${path} (its predictions are stored; the monitor's windows miss them)`, e);
      return undefined;
    }
  }

  /** Folds stored segments' summaries into the store's windows, waiting out a store that fails (as inserts do). */
  private async foldRetrying(journal: string, stored: readonly Shipped[]): Promise<void> {
    const fold = this.options.fold;
    if (fold === undefined) return;
    const segments = stored.map((s) => ({ seq: s.segment.seq, parts: s.parts }));
    let backoff = FIRST_BACKOFF_MS;
    for (;;) {
      try {
        await fold.windows.fold(journal, segments, fold.merge);
        return;
      } catch (e) {
        this.report("the store refused the monitor's window aggregates; retrying", e);
        if (this.stopping) throw new Stopped();
        await this.sleep(backoff);
        if (this.stopping) throw new Stopped();
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
      }
    }
  }

  /** Inserts a batch, waiting out a store that fails (100 ms doubling to 5 s); returns the records refused as invalid. */
  private async insertRetrying(batch: readonly EncodedPrediction[]): Promise<RefusedRecord[]> {
    let backoff = FIRST_BACKOFF_MS;
    for (;;) {
      try {
        const refused = await this.insertSorting(batch);
        this.storeDown = false;
        return refused;
      } catch (e) {
        this.storeDown = true;
        this.report('the store refused a batch of journaled predictions; retrying', e);
        if (this.stopping) throw new Stopped();
        await this.sleep(backoff);
        if (this.stopping) throw new Stopped();
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
      }
    }
  }

  /** Halves a batch the store refuses as invalid until the bad records are found, so one never blocks a segment. */
  private async insertSorting(batch: readonly EncodedPrediction[]): Promise<RefusedRecord[]> {
    try {
      await this.log.insert(batch);
      return [];
    } catch (e) {
      if (!isInvalidRecord(e)) throw e;
      if (batch.length === 1) {
        this.report(`the store refused prediction ${batch[0]!.id}; it is kept in ${join(this.root, REJECTED_DIR)}`, e);
        return [{ record: batch[0]!, error: e instanceof Error ? e.message : String(e) }];
      }
      const half = batch.length >> 1;
      return [...(await this.insertSorting(batch.slice(0, half))), ...(await this.insertSorting(batch.slice(half)))];
    }
  }

  private async keepRejected(refused: readonly RefusedRecord[]): Promise<void> {
    await appendRejected(this.root, refused);
    this.counts.rejected += refused.length;
  }

  private journalDirs(): { dir: string; pid: number; startMs: number }[] {
    let names: string[];
    try {
      names = readdirSync(this.root);
    } catch {
      return [];
    }
    const dirs: { dir: string; pid: number; startMs: number }[] = [];
    for (const name of names) {
      const m = JOURNAL_DIR.exec(name);
      if (m !== null) dirs.push({ dir: join(this.root, name), pid: Number(m[1]), startMs: Number(m[2]) });
    }
    return dirs.sort((a, b) => a.startMs - b.startMs);
  }

  private sample(): void {
    const now = Date.now();
    this.samples.push({ at: now, shipped: this.counts.recordsShipped });
    while (this.samples.length > 1 && now - this.samples[0]!.at > RATE_WINDOW_MS) this.samples.shift();
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private report(message: string, error: unknown): void {
    this.lastError = error === undefined ? message : `${message}: ${error instanceof Error ? error.message : String(error)}`;
    try {
      this.options.onError?.(message, error);
    } catch {
      // A failing logger must not stop the shipper.
    }
  }
}
