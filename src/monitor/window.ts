import type { Prediction } from '../store/serving.js';
import { calibrationStep } from './calibration.js';
import { OBJECT } from './flat-json.js';
import { invalidNumberAt, labelAt, numberAt, RecordReader } from './record-reader.js';
import type { MonitorReference } from './reference.js';
import { mergeSamples, Reservoir, SAMPLE_ROWS, seedOf, type RowSample, type SampleValue } from './reservoir.js';
import { addBinned, addLabel, addNumbersBinned, emptyCategorical, emptyNumeric, levelIndex, merge, NumericBinner, type CategoricalSketch, type ColumnSketch, type NumericSketch } from './sketch.js';

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
  /** Multiclass classifiers with calibrations: rows per step of the confidence calibration and of each class's (estimateMulticlass). */
  multiclass?: { confidence: number[]; classes: number[][] };
  /** A uniform sample of the window's rows (the reference's columns), for the multivariate check. Absent in windows folded before it was kept. */
  sample?: RowSample;
  /** Rows answered `abstained: true` (a deployment's abstain-below threshold); absent while none did. */
  abstained?: number;
}

/** How an answer marked abstained reads in the logged response's JSON text (the server writes it so: serve/scored.ts). */
const ABSTAINED = '"abstained":true';

/** Default window: an hour. */
export const HOUR_MS = 3_600_000;

interface Slot {
  aggregate: WindowAggregate;
  indexes: Map<string, Map<string, number>>;
  /** The aggregate's column sketches in `names` order, and the categorical ones' level indexes: no lookups per record. */
  sketches: ColumnSketch[];
  levelIndexes: (Map<string, number> | undefined)[];
  reservoir: Reservoir;
  /**
   * The sample's rows, position by column, kept flat until windows() (a kept row then costs copies, not
   * an array): numbers (NaN: null) and, for category columns, labels.
   */
  sampleNumbers: Float64Array;
  sampleLabels: (string | null)[];
  /** Rows the sample keeps at most. */
  sampleRows: number;
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
  private readonly reader: RecordReader;
  /** Each numeric column's grid binner (by position), and the score's: no binary search per value. */
  private readonly binnerOf: (NumericBinner | undefined)[];
  private readonly scoreBinner: NumericBinner;
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
    this.reader = new RecordReader(this.names, labels);
    this.binnerOf = this.names.map((name) => {
      const sketch = reference.columns[name]!;
      return sketch.kind === 'numeric' ? new NumericBinner(sketch.edges) : undefined;
    });
    this.scoreBinner = new NumericBinner(reference.prediction.score.edges);
  }

  add(p: Prediction): void {
    this.reader.request(p.request);
    this.reader.response(p.response);
    this.fold(p.version, p.timestamp, typeof p.response === 'object' && p.response !== null && !Array.isArray(p.response) && p.response['abstained'] === true);
  }

  /** add() for a record as the journal holds it, its request and answer as JSON text. */
  addText(version: number, timestamp: number, requestJson: string, responseJson: string): void {
    this.reader.requestText(requestJson);
    this.reader.responseText(responseJson);
    this.fold(version, timestamp, responseJson.includes(ABSTAINED));
  }

  /** Folds the reader's record. */
  private fold(version: number, timestamp: number, abstained: boolean): void {
    const start = Math.floor(timestamp / this.windowMs) * this.windowMs;
    const last = this.last;
    const slot = last !== undefined && last.start === start && last.version === version ? last.slot : this.slot(version, start);
    const w = slot.aggregate;
    w.rows++;
    if (abstained) w.abstained = (w.abstained ?? 0) + 1;
    const row = this.reader.row;
    const { sketches, levelIndexes } = slot;
    const at = slot.reservoir.offer();
    const base = at * sketches.length;
    const sampled = at >= 0 ? sampleSpace(slot, at) : slot.sampleNumbers;
    for (let j = 0; j < sketches.length; j++) {
      const sketch = sketches[j]!;
      if (sketch.kind === 'numeric') {
        const x = numberAt(row, j);
        addBinned(sketch, this.binnerOf[j]!, x);
        if (!Number.isFinite(x) && sketch.invalid !== undefined && invalidNumberAt(row, j)) sketch.invalid++;
        if (at >= 0) sampled[base + j] = x;
      } else {
        const label = labelAt(row, j);
        addLabel(sketch, levelIndexes[j]!, label, this.knownByColumn[j]);
        if (row.kind[j] === OBJECT && sketch.invalid !== undefined) sketch.invalid++;
        if (at >= 0) slot.sampleLabels[base + j] = label;
      }
    }
    const { score, predicted } = this.reader;
    addBinned(w.prediction.score, this.scoreBinner, score);
    if (w.steps !== undefined && Number.isFinite(score)) {
      const step = calibrationStep(this.reference.prediction.calibration!, score);
      if (predicted === this.labels![1]) w.steps.positive[step]!++;
      else w.steps.negative[step]!++;
    }
    if (w.multiclass !== undefined && this.reader.hasProbabilities && Number.isFinite(score)) {
      const { confidence, classes } = this.reference.prediction;
      // The score is the top probability: the answer's confidence.
      w.multiclass.confidence[calibrationStep(confidence!, score)]!++;
      const p = this.reader.classProbabilities;
      for (let c = 0; c < w.multiclass.classes.length; c++) if (Number.isFinite(p[c])) w.multiclass.classes[c]![calibrationStep(classes![c]!, p[c]!)]!++;
    }
    if (w.prediction.labels !== undefined) addLabel(w.prediction.labels, slot.indexes.get('\u0000prediction')!, predicted);
  }

  /**
   * Folds a batch already in columns (as a columnar reader or the shipper's decoder gives them): each
   * numeric column's values, row-aligned with `timestamps`; a run of rows in one window folds column by
   * column. Columns the reference has but the batch lacks count as missing; category columns and
   * predictions go through add().
   */
  addColumns(version: number, timestamps: ArrayLike<number>, numbers: Readonly<Record<string, ArrayLike<number>>>): void {
    const n = timestamps.length;
    const width = this.names.length;
    // Each sampled column's values (category columns are not in the batch: missing, as their sketches count them).
    const arrays = this.names.map((name) => (this.reference.columns[name]!.kind === 'numeric' ? numbers[name] : undefined));
    for (let from = 0; from < n; ) {
      const start = Math.floor(timestamps[from]! / this.windowMs) * this.windowMs;
      let to = from + 1;
      while (to < n && timestamps[to]! >= start && timestamps[to]! < start + this.windowMs) to++;
      const slot = this.slot(version, start);
      slot.aggregate.rows += to - from;
      slot.reservoir.offerMany(to - from, (offset, at) => {
        const sampled = sampleSpace(slot, at);
        for (let j = 0; j < width; j++) {
          const a = arrays[j];
          sampled[at * width + j] = a === undefined ? NaN : a[from + offset]!;
        }
        // Category columns' labels are missing in a batch of numbers.
        if (slot.sampleLabels.length > 0) slot.sampleLabels.fill(null, at * width, (at + 1) * width);
      });
      for (let j = 0; j < width; j++) {
        const binner = this.binnerOf[j];
        if (binner === undefined) continue;
        const sketch = slot.sketches[j] as NumericSketch;
        const values = arrays[j];
        if (values === undefined) sketch.missing += to - from;
        else addNumbersBinned(sketch, binner, values, from, to);
      }
      from = to;
    }
  }

  /** The windows, oldest first (versions apart). */
  windows(): WindowAggregate[] {
    return [...this.slots.values()].map((s) => this.withSample(s)).sort((a, b) => a.start - b.start || a.version - b.version);
  }

  /** The slot's aggregate with its sample's rows as the flat store holds them now. */
  private withSample(slot: Slot): WindowAggregate {
    const sample = slot.aggregate.sample!;
    const width = slot.sketches.length;
    const kept = Math.min(sample.seen, this.sampleRows);
    sample.rows = Array.from({ length: kept }, (_, i) =>
      slot.sketches.map((sketch, j): SampleValue => (sketch.kind === 'numeric' ? finiteOrNull(slot.sampleNumbers[i * width + j]!) : (slot.sampleLabels[i * width + j] ?? null))),
    );
    return slot.aggregate;
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
          ...multiclassSteps(r, this.labels),
        },
        indexes,
        sketches: this.names.map((name) => columns[name]!),
        levelIndexes: this.names.map((name) => indexes.get(name)),
        reservoir: new Reservoir(sample, this.sampleRows, seedOf(version, start)),
        sampleNumbers: new Float64Array(0),
        sampleLabels: [],
        sampleRows: this.sampleRows,
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
    const multiclass = a.multiclass !== undefined && b.multiclass !== undefined && a.multiclass.classes.length === b.multiclass.classes.length ? { confidence: add(a.multiclass.confidence, b.multiclass.confidence), classes: a.multiclass.classes.map((c, k) => add(c, b.multiclass!.classes[k]!)) } : undefined;
    const abstained = (a.abstained ?? 0) + (b.abstained ?? 0);
    return { version: a.version === b.version ? a.version : -1, start: Math.min(a.start, b.start), end: Math.max(a.end, b.end), rows: a.rows + b.rows, columns, prediction: { score: merge(a.prediction.score, b.prediction.score), ...(labels !== undefined ? { labels } : {}) }, ...(sample !== undefined ? { sample } : {}), ...(steps !== undefined ? { steps } : {}), ...(multiclass !== undefined ? { multiclass } : {}), ...(abstained > 0 ? { abstained } : {}) };
  }, windows[0]!);
}

/** The slot's flat sample numbers, grown (doubling, up to its size) to hold row `at`: a window of few rows stores few. */
function sampleSpace(slot: Slot, at: number): Float64Array {
  const width = slot.sketches.length;
  if ((at + 1) * width <= slot.sampleNumbers.length) return slot.sampleNumbers;
  const rows = Math.min(slot.sampleRows, Math.max(at + 1, 16, (2 * slot.sampleNumbers.length) / Math.max(1, width)));
  const grown = new Float64Array(rows * width);
  grown.set(slot.sampleNumbers);
  slot.sampleNumbers = grown;
  return grown;
}

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

const add = (a: readonly number[], b: readonly number[]): number[] => a.map((v, k) => v + (b[k] ?? 0));

/** Empty multiclass step counts, when the reference has the calibrations and the labels match them. */
function multiclassSteps(r: MonitorReference, labels: readonly string[] | undefined): Pick<WindowAggregate, 'multiclass'> {
  const { confidence, classes } = r.prediction;
  if (confidence === undefined || classes === undefined || labels === undefined || labels.length !== classes.length) return {};
  return { multiclass: { confidence: new Array<number>(confidence.rate.length).fill(0), classes: classes.map((c) => new Array<number>(c.rate.length).fill(0)) } };
}
