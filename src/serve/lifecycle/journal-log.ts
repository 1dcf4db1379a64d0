import { Journal, ShipperThread, type JournalStats, type ShipperStats } from '../../store/prediction-log/index.js';
import type { PredictionRecord } from '../../store/index.js';
import type { PredictionSink } from '../predict.js';

export interface JournalLogOptions {
  /** The journal root, shared by every serving process of the store (each writes its own folder). */
  dir: string;
  /** The store's URI, for the shipper thread's own connection. */
  storeUri: string;
  /** 'always': fsync every turn; a number: group commit, fsync at most that many ms after a write. */
  sync: 'always' | number;
  /** Past this many unshipped bytes the server answers 503. */
  maxBytes: number;
  onError?: (message: string) => void;
}

/** How long a record stays findable in memory for feedback that comes before the shipper stored it. */
const RECENT_MS = 10_000;

/**
 * The server's prediction log: the journal (written before each turn's answers) and its shipper thread
 * (closed segments into the store, this process's and those dead processes left). Records of the last
 * seconds stay findable by id, so feedback that races its prediction to the store still finds it.
 */
export class JournalLog implements PredictionSink {
  private readonly journal: Journal;
  private readonly shipper: ShipperThread;
  /** Two generations of recent records: `find` looks in both; every RECENT_MS the older is dropped. */
  private recent = new Map<string, PredictionRecord>();
  private older = new Map<string, PredictionRecord>();
  private readonly timer: NodeJS.Timeout;
  private commitScheduled = false;

  constructor(options: JournalLogOptions) {
    this.journal = new Journal({ dir: options.dir, sync: options.sync === 'always' ? 'always' : { everyMs: options.sync }, maxBytes: options.maxBytes, onUnencodable: (r, e) => options.onError?.(`prediction ${r.id} cannot be encoded and is left out of the journal: ${e instanceof Error ? e.message : String(e)}`) });
    this.shipper = new ShipperThread({ uri: options.storeUri, root: options.dir, ...(options.onError !== undefined ? { onError: options.onError } : {}) });
    this.timer = setInterval(() => {
      this.older = this.recent;
      this.recent = new Map();
    }, RECENT_MS / 2).unref();
  }

  record(prediction: PredictionRecord): void {
    this.journal.add(prediction);
    this.recent.set(prediction.id, prediction);
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

  find(id: string): PredictionRecord | undefined {
    return this.recent.get(id) ?? this.older.get(id);
  }

  stats(): { journal: JournalStats; shipper: ShipperStats } {
    return { journal: this.journal.stats(), shipper: this.shipper.stats() };
  }

  /** Commits and closes the journal, then lets the shipper store everything before it stops. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.journal.close();
    await this.shipper.stop(true);
  }
}
