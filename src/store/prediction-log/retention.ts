import type { MonitorWindows } from '../monitor-windows.js';
import type { FeedbackLog, PredictionLog } from '../serving.js';

/** Monitoring's hourly aggregates outlive the raw log they summarize (a year of drift history is small), up to this long at least. */
export const WINDOWS_KEEP_MS = 400 * 86_400_000;

export interface RetentionOptions {
  predictions: Pick<PredictionLog, 'list' | 'deleteBefore'>;
  feedback: Pick<FeedbackLog, 'list' | 'deleteBefore'>;
  /** Monitoring's aggregates: removed past the longer of `keepMs` and WINDOWS_KEEP_MS. */
  windows?: Pick<MonitorWindows, 'deleteBefore'>;
  /** Records older than this many ms are removed. */
  keepMs: number;
  /** Whether to stop between two statements (the thread is stopping). */
  stopping?: () => boolean;
  /** Rows one DELETE should remove, about: the time slice a statement covers is adapted toward it. Default 10,000. */
  rowsPerStatement?: number;
}

export interface RetentionStats {
  predictionsRemoved: number;
  feedbackRemoved: number;
  /** When the last sweep finished (epoch ms), null before the first. */
  lastSweepMs: number | null;
}

/** Small, so a dense first minute is still a short statement; doubling reaches years of sparse history in ~20. */
const FIRST_SLICE_MS = 60 * 1000;
const MIN_SLICE_MS = 1000;
/** Between two statements: lets the serving processes' writes (feedback, keys) take SQLite's write lock. */
const PAUSE_MS = 5;

/**
 * Removes predictions, and feedback, older than the window. Feedback goes by its own time: feedback
 * older than the window is past any reward window the window allows, and feedback on a prediction just
 * removed no longer joins to anything, so it is dead weight until its own time passes too.
 * Each table is swept in time slices, oldest first, so that no one DELETE holds SQLite's write lock for
 * long: a slice's length is halved when it removed far more than `rowsPerStatement` and doubled when far
 * fewer, so years of sparse history and an hour of dense traffic both take bounded statements.
 */
export async function sweep(options: RetentionOptions, now = Date.now()): Promise<{ predictions: number; feedback: number }> {
  const cutoff = now - options.keepMs;
  const target = options.rowsPerStatement ?? 10_000;
  const stopping = options.stopping ?? (() => false);
  const oldestPrediction = async (): Promise<number | undefined> => (await options.predictions.list({ limit: 1 })).predictions[0]?.timestamp;
  const oldestFeedback = async (): Promise<number | undefined> => (await options.feedback.list({ limit: 1 }))[0]?.timestamp;
  const predictions = await sweepTable(oldestPrediction, (before) => options.predictions.deleteBefore(before), cutoff, target, stopping);
  const feedback = await sweepTable(oldestFeedback, (before) => options.feedback.deleteBefore(before), cutoff, target, stopping);
  // A few rows an hour per model version: one statement.
  if (options.windows !== undefined && !stopping()) await options.windows.deleteBefore(now - Math.max(options.keepMs, WINDOWS_KEEP_MS));
  return { predictions, feedback };
}

async function sweepTable(oldest: () => Promise<number | undefined>, deleteBefore: (before: number) => Promise<number>, cutoff: number, target: number, stopping: () => boolean): Promise<number> {
  const first = await oldest();
  if (first === undefined || first >= cutoff) return 0;
  let removed = 0;
  let slice = FIRST_SLICE_MS;
  let from = first;
  while (from < cutoff && !stopping()) {
    const until = Math.min(cutoff, from + slice);
    const n = await deleteBefore(until);
    removed += n;
    from = until;
    if (n > target * 2) slice = Math.max(MIN_SLICE_MS, Math.floor(slice / 2));
    else if (n < target / 4) slice *= 2;
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  }
  return removed;
}
