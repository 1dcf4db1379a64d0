import { HyperplaneError } from '../../errors.js';
import type { CategoricalColumn, Column, DatetimeColumn, NumericColumn, Table, TextColumn } from '../table.js';
import type { ColumnSchema, SchemaType } from './schema.js';
import { booleanSpelling, isMissingMarker, parseDateText, parseInfinityText, parseNumberText, type NumberStyle } from './values.js';

export interface TypedColumn {
  schema: ColumnSchema;
  column: Column;
  /** ±Infinity values (or text such as '+inf', '1e309') read as missing: how many, and the first row (0-based). */
  infinite?: { count: number; firstRow: number };
  /** A binary column read leniently (new data for a model) that holds more than two values: all of them. */
  widened?: string[];
}

const fmt = (n: number): string => n.toLocaleString('en-US');
const ID_NAME = /^(id|key|uuid|guid|index|row|rownum|row_?id|unnamed.*)$|[_ .-]id$|[a-z]Id$|ID$/i;
const DISTINCT_CAP = 1000;

/** Infers the column's type from its values and returns it converted to that type. */
export function inferColumn(raw: Column, nRows: number): TypedColumn {
  switch (raw.kind) {
    case 'numeric':
      return inferNumeric(raw, nRows);
    case 'datetime':
      return inferDatetime(raw, nRows);
    case 'text':
      return inferText(raw, nRows);
    case 'categorical':
      return inferText(decodeCategorical(raw), nRows);
  }
}

function typed(column: Column, type: SchemaType, reason: string): TypedColumn {
  return { schema: { name: column.name, type, reason }, column };
}

/**
 * ±Infinity is no measurement a model can use (it poisons means, scales and splits): it is read as
 * missing, and counted so that the profile and the training report can warn about it.
 */
function inferNumeric(col: NumericColumn, nRows: number): TypedColumn {
  const dropped = dropInfinities(col.values);
  if (dropped === undefined) return inferFinite(col, nRows);
  const typedColumn = inferFinite({ ...col, values: dropped.values }, nRows);
  typedColumn.infinite = { count: dropped.count, firstRow: dropped.firstRow };
  return typedColumn;
}

/** A copy with ±Infinity as NaN, or undefined when there is none. */
export function dropInfinities(values: Float64Array): { values: Float64Array; count: number; firstRow: number } | undefined {
  let firstRow = -1;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (x === Infinity || x === -Infinity) {
      firstRow = i;
      break;
    }
  }
  if (firstRow < 0) return undefined;
  const out = Float64Array.from(values);
  let count = 0;
  for (let i = firstRow; i < out.length; i++) {
    const x = out[i]!;
    if (x === Infinity || x === -Infinity) {
      out[i] = NaN;
      count++;
    }
  }
  return { values: out, count, firstRow };
}

function inferFinite(col: NumericColumn, nRows: number): TypedColumn {
  const v = col.values;
  let count = 0;
  let integers = true;
  let min = Infinity;
  let max = -Infinity;
  let distinct: Set<number> | undefined = new Set<number>();
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (x !== x) continue;
    count++;
    if (x < min) min = x;
    if (x > max) max = x;
    if (integers && !Number.isInteger(x)) integers = false;
    if (distinct !== undefined) {
      distinct.add(x);
      if (distinct.size > DISTINCT_CAP) distinct = undefined;
    }
  }
  if (count === 0) return typed(col, 'constant', `all ${fmt(nRows)} values missing → constant`);
  if (distinct !== undefined && distinct.size === 1) return typed(col, 'constant', `one distinct value (${min}) in ${fmt(nRows)} rows → constant`);
  // Only 0/1 is read as a flag: other pairs of numbers (a pixel at 0 or 16, a count of 1 or 2) are
  // measurements whose next value may be a third one, which a binary column would refuse at prediction.
  if (distinct !== undefined && distinct.size === 2 && min === 0 && max === 1) {
    const levels = [min, max];
    return typed(toBinaryFromNumbers(col, levels), 'binary', `2 distinct values (${min}, ${max}) in ${fmt(nRows)} rows → binary`);
  }
  if (integers && count >= 20 && (ID_NAME.test(col.name) || max - min + 1 === count) && allDistinct(v, count)) {
    const why = ID_NAME.test(col.name) ? 'a name like an id' : 'consecutive';
    return typed(col, 'id', `every value distinct (${fmt(count)} integers, ${why}) → id`);
  }
  const card = distinct === undefined ? `over ${fmt(DISTINCT_CAP)} distinct values` : `${fmt(distinct.size)} distinct values`;
  const kind = integers ? 'integers' : 'numbers';
  return typed(col, 'numeric', `${kind} from ${min} to ${max}, ${card} in ${fmt(nRows)} rows → numeric`);
}

function allDistinct(v: Float64Array, count: number): boolean {
  const sorted = new Float64Array(count);
  let k = 0;
  for (let i = 0; i < v.length; i++) if (v[i] === v[i]) sorted[k++] = v[i]!;
  sorted.sort();
  for (let i = 1; i < count; i++) if (sorted[i] === sorted[i - 1]) return false;
  return true;
}

function toBinaryFromNumbers(col: NumericColumn, levels: number[]): CategoricalColumn {
  const codes = new Int32Array(col.values.length);
  for (let i = 0; i < codes.length; i++) {
    const x = col.values[i]!;
    codes[i] = x !== x ? -1 : x === levels[0] ? 0 : 1;
  }
  return { kind: 'categorical', name: col.name, codes, dictionary: levels.map(String) };
}

function inferDatetime(col: DatetimeColumn, nRows: number): TypedColumn {
  let count = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const x of col.values) {
    if (x !== x) continue;
    count++;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (count === 0) return typed(col, 'constant', `all ${fmt(nRows)} values missing → constant`);
  if (min === max) return typed(col, 'constant', `one distinct date (${isoDate(min)}) in ${fmt(nRows)} rows → constant`);
  return typed(col, 'datetime', `dates from ${isoDate(min)} to ${isoDate(max)} → datetime`);
}

export function isoDate(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace('.000Z', 'Z');
}

/**
 * A text column interned in one pass: each row's number for its value (-1 when missing, missing markers
 * included), and the distinct values with their counts in order of first appearance. Every later step
 * works on the distinct values and remaps rows by number, never hashing a row's string again.
 */
interface Interned {
  source: TextColumn;
  ids: Int32Array;
  distinct: string[];
  counts: number[];
  sawMarker: boolean;
}

function intern(col: TextColumn): Interned {
  const index = new Map<string, number>();
  const ids = new Int32Array(col.values.length);
  const distinct: string[] = [];
  const counts: number[] = [];
  let sawMarker = false;
  for (let i = 0; i < ids.length; i++) {
    const s = col.values[i];
    if (s === null || s === undefined) {
      ids[i] = -1;
      continue;
    }
    let id = index.get(s);
    if (id === undefined) {
      id = isMissingMarker(s) ? -1 : distinct.length;
      index.set(s, id);
      if (id >= 0) {
        distinct.push(s);
        counts.push(0);
      }
    }
    if (id >= 0) counts[id]!++;
    else sawMarker = true;
    ids[i] = id;
  }
  return { source: col, ids, distinct, counts, sawMarker };
}

/** The column with missing markers replaced by null (the original when there were none). */
function cleanText(t: Interned): TextColumn {
  if (!t.sawMarker) return t.source;
  return { kind: 'text', name: t.source.name, values: Array.from(t.ids, (id) => (id < 0 ? null : t.distinct[id]!)) };
}

function inferText(rawText: TextColumn, nRows: number): TypedColumn {
  const t = intern(rawText);
  const { distinct } = t;
  const name = rawText.name;
  const count = t.counts.reduce((a, b) => a + b, 0);
  const text = (): TextColumn => cleanText(t);
  if (distinct.length === 0) return typed(text(), 'constant', `all ${fmt(nRows)} values missing → constant`);
  if (distinct.length === 1) return typed(toCategorical(t), 'constant', `one distinct value ('${clip(distinct[0]!)}') in ${fmt(nRows)} rows → constant`);

  const numbers = parseAllNumbers(distinct);
  if (numbers !== undefined) {
    const numeric: NumericColumn = { kind: 'numeric', name, values: mapValues(t, numbers.values) };
    const inferred = inferNumeric(numeric, nRows);
    if (numbers.style !== 'plain' && inferred.schema.type === 'numeric') {
      const example = distinct.find((d) => parseNumberText(d)?.style === numbers.style) ?? distinct[0]!;
      inferred.schema.reason = `numbers written as text (e.g. '${clip(example)}'); ${inferred.schema.reason}`;
    }
    return inferred;
  }
  if (distinct.length === 2) {
    const spelling = booleanSpelling(distinct);
    const ordered = spelling ? [spelling.falseValue, spelling.trueValue] : [...distinct].sort(compareText);
    const why = spelling ? `boolean spellings (${ordered.join('/')})` : `2 distinct values (${ordered.map(clip).join(', ')})`;
    return typed(toCategorical(t, ordered), 'binary', `${why} in ${fmt(nRows)} rows → binary`);
  }
  const dates = parseAllDates(distinct);
  if (dates !== undefined) {
    const inferred = inferDatetime({ kind: 'datetime', name, values: mapValues(t, dates) }, nRows);
    inferred.schema.reason = `dates written as text (e.g. '${clip(distinct[0]!)}'); ${inferred.schema.reason}`;
    return inferred;
  }

  const ratio = distinct.length / count;
  const { meanWords, meanLength } = shape(distinct);
  const several = meanWords >= 2 || meanLength >= 30;
  if (count >= 20 && ratio >= 0.9) {
    const share = distinct.length === count ? `every value distinct (${fmt(count)})` : `${fmt(distinct.length)} distinct values in ${fmt(count)} rows`;
    if (several) return typed(text(), 'text', `${share}, ${meanWords.toFixed(1)} words on average → text`);
    return typed(text(), 'id', `${share}, single tokens → id`);
  }
  if (meanWords >= 4 || meanLength >= 50 || (ratio >= 0.5 && several)) {
    return typed(text(), 'text', `${fmt(distinct.length)} distinct values, ${meanWords.toFixed(1)} words on average → text`);
  }
  return typed(toCategorical(t), 'categorical', `${fmt(distinct.length)} distinct values in ${fmt(nRows)} rows → categorical`);
}

function shape(distinct: readonly string[]): { meanWords: number; meanLength: number } {
  const step = Math.max(1, Math.floor(distinct.length / 2000));
  let words = 0;
  let length = 0;
  let n = 0;
  for (let i = 0; i < distinct.length; i += step) {
    const s = distinct[i]!.trim();
    words += s === '' ? 0 : s.split(/\s+/).length;
    length += s.length;
    n++;
  }
  return { meanWords: words / n, meanLength: length / n };
}

/** Each distinct value as a number, or undefined if any one is not a number. */
function parseAllNumbers(distinct: readonly string[]): { values: Float64Array; style: NumberStyle } | undefined {
  const values = new Float64Array(distinct.length);
  const styles = new Set<NumberStyle>();
  for (let k = 0; k < distinct.length; k++) {
    const parsed = parseNumberText(distinct[k]!);
    if (parsed !== undefined) {
      values[k] = parsed.value;
      styles.add(parsed.style);
      continue;
    }
    // '+inf' and '1e309' keep a column numeric; inferNumeric then reads them as missing.
    const infinite = parseInfinityText(distinct[k]!);
    if (infinite === undefined) return undefined;
    values[k] = infinite;
  }
  styles.delete('plain');
  const style = styles.size === 0 ? 'plain' : [...styles][0]!;
  return { values, style };
}

function parseAllDates(distinct: readonly string[]): Float64Array | undefined {
  const values = new Float64Array(distinct.length);
  for (let k = 0; k < distinct.length; k++) {
    const ms = parseDateText(distinct[k]!);
    if (Number.isNaN(ms)) return undefined;
    values[k] = ms;
  }
  return values;
}

/** Rows mapped through a per-distinct-value table. */
function mapValues(t: Interned, perDistinct: Float64Array): Float64Array {
  const out = new Float64Array(t.ids.length);
  for (let i = 0; i < out.length; i++) {
    const id = t.ids[i]!;
    out[i] = id < 0 ? NaN : perDistinct[id]!;
  }
  return out;
}

/** Plain code-unit order: stable across machines and locales. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Categorical with levels sorted (or in the given order), so codes never depend on row order. */
function toCategorical(t: Interned, order?: readonly string[]): CategoricalColumn {
  const dictionary = order ?? [...t.distinct].sort(compareText);
  const codeOf = new Map<string, number>();
  dictionary.forEach((d, i) => codeOf.set(d, i));
  const remap = Int32Array.from(t.distinct, (d) => codeOf.get(d) ?? -1);
  const codes = new Int32Array(t.ids.length);
  for (let i = 0; i < codes.length; i++) {
    const id = t.ids[i]!;
    codes[i] = id < 0 ? -1 : remap[id]!;
  }
  return { kind: 'categorical', name: t.source.name, codes, dictionary };
}

function decodeCategorical(col: CategoricalColumn): TextColumn {
  return { kind: 'text', name: col.name, values: Array.from(col.codes, (c) => (c < 0 ? null : col.dictionary[c]!)) };
}

function clip(s: string): string {
  return s.length > 24 ? `${s.slice(0, 24)}…` : s;
}

/**
 * Converts a raw column to a type the user chose in a schema file. Values that can't be read as
 * that type are an error naming the column, the row and the value.
 */
export function convertColumn(raw: Column, type: SchemaType, nRows: number, file?: string, lenient = false): TypedColumn {
  const reason = 'set in the schema file';
  const fail = (row: number, value: string, expected: string): never => {
    throw new HyperplaneError(`row ${fmt(row + 1)}: '${clip(value)}' is not ${expected}`, { ...(file !== undefined ? { file } : {}), column: raw.name });
  };
  const text = raw.kind === 'text' ? raw : raw.kind === 'categorical' ? decodeCategorical(raw) : undefined;
  switch (type) {
    case 'id':
    case 'constant':
      return typed(raw, type, reason);
    case 'numeric': {
      let values: Float64Array;
      if (raw.kind === 'numeric') values = raw.values;
      else if (text === undefined) return fail(0, 'a date', 'a number');
      else {
        values = new Float64Array(nRows);
        text.values.forEach((s, i) => {
          if (s === null || isMissingMarker(s)) values[i] = NaN;
          else values[i] = parseNumberText(s)?.value ?? parseInfinityText(s) ?? fail(i, s, 'a number');
        });
      }
      const dropped = dropInfinities(values);
      if (dropped === undefined) return typed(raw.kind === 'numeric' ? raw : { kind: 'numeric', name: raw.name, values }, type, reason);
      return { ...typed({ kind: 'numeric', name: raw.name, values: dropped.values }, type, reason), infinite: { count: dropped.count, firstRow: dropped.firstRow } };
    }
    case 'datetime': {
      if (raw.kind === 'datetime') return typed(raw, type, reason);
      if (text === undefined) return fail(0, 'a number', 'a date (write dates as text, e.g. 2024-01-31)');
      const values = new Float64Array(nRows);
      text.values.forEach((s, i) => {
        if (s === null || isMissingMarker(s)) values[i] = NaN;
        else {
          const ms = parseDateText(s);
          values[i] = Number.isNaN(ms) ? fail(i, s, 'a date') : ms;
        }
      });
      return typed({ kind: 'datetime', name: raw.name, values }, type, reason);
    }
    case 'text':
      return typed(text ?? { kind: 'text', name: raw.name, values: Array.from({ length: nRows }, (_, i) => cellOf(raw, i)) }, type, reason);
    case 'categorical':
    case 'binary': {
      const source = text ?? { kind: 'text' as const, name: raw.name, values: Array.from({ length: nRows }, (_, i) => cellOf(raw, i)) };
      const t = intern(source);
      if (type === 'binary' && t.distinct.length > 2 && lenient) {
        // New data for a model: a value training never saw is scored as missing (as the server does), not refused.
        const all = [...t.distinct].sort(raw.kind === 'numeric' ? (a, b) => Number(a) - Number(b) : compareText);
        return { ...typed(toCategorical(t, all), type, reason), widened: all };
      }
      if (type === 'binary' && t.distinct.length > 2) {
        throw new HyperplaneError(`has ${fmt(t.distinct.length)} distinct values; binary needs at most 2 (make it categorical)`, { ...(file !== undefined ? { file } : {}), column: raw.name });
      }
      const keys = [...t.distinct];
      const spelling = type === 'binary' ? booleanSpelling(keys) : undefined;
      const order = spelling ? [spelling.falseValue, spelling.trueValue].filter((k) => keys.includes(k)) : keys.sort(raw.kind === 'numeric' ? (a, b) => Number(a) - Number(b) : compareText);
      return typed(toCategorical(t, order), type, reason);
    }
  }
}

function cellOf(col: Column, i: number): string | null {
  if (col.kind === 'numeric') return Number.isNaN(col.values[i]) ? null : String(col.values[i]);
  if (col.kind === 'datetime') return Number.isNaN(col.values[i]) ? null : isoDate(col.values[i]!);
  if (col.kind === 'categorical') return col.codes[i]! < 0 ? null : col.dictionary[col.codes[i]!]!;
  return col.values[i] ?? null;
}

/** Infers every column of a raw table. */
export function inferTable(raw: Table): { table: Table; schema: ColumnSchema[] } {
  const results = raw.columns.map((c) => inferColumn(c, raw.nRows));
  return { table: { nRows: raw.nRows, columns: results.map((r) => r.column) }, schema: results.map((r) => r.schema) };
}
