/**
 * Reads the values of a few known keys from a logged request's JSON text without JSON.parse. Why: the
 * fold needs a row of the reference's columns, and JSON.parse of a flat object of 28 numbers builds an
 * object (and a boxed number per value) that the fold reads once and throws away — it was most of the
 * shipper's time per record. This scanner handles the common case only, a flat object of numbers,
 * strings, booleans and null (and, where a key is given a nested reader, a flat object under it); for
 * anything else — nested values, escapes in strings or keys, malformed text — read() returns false and
 * the caller parses with JSON.parse, so a value read here is always the one JSON.parse would give.
 */

import { Buffer } from 'node:buffer';

/** What a key held: a value's kind, its number or string beside. */
export const ABSENT = 0;
export const NUMBER = 1;
export const STRING = 2;
export const TRUE = 3;
export const FALSE = 4;
export const NULL = 5;
/** An object or array (only from rowOf, or a key with a nested reader: then its row holds the values). */
export const OBJECT = 6;

/** A reused row of values, one per key: no allocation per record but a string value's text. */
export class FlatRow {
  readonly kind: Uint8Array;
  readonly num: Float64Array;
  readonly str: (string | undefined)[];

  constructor(readonly keys: readonly string[]) {
    this.kind = new Uint8Array(keys.length);
    this.num = new Float64Array(keys.length);
    this.str = new Array<string | undefined>(keys.length).fill(undefined);
  }

  /** Fills the row from a parsed value (JSON.parse's): own properties only, as the JSON text had them. */
  fill(value: unknown): void {
    this.kind.fill(ABSENT);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
    const record = value as Record<string, unknown>;
    for (let j = 0; j < this.keys.length; j++) {
      const key = this.keys[j]!;
      if (Object.hasOwn(record, key)) this.set(j, record[key]);
    }
  }

  private set(j: number, v: unknown): void {
    if (typeof v === 'number') {
      this.kind[j] = NUMBER;
      this.num[j] = v;
    } else if (typeof v === 'string') {
      this.kind[j] = STRING;
      this.str[j] = v;
    } else if (typeof v === 'boolean') this.kind[j] = v ? TRUE : FALSE;
    else if (v === null) this.kind[j] = NULL;
    else this.kind[j] = v === undefined ? ABSENT : OBJECT;
  }
}

/** Exact powers of ten: an integer below 2^53 divided by one is rounded once, as JSON.parse rounds. */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

export class FlatJsonReader {
  readonly row: FlatRow;
  private readonly index: Map<string, number>;
  /** Each key's characters, to match a key in the text without slicing it. */
  private readonly codes: (Uint16Array | undefined)[];
  /** Each key's nested reader, by position (an array: a key such as 'toString' must not find Object.prototype's). */
  private readonly nestedAt: (FlatJsonReader | undefined)[];

  /** `nested`: keys whose value may be a flat object, read by their own reader (into its row). */
  constructor(
    keys: readonly string[],
    nested: Readonly<Record<string, FlatJsonReader>> = {},
  ) {
    this.row = new FlatRow(keys);
    this.index = new Map(keys.map((k, j) => [k, j]));
    // A key JSON text must escape (a quote, a backslash, a control character) is never matched raw: none.
    this.codes = keys.map((k) => (/["\\\u0000-\u001f]/.test(k) ? undefined : Uint16Array.from({ length: k.length }, (_, i) => k.charCodeAt(i))));
    this.nestedAt = keys.map((k) => (Object.hasOwn(nested, k) ? nested[k] : undefined));
  }

  /** Reads `text` into `row`; false when it is not a flat object this reader understands (then JSON.parse it). */
  read(text: string): boolean {
    const u = unitsOf(text);
    if (u === undefined) return false;
    const end = this.object(text, u, space(u, 0));
    return end >= 0 && space(u, end) === text.length;
  }

  /** The object at i into row: the index after it, or -1. */
  private object(text: string, u: Uint16Array, i: number): number {
    const row = this.row;
    const { kind, num, str, keys } = row;
    kind.fill(ABSENT);
    if (u[i] !== 0x7b) return -1;
    i = space(u, i + 1);
    if (u[i] === 0x7d) return i + 1;
    // Clients send keys in one order: the key after the last one matched is tried first.
    let expect = 0;
    for (;;) {
      if (u[i] !== 0x22) return -1;
      const start = i + 1;
      // The expected key and its closing quote: then the key is read in one pass.
      let j = -1;
      const codes = expect < keys.length ? this.codes[expect] : undefined;
      let end = codes === undefined ? -1 : keyEnd(u, text.length, start, codes);
      if (end >= 0) j = expect;
      else {
        end = stringEnd(u, start);
        if (end < 0) return -1;
        j = this.index.get(text.slice(start, end)) ?? -1;
      }
      i = space(u, end + 1);
      if (u[i] !== 0x3a) return -1;
      i = space(u, i + 1);
      const c = u[i]!;
      if (c === 0x22) {
        const close = stringEnd(u, i + 1);
        if (close < 0) return -1;
        if (j >= 0) {
          kind[j] = STRING;
          str[j] = text.slice(i + 1, close);
        }
        i = close + 1;
      } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
        i = number(text, u, i);
        if (i < 0) return -1;
        if (j >= 0) {
          kind[j] = NUMBER;
          num[j] = scanned;
        }
      } else if (c === 0x7b) {
        const reader = j >= 0 ? this.nestedAt[j] : undefined;
        if (reader === undefined) return -1;
        i = reader.object(text, u, i);
        if (i < 0) return -1;
        kind[j] = OBJECT;
      } else {
        const word = c === 0x74 ? 'true' : c === 0x66 ? 'false' : c === 0x6e ? 'null' : undefined;
        if (word === undefined || !text.startsWith(word, i)) return -1;
        if (j >= 0) kind[j] = c === 0x74 ? TRUE : c === 0x66 ? FALSE : NULL;
        i += word.length;
      }
      if (j >= 0) expect = j + 1;
      i = space(u, i);
      const after = u[i];
      if (after === 0x7d) return i + 1;
      if (after !== 0x2c) return -1;
      i = space(u, i + 1);
    }
  }
}

/**
 * The text's UTF-16 code units, copied natively into a reused array (indexing it is cheaper than
 * charCodeAt), then a 0: a character no JSON token holds outside a string and none may hold raw inside
 * one, so every scan stops at the end without a bounds check.
 */
let units = new Uint16Array(4096);
let unitBytes = Buffer.from(units.buffer);

function unitsOf(text: string): Uint16Array | undefined {
  if (text.length + 1 > units.length) {
    units = new Uint16Array(2 * text.length + 2);
    unitBytes = Buffer.from(units.buffer);
  }
  if (unitBytes.write(text, 0, 'utf16le') !== 2 * text.length) return undefined;
  units[text.length] = 0;
  return units;
}

/** The first index from i that is not JSON whitespace. */
function space(u: Uint16Array, i: number): number {
  let c = u[i]!;
  while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = u[++i]!;
  return i;
}

/** The index of the quote closing the key of these characters at start, or -1 when the text has another key there. */
function keyEnd(u: Uint16Array, n: number, start: number, codes: Uint16Array): number {
  const end = start + codes.length;
  if (end >= n) return -1;
  for (let k = 0; k < codes.length; k++) if (u[start + k] !== codes[k]) return -1;
  return u[end] === 0x22 ? end : -1;
}

/** The closing quote of a string whose first character is at i; -1 for an escape, a control character or no end (the 0 after the text). */
function stringEnd(u: Uint16Array, i: number): number {
  for (;;) {
    const c = u[i]!;
    if (c === 0x22) return i;
    if (c === 0x5c || c < 0x20) return -1;
    i++;
  }
}

/** The value of the last number() (a second return value without an object per number). */
let scanned = 0;

/** The JSON number at i into `scanned`: the index after it, or -1 when the text is not one. */
function number(text: string, u: Uint16Array, i: number): number {
  const start = i;
  const negative = u[i] === 0x2d;
  if (negative) i++;
  let mantissa = 0;
  let digits = 0;
  let c = u[i]!;
  if (c === 0x30) {
    c = u[++i]!;
    digits++;
  } else if (c >= 0x31 && c <= 0x39) {
    do {
      mantissa = mantissa * 10 + (c - 0x30);
      digits++;
      c = u[++i]!;
    } while (c >= 0x30 && c <= 0x39);
  } else return -1;
  let fraction = 0;
  if (c === 0x2e) {
    c = u[++i]!;
    if (!(c >= 0x30 && c <= 0x39)) return -1;
    do {
      mantissa = mantissa * 10 + (c - 0x30);
      digits++;
      fraction++;
      c = u[++i]!;
    } while (c >= 0x30 && c <= 0x39);
  }
  let exponent = false;
  if (c === 0x65 || c === 0x45) {
    exponent = true;
    c = u[++i]!;
    if (c === 0x2b || c === 0x2d) c = u[++i]!;
    if (!(c >= 0x30 && c <= 0x39)) return -1;
    do c = u[++i]!;
    while (c >= 0x30 && c <= 0x39);
  }
  // Up to 15 digits the mantissa is an exact integer and one division rounds it; else the engine's own conversion.
  if (exponent || digits > 15) scanned = Number(text.slice(start, i));
  else {
    const v = mantissa / POW10[fraction]!;
    scanned = negative ? -v : v;
  }
  return i;
}
