import { HyperplaneError } from '../errors.js';
import type { MonitorTask } from './monitor.js';
import type { PredictionWithFeedback, Store } from '../store/index.js';
import { DEFAULT_DRIFT, type ColumnDrift, type DriftOptions } from './drift.js';
import { driftReport } from './monitor.js';
import { measure } from './quality.js';
import type { MonitorReference } from './reference.js';
import { mergeWindows, WindowFolder, type WindowAggregate } from './window.js';

/** Levels a segment view shows at most, by rows; the rest are counted in OTHER. */
export const MAX_SEGMENT_LEVELS = 20;
/** Labels the reference's levels do not name (rare at training, or never seen), and the levels beyond the cap. */
export const OTHER = '(other)';
export const MISSING = '(missing)';
/** One window spanning any range: floor(timestamp / RANGE_MS) is 0 for every date this side of year 100,000. */
const RANGE_MS = 2 ** 52;
/** Predictions read from the store per query. */
const PAGE = 5000;

/** One level of a segment column over the range: its drift against the reference and its realized quality. */
export interface SegmentLevel {
  level: string;
  rows: number;
  /** Under DriftOptions.minRows rows: reported, not judged. */
  tooFewRows?: boolean;
  /** Of the other columns: the segment's own column is the same level in every row, so it is left out. */
  driftShare: number;
  drifted: string[];
  /** The prediction score's drift. */
  prediction: ColumnDrift;
  quality: { predictions: number; labelled: number; labelledShare: number; labelDelayMs: { median: number; p90: number } | null; metrics: Record<string, number> };
}

export interface SegmentView {
  column: string;
  /** The stored hourly aggregates are not split by segment: segment views fold the raw prediction log over the range. */
  source: 'raw log';
  rows: number;
  levels: SegmentLevel[];
}

export interface SegmentOptions {
  task: MonitorTask;
  labels?: readonly string[];
  threshold?: number;
  drift?: DriftOptions;
}

/** Each segment column must be a categorical input of the reference; `what` names the model version in the error. */
export function checkSegments(reference: MonitorReference, columns: readonly string[], what: string): void {
  const categorical = Object.entries(reference.columns).flatMap(([name, sketch]) => (sketch.kind === 'categorical' ? [name] : []));
  const choices = categorical.length === 0 ? 'it has no categorical input to split by' : `its categorical inputs: ${categorical.join(', ')}`;
  for (const column of columns) {
    const sketch = reference.columns[column];
    if (sketch === undefined) throw new HyperplaneError(`segment '${column}': not an input of ${what} (${choices})`);
    if (sketch.kind !== 'categorical') throw new HyperplaneError(`segment '${column}': a numeric input of ${what}; segments split by a categorical input (${choices})`);
  }
}

interface Group {
  folder: WindowFolder;
  rows: number;
  labelled: PredictionWithFeedback[];
}

/** Folds predictions per level of each segment column, one window for the whole range. */
export class SegmentFolder {
  private readonly groups = new Map<string, Map<string, Group>>();
  private readonly levels = new Map<string, Set<string>>();

  constructor(
    private readonly reference: MonitorReference,
    private readonly columns: readonly string[],
    private readonly labels: readonly string[] | undefined,
  ) {
    checkSegments(reference, columns, 'the model');
    for (const column of columns) {
      this.groups.set(column, new Map());
      const sketch = reference.columns[column]!;
      this.levels.set(column, new Set(sketch.kind === 'categorical' ? sketch.levels : []));
    }
  }

  add(p: PredictionWithFeedback): void {
    const request = typeof p.request === 'object' && p.request !== null && !Array.isArray(p.request) ? p.request : {};
    for (const column of this.columns) {
      const label = labelOf(request[column]);
      const level = label === null ? MISSING : this.levels.get(column)!.has(label) ? label : OTHER;
      const groups = this.groups.get(column)!;
      let g = groups.get(level);
      if (g === undefined) groups.set(level, (g = { folder: new WindowFolder(this.reference, this.labels, RANGE_MS), rows: 0, labelled: [] }));
      g.folder.add(p);
      g.rows++;
      if (p.feedback !== null) g.labelled.push(p);
    }
  }

  /** Each column's levels, most rows first, MAX_SEGMENT_LEVELS at most: beyond, the least frequent are folded into OTHER. */
  views(options: SegmentOptions): SegmentView[] {
    return this.columns.map((column) => {
      const groups = [...this.groups.get(column)!.entries()].sort(([x, a], [y, b]) => b.rows - a.rows || byName(x, y));
      // Over the cap: the top levels but one, the rest (and OTHER) folded into OTHER.
      const kept = groups.length <= MAX_SEGMENT_LEVELS ? groups : groups.filter(([level]) => level !== OTHER).slice(0, MAX_SEGMENT_LEVELS - 1);
      const levels = new Map(kept.map(([level, g]) => [level, { windows: g.folder.windows(), rows: g.rows, labelled: [...g.labelled] }]));
      if (kept.length < groups.length) {
        const other = { windows: [] as WindowAggregate[], rows: 0, labelled: [] as PredictionWithFeedback[] };
        for (const [level, g] of groups) {
          if (levels.has(level)) continue;
          other.windows.push(...g.folder.windows());
          other.labelled.push(...g.labelled);
          other.rows += g.rows;
        }
        levels.set(OTHER, other);
      }
      const view = [...levels.entries()].map(([level, g]) => this.level(column, level, g.windows, g.rows, g.labelled, options));
      return { column, source: 'raw log' as const, rows: groups.reduce((s, [, g]) => s + g.rows, 0), levels: view.sort((a, b) => b.rows - a.rows || byName(a.level, b.level)) };
    });
  }

  private level(column: string, level: string, windows: WindowAggregate[], rows: number, labelled: readonly PredictionWithFeedback[], options: SegmentOptions): SegmentLevel {
    // The segment's own column holds one level throughout: against the reference's mix it always "drifts".
    const others = Object.fromEntries(Object.entries(this.reference.columns).filter(([name]) => name !== column));
    const window = mergeWindows(windows)!;
    const [w] = driftReport({ ...this.reference, columns: others }, [window], options.drift ?? DEFAULT_DRIFT).windows;
    const task = options.task === 'cluster' ? undefined : options.task;
    const q = measure(task === undefined ? [] : labelled, task ?? 'regression', options.labels ?? [], options.threshold ?? 0.5);
    return {
      level,
      rows,
      ...(w!.tooFewRows === true ? { tooFewRows: true } : {}),
      driftShare: w!.driftShare,
      drifted: w!.drifted,
      prediction: w!.prediction,
      quality: { predictions: rows, ...q, labelledShare: rows === 0 ? 0 : q.labelled / rows },
    };
  }
}

/** Segment views of a model version's predictions since `since`, read from the raw log page by page. */
export async function segmentsFromStore(store: Pick<Store, 'predictions'>, reference: MonitorReference, columns: readonly string[], query: { model: string; version: number; since: number }, options: SegmentOptions): Promise<SegmentView[]> {
  checkSegments(reference, columns, `${query.model}/${query.version}`);
  const folder = new SegmentFolder(reference, columns, options.labels);
  let cursor: string | undefined;
  for (;;) {
    const page = await store.predictions.listWithFeedback({ ...query, limit: PAGE, ...(cursor !== undefined ? { cursor } : {}) });
    for (const p of page.predictions) folder.add(p);
    if (page.nextCursor === null) return folder.views(options);
    cursor = page.nextCursor;
  }
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A request's category value as WindowFolder reads it: objects are of the wrong type (missing). */
function labelOf(v: unknown): string | null {
  if (v === null || v === undefined || v === '' || typeof v === 'object') return null;
  return typeof v === 'string' ? v : String(v);
}
