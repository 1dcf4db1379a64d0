import { Journal, JournalLookup, ShipperThread, type JournalStats, type RetentionStats, type ShipperStats } from '../../store/prediction-log/index.js';
import type { PredictionRecord } from '../../store/index.js';
import type { LogFieldPolicy } from '../log-fields.js';
import type { LogGauges } from '../metrics.js';
import type { PredictionSink } from '../predict.js';

/** Loaded by the shipper thread (not here): see monitor-fold.ts. */
const MONITOR_FOLD_MODULE = new URL('./monitor-fold.js', import.meta.url).href;

export interface JournalLogOptions {
  /** The journal root, shared by every serving process of the store (each writes its own folder). */
  dir: string;
  /** The store's URI, for the shipper thread's own connection. */
  storeUri: string;
  /** 'always': fsync every turn; a number: group commit, fsync at most that many ms after a write. */
  sync: 'always' | number;
  /** Past this many unshipped bytes the server answers 503. */
  maxBytes: number;
  /** Fields redacted or hashed in every record (LogFieldPolicy.from). */
  fields?: LogFieldPolicy;
  /** Retention: predictions and feedback older than this many ms are removed by the shipper thread. */
  keepMs?: number;
  /** How often retention sweeps (default one hour; tests shorten it). */
  sweepEveryMs?: number;
  /** Fold shipped predictions into the monitor's window aggregates (default true). */
  monitor?: boolean;
  onError?: (message: string) => void;
}

/**
 * The server's prediction log: the journal (written before each turn's answers) and its shipper thread
 * (closed segments into the store, this process's and those dead processes left). Feedback that races its
 * prediction to the store finds it in the journal's files (`unshipped()`).
 */
export class JournalLog implements PredictionSink {
  private readonly journal: Journal;
  private readonly shipper: ShipperThread;
  private readonly root: string;
  private commitScheduled = false;
  readonly fields: LogFieldPolicy | undefined;

  constructor(options: JournalLogOptions) {
    this.fields = options.fields;
    this.root = options.dir;
    this.journal = new Journal({ dir: options.dir, sync: options.sync === 'always' ? 'always' : { everyMs: options.sync }, maxBytes: options.maxBytes, onUnencodable: (r, e) => options.onError?.(`prediction ${r.id} cannot be encoded and is left out of the journal: ${e instanceof Error ? e.message : String(e)}`) });
    this.shipper = new ShipperThread({
      uri: options.storeUri,
      root: options.dir,
      ...(options.monitor !== false ? { foldModule: MONITOR_FOLD_MODULE } : {}),
      ...(options.keepMs !== undefined ? { keepMs: options.keepMs } : {}),
      ...(options.sweepEveryMs !== undefined ? { sweepEveryMs: options.sweepEveryMs } : {}),
      ...(options.onError !== undefined ? { onError: options.onError } : {}),
    });
  }

  record(prediction: PredictionRecord): void {
    this.journal.add(prediction);
    // Answers commit at their turn's end; a record with no answer (a shadow's) is committed at the next check phase.
    if (!this.commitScheduled) {
      this.commitScheduled = true;
      setImmediate(this.commitLater);
    }
  }

  private readonly commitLater = (): void => {
    this.commitScheduled = false;
    try {
      this.journal.commit();
    } catch {
      // Kept buffered: the next turn's commit tries again, and its answers fail if it fails too.
    }
  };

  commit(): void {
    this.journal.commit();
  }

  full(): boolean {
    return this.journal.full();
  }

  unshipped(): JournalLookup {
    return new JournalLookup(this.root);
  }

  stats(): { journal: JournalStats; shipper: ShipperStats; retention: RetentionStats } {
    return { journal: this.journal.stats(), shipper: this.shipper.stats(), retention: this.shipper.retentionStats() };
  }

  gauges(): LogGauges {
    const journal = this.journal.stats();
    const shipper = this.shipper.stats();
    // This journal's oldest segment, or what the shipper waits on (a dead process's segments, a down store): the older.
    const journalLagMs = journal.oldestUnshippedMs === null ? 0 : Date.now() - journal.oldestUnshippedMs;
    return {
      journalBytes: journal.bytes,
      journalSegments: journal.segments,
      journalRecords: journal.recordsWritten,
      journalCommits: journal.commits,
      journalFsyncs: journal.fsyncs,
      lagSeconds: Math.max(journalLagMs, shipper.lagMs) / 1000,
      recordsShipped: shipper.recordsShipped,
      shipRate: shipper.recordsPerSecond,
      tornRecords: shipper.tornSkipped,
      rejected: shipper.rejected,
      storeDown: shipper.storeDown,
      predictionsExpired: this.shipper.retentionStats().predictionsRemoved,
    };
  }

  /** Commits and closes the journal, then lets the shipper store everything before it stops. */
  async close(): Promise<void> {
    this.journal.close();
    await this.shipper.stop(true);
  }
}
