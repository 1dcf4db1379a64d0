import { close, closeSync, existsSync, fdatasync, fdatasyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { PredictionRecord } from '../serving.js';
import { encodeHeader, encodeRecords } from './record-format.js';
import { journalDirName, segmentName, syncDir } from './segment-files.js';

export interface JournalOptions {
  /** The journal root: this journal writes in its own `<dir>/<pid>-<startMs>/` (see segment-files.ts). */
  dir: string;
  /** 'always': fdatasync at every commit; `{ everyMs }`: at most that long after a commit (group commit). */
  sync: 'always' | { everyMs: number };
  /** `full()` from this many bytes of unshipped segments. */
  maxBytes: number;
  /** A segment is closed once it passes this size. Default 8 MiB. */
  segmentBytes?: number;
  /** …or once its first record is this old, so the shipper gets it soon. Default 500 ms. */
  segmentMaxAgeMs?: number;
  /** Told of a record left out because it cannot be encoded, for the server's log. */
  onUnencodable?: (record: PredictionRecord, error: unknown) => void;
}

export interface JournalStats {
  /** Bytes of this journal's unshipped segments, the open one included. */
  bytes: number;
  /** Unshipped segments, the open one included. */
  segments: number;
  recordsWritten: number;
  commits: number;
  fsyncs: number;
  /** Records left out because they could not be encoded (never the case for the server's own records). */
  unencodable: number;
  /** When the oldest unshipped segment was started (epoch ms), null when all is shipped. */
  oldestUnshippedMs: number | null;
}

interface OpenSegment {
  fd: number;
  seq: number;
  bytes: number;
  createdMs: number;
  /** Group-commit fdatasyncs running on libuv's thread pool: the fd is closed only after them. */
  syncsInFlight: number;
  closeWhenSynced: boolean;
}

interface ClosedSegment {
  path: string;
  bytes: number;
  createdMs: number;
}

const DEFAULT_SEGMENT_BYTES = 8 * 1024 * 1024;
const DEFAULT_SEGMENT_MAX_AGE_MS = 500;
/** How often the timer fsyncs (group commit), rotates an old segment, and notices shipped segments. */
const MAX_TICK_MS = 100;

/**
 * A serving process's write-ahead journal of predictions. `add` buffers; `commit` appends everything
 * buffered with one synchronous write, so once it returns the records are in the page cache and survive
 * the process being killed (not the machine failing, until the next fsync: at once with sync 'always',
 * within `everyMs` otherwise, on the thread pool). The server commits once per
 * event-loop turn before writing that turn's answers: answered ⇒ journaled.
 *
 * `full()` is for the server to check before answering: when the shipper cannot keep up (the store is
 * down), the journal stops growing past `maxBytes` and the server answers 503 rather than lose records.
 */
export class Journal {
  readonly dir: string;
  private readonly syncEveryMs: number | undefined;
  private readonly maxBytes: number;
  private readonly segmentBytes: number;
  private readonly segmentMaxAgeMs: number;
  private buffered: PredictionRecord[] = [];
  private open: OpenSegment | undefined;
  private readonly closed: ClosedSegment[] = [];
  private closedBytes = 0;
  private nextSeq = 1;
  private unsynced = false;
  private lastSyncMs = Date.now();
  private readonly timer: NodeJS.Timeout;
  private closedForGood = false;
  /** Rotated segments whose fd waits for an fdatasync in flight before it is closed. */
  private readonly retiring = new Set<OpenSegment>();
  private readonly counts = { recordsWritten: 0, commits: 0, fsyncs: 0, unencodable: 0 };
  private readonly onUnencodable: ((record: PredictionRecord, error: unknown) => void) | undefined;

  constructor(options: JournalOptions) {
    this.syncEveryMs = options.sync === 'always' ? undefined : options.sync.everyMs;
    this.maxBytes = options.maxBytes;
    this.segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.segmentMaxAgeMs = options.segmentMaxAgeMs ?? DEFAULT_SEGMENT_MAX_AGE_MS;
    this.onUnencodable = options.onUnencodable;
    mkdirSync(options.dir, { recursive: true });
    let start = Date.now();
    for (;;) {
      const dir = join(options.dir, journalDirName(process.pid, start));
      try {
        mkdirSync(dir);
        this.dir = dir;
        break;
      } catch (e) {
        // A second journal of this process in the same millisecond.
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        start++;
      }
    }
    const tick = Math.max(1, Math.min(MAX_TICK_MS, this.syncEveryMs ?? MAX_TICK_MS, this.segmentMaxAgeMs / 4));
    this.timer = setInterval(() => this.housekeep(), tick).unref();
  }

  /** Buffers a record for the next commit: no I/O. */
  add(record: PredictionRecord): void {
    this.buffered.push(record);
  }

  /** Records added since the last commit. */
  get pending(): number {
    return this.buffered.length;
  }

  /**
   * Appends everything buffered to the open segment as one write (and fdatasyncs it with sync 'always').
   * On failure (a full disk) the records stay buffered for the next commit and the error is thrown: the
   * caller must not answer for them; the segment, perhaps with half a record at its end, is closed, since
   * a reader stops at a torn record and would never see what came after it.
   */
  commit(): void {
    if (this.closedForGood) throw new Error(`the prediction journal ${this.dir} is closed`);
    if (this.buffered.length === 0) return;
    const unencodableBefore = this.counts.unencodable;
    const body = encodeRecords(this.buffered, (record, error) => {
      this.counts.unencodable++;
      this.onUnencodable?.(record, error);
    });
    const written = this.buffered.length - (this.counts.unencodable - unencodableBefore);
    if (written === 0) {
      this.buffered = [];
      return;
    }
    const now = Date.now();
    let segment = this.open;
    let bytes = body;
    if (segment === undefined) {
      const fd = openSync(join(this.dir, segmentName(this.nextSeq, true)), 'wx');
      segment = this.open = { fd, seq: this.nextSeq++, bytes: 0, createdMs: now, syncsInFlight: 0, closeWhenSynced: false };
      // The header goes with the first records, in the same write.
      bytes = Buffer.concat([encodeHeader(process.pid, now), body]);
    }
    try {
      writeFully(segment.fd, bytes);
    } catch (e) {
      this.rotateQuietly();
      throw e;
    }
    segment.bytes += bytes.length;
    this.counts.recordsWritten += written;
    this.counts.commits++;
    this.buffered = [];
    if (this.syncEveryMs === undefined) {
      this.syncNow(segment);
      // A new file's directory entry must be durable too, or a power cut could lose the file whole.
      if (bytes !== body) syncDir(this.dir);
    } else this.unsynced = true;
    if (segment.bytes >= this.segmentBytes) this.rotate();
  }

  /** Closes the open segment if its first record is older than `ageMs`, so a shipper can take it. */
  rotateIfOlder(ageMs: number): void {
    if (this.open !== undefined && Date.now() - this.open.createdMs >= ageMs) this.rotate();
  }

  /**
   * Closes the open segment: renamed to `.seg` at once (the next commit starts a new one), its fd closed
   * once its last group-commit fdatasync is done. Nothing here waits on the disk: rotation runs on the
   * serving thread. A `.seg` whose tail a power cut lost reads as torn, as a dead writer's `.open` does.
   */
  rotate(): void {
    const segment = this.open;
    if (segment === undefined) return;
    this.open = undefined;
    const path = join(this.dir, segmentName(segment.seq, false));
    renameSync(join(this.dir, segmentName(segment.seq, true)), path);
    this.closed.push({ path, bytes: segment.bytes, createdMs: segment.createdMs });
    this.closedBytes += segment.bytes;
    if (this.unsynced) this.syncInBackground(segment);
    if (segment.syncsInFlight === 0) closeSync(segment.fd);
    else {
      segment.closeWhenSynced = true;
      this.retiring.add(segment);
    }
  }

  /** Bytes of this journal's unshipped segments (tracked as they are written and shipped, not listed). */
  bytes(): number {
    return this.closedBytes + (this.open?.bytes ?? 0);
  }

  /** True when the unshipped segments reach `maxBytes`: the server should refuse new predictions (503) before answering. */
  full(): boolean {
    return this.bytes() >= this.maxBytes;
  }

  /** Forgets closed segments that a shipper has deleted (oldest first, as shipped). The timer calls it too. */
  noticeShipped(): void {
    while (this.closed.length > 0 && !existsSync(this.closed[0]!.path)) {
      this.closedBytes -= this.closed.shift()!.bytes;
    }
  }

  stats(): JournalStats {
    const oldest = this.closed[0]?.createdMs ?? this.open?.createdMs ?? null;
    return { bytes: this.bytes(), segments: this.closed.length + (this.open === undefined ? 0 : 1), ...this.counts, oldestUnshippedMs: oldest };
  }

  /** Commits what is buffered, fsyncs every segment, and closes the open one: the journal holds closed segments only. */
  close(): void {
    if (this.closedForGood) return;
    clearInterval(this.timer);
    try {
      this.commit();
      if (this.open !== undefined && this.unsynced) this.syncNow(this.open);
      this.rotate();
      // Segments rotated with an fdatasync still in flight: synced here too, so close() means durable.
      for (const segment of this.retiring) fdatasyncSync(segment.fd);
      syncDir(this.dir);
    } finally {
      this.closedForGood = true;
    }
  }

  private syncNow(segment: OpenSegment): void {
    fdatasyncSync(segment.fd);
    this.counts.fsyncs++;
    this.unsynced = false;
    this.lastSyncMs = Date.now();
  }

  /** Group commit: the fdatasync runs on the thread pool, so the serving thread never waits on the disk. */
  private syncInBackground(segment: OpenSegment): void {
    this.unsynced = false;
    this.lastSyncMs = Date.now();
    segment.syncsInFlight++;
    fdatasync(segment.fd, (error) => {
      segment.syncsInFlight--;
      if (error === null) this.counts.fsyncs++;
      if (segment.closeWhenSynced && segment.syncsInFlight === 0) {
        this.retiring.delete(segment);
        close(segment.fd, () => undefined);
      }
    });
  }

  private housekeep(): void {
    try {
      const now = Date.now();
      if (this.unsynced && this.open !== undefined && this.syncEveryMs !== undefined && now - this.lastSyncMs >= this.syncEveryMs) this.syncInBackground(this.open);
      this.rotateIfOlder(this.segmentMaxAgeMs);
      this.noticeShipped();
    } catch {
      // The next commit meets the same disk and throws to its caller; the timer must not crash the process.
    }
  }

  /** After a failed write: close the segment as it is, so later records go to a fresh one. */
  private rotateQuietly(): void {
    const segment = this.open;
    try {
      this.rotate();
    } catch {
      // It could not be renamed: it stays `.open`, and is shipped as a dead writer's once this process is gone.
      this.open = undefined;
      if (segment !== undefined && segment.syncsInFlight === 0) {
        try {
          closeSync(segment.fd);
        } catch {
          // Already unusable.
        }
      }
    }
  }
}

function writeFully(fd: number, bytes: Buffer): void {
  let at = 0;
  // A regular file takes the whole buffer in one write; the loop is for the rare short write.
  while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
}
