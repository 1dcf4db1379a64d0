import type { EncodedPrediction, MonitorWindows, WindowPart } from '../store/index.js';
import type { ShipFold } from '../store/prediction-log/shipper.js';
import type { MonitorReference } from './reference.js';
import { HOUR_MS, mergeWindows, WindowFolder, type WindowAggregate } from './window.js';

/**
 * Rows each shipped part samples for the multivariate check: parts merge into a sample of this size per
 * stored hour, so it bounds what every hour adds to the store (about 200 × columns values).
 */
export const SHIPPED_SAMPLE_ROWS = 200;

/** How long a version found without a reference is taken as having none before asking again. */
const ASK_AGAIN_MS = 10 * 60_000;

/** A model version's monitoring reference and its target's labels; undefined when its package keeps none. */
export type ReferenceLookup = (model: string, version: number) => Promise<{ reference: MonitorReference; labels?: readonly string[] } | undefined>;

/**
 * Folding as predictions ship: each segment's stored records are summarized per model version into
 * hourly window aggregates on the version's reference bins, and merged into the store's. Requests and
 * answers are read once here (their JSON text scanned, not parsed into objects), never again by a report.
 */
export function shipFold(windows: Pick<MonitorWindows, 'fold'>, lookup: ReferenceLookup, windowMs = HOUR_MS): ShipFold {
  // A version's reference never changes: looked up once. Having none is asked again after a while (one
  // may be rebuilt for an old package meanwhile); a failed lookup (the store down) at the next segment.
  const references = new Map<string, { found: ReturnType<ReferenceLookup>; at: number; missing?: boolean }>();
  const referenceOf = (model: string, version: number): ReturnType<ReferenceLookup> => {
    const key = `${model}/${version}`;
    const now = Date.now();
    const known = references.get(key);
    if (known !== undefined && !(known.missing === true && now - known.at > ASK_AGAIN_MS)) return known.found;
    const entry: { found: ReturnType<ReferenceLookup>; at: number; missing?: boolean } = { found: Promise.resolve(undefined), at: now };
    entry.found = lookup(model, version).then(
      (r) => {
        if (r === undefined) entry.missing = true;
        return r;
      },
      (e: unknown) => {
        references.delete(key);
        throw e;
      },
    );
    references.set(key, entry);
    return entry.found;
  };
  return {
    windows,
    async summarize(records: readonly EncodedPrediction[]): Promise<WindowPart[]> {
      const byVersion = new Map<string, EncodedPrediction[]>();
      for (const r of records) {
        const key = `${r.model}\u0000${r.version}`;
        const list = byVersion.get(key);
        if (list === undefined) byVersion.set(key, [r]);
        else list.push(r);
      }
      const parts: WindowPart[] = [];
      for (const list of byVersion.values()) {
        const { model, version } = list[0]!;
        const found = await referenceOf(model, version);
        if (found === undefined) continue;
        const folder = new WindowFolder(found.reference, found.labels, windowMs, SHIPPED_SAMPLE_ROWS);
        for (const r of list) folder.addText(r.version, r.timestamp, r.requestJson, r.responseJson);
        for (const w of folder.windows()) parts.push({ model, version, start: w.start, windowMs, rows: w.rows, aggregate: JSON.stringify(w) });
      }
      return parts;
    },
    merge: mergeAggregates,
  };
}

/** Two stored aggregates of one window as one. */
export function mergeAggregates(a: string, b: string): string {
  return JSON.stringify(mergeWindows([JSON.parse(a) as WindowAggregate, JSON.parse(b) as WindowAggregate], SHIPPED_SAMPLE_ROWS));
}
