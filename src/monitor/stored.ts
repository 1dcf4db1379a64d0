import type { PredictionWithFeedback, Store } from '../store/index.js';
import { countArms, type ArmCount } from './arms.js';
import { reportFromWindows, type MonitorOptions, type MonitorReport } from './monitor.js';
import type { MonitorReference } from './reference.js';
import { HOUR_MS, mergeWindows, WindowFolder, type WindowAggregate } from './window.js';

/** Predictions read from the store per query. */
const PAGE = 5000;

export interface StoredReport {
  report: MonitorReport;
  /** The windows the report was made from, oldest first. */
  windows: WindowAggregate[];
  /** Hours read from the aggregates folded as predictions shipped, and hours folded again from the raw log (predictions stored some other way, or not folded yet). */
  hours: { aggregated: number; refolded: number };
}

/**
 * A model version's report from the store: drift and estimated quality from the hourly aggregates folded
 * as predictions shipped (the raw log is read again only for an hour whose aggregate holds fewer rows
 * than the log: predictions stored without shipping, or shipped a moment before their fold), realized
 * quality from the predictions that received outcomes. Windows are whole hours (`since` is taken back to
 * its hour); a window that is not a whole number of hours folds the raw log.
 */
export async function monitorFromStore(store: Pick<Store, 'monitorWindows' | 'predictions'>, reference: MonitorReference, options: MonitorOptions): Promise<StoredReport> {
  const windowMs = options.windowMs ?? HOUR_MS;
  const { model, version } = options;
  const labelled = await readAll(store, { model, version, since: options.since, labelled: true });
  if (windowMs % HOUR_MS !== 0) {
    const folder = new WindowFolder(reference, options.labels, windowMs);
    const all = await readAll(store, { model, version, since: options.since });
    for (const p of all) folder.add(p);
    const windows = folder.windows();
    return { report: reportFromWindows(reference, windows, labelled, { ...options, windowMs }, countArms(all, windowMs)), windows, hours: { aggregated: 0, refolded: 0 } };
  }
  const since = Math.floor(options.since / HOUR_MS) * HOUR_MS;
  const stored = new Map((await store.monitorWindows.list({ model, version, windowMs: HOUR_MS, since })).map((w) => [w.start, w]));
  // Per arm in the same query: per-arm quality counts each arm's labelled share against it.
  const { counts, arms } = hourCounts(await store.predictions.countByWindow({ model, version, since }, HOUR_MS, { byArm: true }), version);
  const hours: WindowAggregate[] = [];
  const tally = { aggregated: 0, refolded: 0 };
  for (const { start, rows } of counts) {
    const kept = stored.get(start);
    stored.delete(start);
    if (kept !== undefined && kept.rows >= rows) {
      hours.push(JSON.parse(kept.aggregate) as WindowAggregate);
      tally.aggregated++;
      continue;
    }
    const folder = new WindowFolder(reference, options.labels, HOUR_MS);
    for (const p of await readAll(store, { model, version, since: start, until: start + HOUR_MS })) folder.add(p);
    hours.push(...folder.windows());
    tally.refolded++;
  }
  // Hours whose raw predictions retention has removed: their aggregates outlive them.
  for (const kept of stored.values()) {
    hours.push(JSON.parse(kept.aggregate) as WindowAggregate);
    tally.aggregated++;
  }
  const windows = group(hours.sort((a, b) => a.start - b.start), windowMs);
  return { report: reportFromWindows(reference, windows, labelled, { ...options, since, windowMs }, arms), windows, hours: tally };
}

/** countByWindow's rows by hour and arm: each hour's total, and the arms' counts (predictions with no arm left out). */
function hourCounts(rows: readonly { start: number; rows: number; arm?: string | null }[], version: number): { counts: { start: number; rows: number }[]; arms: ArmCount[] } {
  const counts: { start: number; rows: number }[] = [];
  const arms: ArmCount[] = [];
  for (const r of rows) {
    const last = counts[counts.length - 1];
    if (last !== undefined && last.start === r.start) last.rows += r.rows;
    else counts.push({ start: r.start, rows: r.rows });
    if (r.arm !== null && r.arm !== undefined) arms.push({ version, start: r.start, arm: r.arm, rows: r.rows });
  }
  return { counts, arms };
}

/** Hourly windows merged into windows of `windowMs` (a whole number of hours), aligned to multiples of it. */
function group(hours: readonly WindowAggregate[], windowMs: number): WindowAggregate[] {
  if (windowMs === HOUR_MS) return [...hours];
  const byStart = new Map<number, WindowAggregate[]>();
  for (const h of hours) {
    const start = Math.floor(h.start / windowMs) * windowMs;
    const list = byStart.get(start);
    if (list === undefined) byStart.set(start, [h]);
    else list.push(h);
  }
  return [...byStart.entries()].map(([start, list]) => ({ ...mergeWindows(list)!, start, end: start + windowMs }));
}

async function readAll(store: Pick<Store, 'predictions'>, query: { model: string; version: number; since: number; until?: number; labelled?: boolean }): Promise<PredictionWithFeedback[]> {
  const out: PredictionWithFeedback[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await store.predictions.listWithFeedback({ ...query, limit: PAGE, ...(cursor !== undefined ? { cursor } : {}) });
    for (const p of page.predictions) out.push(p);
    if (page.nextCursor === null) return out;
    cursor = page.nextCursor;
  }
}

