import type { Prediction } from '../store/serving.js';
import { calibrationStep } from './calibration.js';
import { predictionScore, type MonitorReference } from './reference.js';
import { mergeSamples, Reservoir, SAMPLE_ROWS, seedOf, type RowSample, type SampleValue } from './reservoir.js';
import { addLabel, addNumber, addNumbersBinned, emptyCategorical, emptyNumeric, levelIndex, merge, NumericBinner, type CategoricalSketch, type ColumnSketch, type NumericSketch } from './sketch.js';

/** One window of one model version's traffic, summarized on its reference's bins. Mergeable (mergeWindows). */
export interface WindowAggregate {
  version: number;
  /** Epoch ms: [start, end). */
  start: number;
  end: number;
  rows: number;
  columns: Record<string, ColumnSketch>;
  prediction: { labels?: CategoricalSketch; score: NumericSketch };
  /**
   * Binary classifiers with a calibration: rows per calibration step, by the class answered. Expected
   * accuracy and AUC (CBPE) depend on nothing else (see estimateFromSteps), so they merge exactly.
   */
  steps?: { positive: number[]; negative: number[] };
  /** A uniform sample of the window's rows (the reference's columns), for the multivariate check. Absent in windows folded before it was kept. */
  sample?: RowSample;
}

/** Default window: an hour. */
export const HOUR_MS = 3_600_000;

interface Slot {
  aggregate: WindowAggregate;
  indexes: Map<string, Map<string, number>>;
  /** The aggregate's column sketches in `names` order, and the categorical ones' level indexes: no lookups per record. */
  sketches: ColumnSketch[];
  levelIndexes: (Map<string, number> | undefined)[];
  reservoir: Reservoir;
}

/**
 * Folds logged predictions into windows of `windowMs` per model version, on the reference's bins. What
 * a request sent is read as a row of the reference's columns: numbers (a numeric string is a number;
 * anything else, or nothing, is missing) and labels (booleans and numbers as their text). A value of the
 * wrong type (not a number where training had numbers, an object where it had labels) is missing, as
 * the model reads it, and counted as invalid too.
 */
export class WindowFolder {
  private readonly slots = new Map<string, Slot>();
  private readonly known = new Map<string, Set<string>>();
  private readonly names: string[];
  private readonly knownByColumn: (Set<string> | undefined)[];
  /** The slot of the last record: traffic arrives in time order, so nearly every record is in it. */
  private last: { version: number; start: number; slot: Slot } | undefined;

  constructor(
    private readonly reference: MonitorReference,
    /** The target's labels, for a classifier's probabilities: class 1 of a binary target is the one watched. */
    private readonly labels: readonly string[] | undefined,
    private readonly windowMs = HOUR_MS,
    /** Rows each window's sample keeps: each costs a row of numbers in the stored aggregate. */
    private readonly sampleRows = SAMPLE_ROWS,
  ) {
    for (const [name, sketch] of Object.entries(reference.columns)) if (sketch.kind === 'categorical') this.known.set(name, new Set(sketch.otherLevels ?? []));
    this.names = Object.keys(reference.columns);
    this.knownByColumn = this.names.map((name) => this.known.get(name));
  }

  add(p: Prediction): void {
    const start = Math.floor(p.timestamp / this.windowMs) * this.windowMs;
    const last = this.last;
    const slot = last !== undefined && last.start === start && last.version === p.version ? last.slot : this.slot(p.version, start);
    const w = slot.aggregate;
    w.rows++;
    const row = isRecord(p.request) ? p.request : {};
    const { sketches, levelIndexes } = slot;
    for (let j = 0; j < sketches.length; j++) {
      const sketch = sketches[j]!;
      const v = row[this.names[j]!];
      if (sketch.kind === 'numeric') {
        if (typeof v === 'number') addNumber(sketch, v);
        else {
          const x = asNumber(v);
          addNumber(sketch, x);
          if (!Number.isFinite(x) && !isBlank(v) && sketch.invalid !== undefined) sketch.invalid++;
        }
      } else {
        addLabel(sketch, levelIndexes[j]!, labelOf(v), this.knownByColumn[j]);
        if (typeof v === 'object' && v !== null && sketch.invalid !== undefined) sketch.invalid++;
      }
    }
    const at = slot.reservoir.offer();
    if (at >= 0) w.sample!.rows[at] = sketches.map((sketch, j): SampleValue => (sketch.kind === 'numeric' ? finiteOrNull(asNumber(row[this.names[j]!])) : labelOf(row[this.names[j]!])));
    const response = isRecord(p.response) ? p.response : {};
    const score = this.scoreOf(response);
    addNumber(w.prediction.score, score);
    if (w.steps !== undefined && Number.isFinite(score)) {
      const step = calibrationStep(this.reference.prediction.calibration!, score);
      if (asLabel(response['prediction']) === this.labels![1]) w.steps.positive[step]!++;
      else w.steps.negative[step]!++;
    }
    if (w.prediction.labels !== undefined) addLabel(w.prediction.labels, slot.indexes.get('\u0000prediction')!, asLabel(response['prediction']));
  }

  private binners: Map<string, NumericBinner> | undefined;

  /**
   * Folds a batch already in columns (as a columnar reader or the shipper's decoder gives them): each
   * numeric column's values, row-aligned with `timestamps`; a run of rows in one window folds column by
   * column. Columns the reference has but the batch lacks count as missing; category columns and
   * predictions go through add().
   */
  addColumns(version: number, timestamps: ArrayLike<number>, numbers: Readonly<Record<string, ArrayLike<number>>>): void {
    this.binners ??= new Map(Object.entries(this.reference.columns).flatMap(([name, sk]) => (sk.kind === 'numeric' ? [[name, new NumericBinner(sk.edges)] as const] : [])));
    const n = timestamps.length;
    // Each sampled column's values (category columns are not in the batch: missing, as their sketches count them).
    const arrays = this.names.map((name) => (this.reference.columns[name]!.kind === 'numeric' ? numbers[name] : undefined));
    for (let from = 0; from < n; ) {
      const start = Math.floor(timestamps[from]! / this.windowMs) * this.windowMs;
      let to = from + 1;
      while (to < n && timestamps[to]! >= start && timestamps[to]! < start + this.windowMs) to++;
      const slot = this.slot(version, start);
      slot.aggregate.rows += to - from;
      const sampled = slot.aggregate.sample!.rows;
      slot.reservoir.offerMany(to - from, (offset, at) => {
        const row = new Array<SampleValue>(arrays.length);
        for (let j = 0; j < arrays.length; j++) {
          const a = arrays[j];
          row[j] = a === undefined ? null : finiteOrNull(a[from + offset]!);
        }
        sampled[at] = row;
      });
      for (const [name, binner] of this.binners) {
        const sketch = slot.aggregate.columns[name] as NumericSketch;
        const values = numbers[name];
        if (values === undefined) sketch.missing += to - from;
        else addNumbersBinned(sketch, binner, values, from, to);
      }
      from = to;
    }
  }

  /** The windows, oldest first (versions apart). */
  windows(): WindowAggregate[] {
    return [...this.slots.values()].map((s) => s.aggregate).sort((a, b) => a.start - b.start || a.version - b.version);
  }

  private scoreOf(response: Record<string, unknown>): number {
    const probabilities = response['probabilities'];
    if (isRecord(probabilities) && this.labels !== undefined) return predictionScore(this.labels.map((l) => asNumber(probabilities[l])));
    return asNumber(response['prediction']);
  }

  private slot(version: number, start: number): Slot {
    const key = `${version}/${start}`;
    let slot = this.slots.get(key);
    if (slot === undefined) {
      const r = this.reference;
      const columns: Record<string, ColumnSketch> = {};
      const indexes = new Map<string, Map<string, number>>();
      for (const [name, sketch] of Object.entries(r.columns)) {
        if (sketch.kind === 'numeric') columns[name] = emptyNumeric(sketch.edges);
        else {
          const empty = emptyCategorical(sketch.levels);
          columns[name] = empty;
          indexes.set(name, levelIndex(empty));
        }
      }
      const labels = r.prediction.labels === undefined ? undefined : emptyCategorical(r.prediction.labels.levels);
      if (labels !== undefined) indexes.set('\u0000prediction', levelIndex(labels));
      const steps = r.prediction.calibration !== undefined && this.labels?.length === 2 ? r.prediction.calibration.upper.length : 0;
      const sample: RowSample = { columns: [...this.names], seen: 0, rows: [] };
      slot = {
        aggregate: {
          version,
          start,
          end: start + this.windowMs,
          rows: 0,
          columns,
          prediction: { score: emptyNumeric(r.prediction.score.edges), ...(labels !== undefined ? { labels } : {}) },
          sample,
          ...(steps > 0 ? { steps: { positive: new Array<number>(steps).fill(0), negative: new Array<number>(steps).fill(0) } } : {}),
        },
        indexes,
        sketches: this.names.map((name) => columns[name]!),
        levelIndexes: this.names.map((name) => indexes.get(name)),
        reservoir: new Reservoir(sample, this.sampleRows, seedOf(version, start)),
      };
      this.slots.set(key, slot);
    }
    this.last = { version, start, slot };
    return slot;
  }
}

/** Windows merged into one (a day of hours, several servers): same reference, same version or not. */
export function mergeWindows(windows: readonly WindowAggregate[], sampleRows = SAMPLE_ROWS): WindowAggregate | undefined {
  if (windows.length === 0) return undefined;
  return windows.slice(1).reduce<WindowAggregate>((a, b) => {
    const columns: Record<string, ColumnSketch> = {};
    for (const name of Object.keys(a.columns)) columns[name] = merge(a.columns[name]!, b.columns[name]!);
    const labels = a.prediction.labels !== undefined && b.prediction.labels !== undefined ? merge(a.prediction.labels, b.prediction.labels) : undefined;
    // Step counts merge when both sides kept them (an aggregate from before they were kept has none).
    const steps = a.steps !== undefined && b.steps !== undefined && a.steps.positive.length === b.steps.positive.length ? { positive: a.steps.positive.map((v, k) => v + b.steps!.positive[k]!), negative: a.steps.negative.map((v, k) => v + b.steps!.negative[k]!) } : undefined;
    // A sample stands for its window only where every window merged kept one.
    const sample = a.sample !== undefined && b.sample !== undefined ? mergeSamples(a.sample, b.sample, sampleRows) : undefined;
    return { version: a.version === b.version ? a.version : -1, start: Math.min(a.start, b.start), end: Math.max(a.end, b.end), rows: a.rows + b.rows, columns, prediction: { score: merge(a.prediction.score, b.prediction.score), ...(labels !== undefined ? { labels } : {}) }, ...(sample !== undefined ? { sample } : {}), ...(steps !== undefined ? { steps } : {}) };
  }, windows[0]!);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return NaN;
}

function isBlank(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
}

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** A request's category value: an object (or array) is of the wrong type, read as missing. */
function labelOf(v: unknown): string | null {
  return typeof v === 'object' && v !== null ? null : asLabel(v);
}

function asLabel(v: unknown): string | null {
  if (v === null || v === undefined || v === '') return null;
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}
