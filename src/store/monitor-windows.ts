/**
 * Monitoring's window aggregates as the store keeps them: the summary itself is the monitor's (JSON
 * text here), so the store stays ignorant of its shape and merges it through the function it is given.
 */
export interface WindowPart {
  model: string;
  version: number;
  /** Epoch ms, a multiple of `windowMs`. */
  start: number;
  windowMs: number;
  rows: number;
  /** The monitor's summary of these rows, as JSON text. */
  aggregate: string;
}

export interface StoredWindow extends WindowPart {
  updatedAt: number;
}

/** A journal segment's parts: segments are numbered in writing order within their journal directory. */
export interface SegmentParts {
  seq: number;
  parts: readonly WindowPart[];
}

export interface WindowQuery {
  model: string;
  version?: number;
  windowMs: number;
  /** Windows starting at or after (epoch ms). */
  since?: number;
  /** Windows starting before (epoch ms). */
  until?: number;
}

export interface MonitorWindows {
  /**
   * Merges a journal's segments' parts into the stored windows in one transaction, leaving out segments
   * at or below the journal's fold mark (folded already: shipped again after a crash, they are not
   * counted twice), and moves the mark to the last. Returns how many segments it folded.
   */
  fold(journal: string, segments: readonly SegmentParts[], merge: (stored: string, part: string) => string): Promise<number>;
  /** Oldest first, versions apart. */
  list(query: WindowQuery): Promise<StoredWindow[]>;
  /** The model versions with windows since a time (epoch ms): what a scheduled monitor watches. */
  watched(since: number): Promise<{ model: string; version: number }[]>;
  /** Removes windows that ended before a time (epoch ms), and fold marks not touched since then; returns the windows removed. */
  deleteBefore(before: number): Promise<number>;
}

/** A named job held by one holder until a time: several servers on one store run each scheduled job once. */
export interface Leases {
  /** Takes the lease, or renews it for its holder, for `ttlMs`; false while another holder's has not expired. */
  acquire(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Gives it up (only its holder can). */
  release(name: string, holder: string): Promise<void>;
  /** Who holds it now, if anyone. */
  holder(name: string): Promise<{ holder: string; expiresAt: number } | undefined>;
}
