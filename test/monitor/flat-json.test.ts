import { describe, expect, it } from 'vitest';
import { ABSENT, FALSE, FlatJsonReader, FlatRow, NULL, NUMBER, OBJECT, STRING, TRUE } from '../../src/monitor/flat-json.js';
import { buildReference } from '../../src/monitor/reference.js';
import { WindowFolder } from '../../src/monitor/window.js';
import { Random } from '../../src/synth/random.js';

const KEYS = ['a', 'b', 'x1', 'é', '__proto__', 'toString', 'long_column_name', 'q\\b', 'q"', 'q\\u0062'];

/** What JSON.parse gives for the text, as a row of KEYS (undefined: it throws or gives no object). */
function expected(text: string): FlatRow | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const row = new FlatRow(KEYS);
  row.fill(value);
  return row;
}

function sameRow(got: FlatRow, want: FlatRow): void {
  for (let j = 0; j < KEYS.length; j++) {
    expect(got.kind[j], KEYS[j]).toBe(want.kind[j]);
    if (want.kind[j] === NUMBER) expect(Object.is(got.num[j], want.num[j]), `${KEYS[j]}: ${got.num[j]} vs ${want.num[j]}`).toBe(true);
    if (want.kind[j] === STRING) expect(got.str[j]).toBe(want.str[j]);
  }
}

function pickOf<T>(rng: Random, items: readonly T[]): T {
  return items[rng.int(items.length)]!;
}

/** A JSON number's text in any of its forms. */
function numberText(rng: Random): string {
  const special = ['0', '-0', '-0.0', '0e0', '-0E+5', '1e400', '-1e-400', '5e-324', '1.7976931348623157e308', '9007199254740993', '123456789012345678901234567890', '0.1', '0.30000000000000004', '1E22', '1e23', '999999999999999.9', '0.000000000000000000001'];
  if (rng.uniform() < 0.2) return pickOf(rng, special);
  const digits = (n: number): string => Array.from({ length: n }, () => String(rng.int(10))).join('');
  const int = rng.uniform() < 0.3 ? '0' : String(1 + rng.int(9)) + digits(rng.int(18));
  const fraction = rng.uniform() < 0.6 ? `.${digits(1 + rng.int(20))}` : '';
  const exponent = rng.uniform() < 0.2 ? `${pickOf(rng, ['e', 'E'])}${pickOf(rng, ['', '+', '-'])}${digits(1 + rng.int(3))}` : '';
  return `${rng.uniform() < 0.4 ? '-' : ''}${int}${fraction}${exponent}`;
}

function stringText(rng: Random): string {
  const parts = ['plain', '', ' ', 'é', '日本', '\u2028', '😀', '\ud800', 'a"b', 'back\\slash', 'tab\t', 'nl\n', '\u0001', '3.5', ' 2 '];
  const s = Array.from({ length: rng.int(3) }, () => pickOf(rng, parts)).join('');
  // Raw text sometimes (a control character is malformed JSON), else escaped as JSON.stringify does, sometimes as \u escapes.
  if (rng.uniform() < 0.1) return `"${s}"`;
  const quoted = JSON.stringify(s);
  return rng.uniform() < 0.2 ? quoted.replace(/[a-z]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : quoted;
}

function valueText(rng: Random): string {
  const r = rng.uniform();
  if (r < 0.5) return numberText(rng);
  if (r < 0.75) return stringText(rng);
  if (r < 0.9) return pickOf(rng, ['true', 'false', 'null']);
  return pickOf(rng, ['{}', '{"a":1}', '[]', '[1,2]', '{"a":{"b":null}}']);
}

function ws(rng: Random): string {
  return rng.uniform() < 0.7 ? '' : Array.from({ length: 1 + rng.int(3) }, () => pickOf(rng, [' ', '\n', '\t', '\r'])).join('');
}

/** A flat object's text: the reader's keys (some twice, some missing), others, whitespace anywhere. */
function objectText(rng: Random): string {
  const members = Array.from({ length: rng.int(10) }, () => {
    const key = rng.uniform() < 0.8 ? pickOf(rng, KEYS) : pickOf(rng, ['other', 'x', 'a\\u0062', 'x\\"', '', 'A']);
    return `${ws(rng)}"${key}"${ws(rng)}:${ws(rng)}${valueText(rng)}${ws(rng)}`;
  });
  return `${ws(rng)}{${members.join(',')}${members.length === 0 ? ws(rng) : ''}}${ws(rng)}`;
}

/** Breaks a text: a character dropped, doubled or replaced by one that matters in JSON. */
function mutate(rng: Random, text: string): string {
  const at = rng.int(text.length + 1);
  const c = pickOf(rng, ['"', ',', ':', '{', '}', '-', '.', 'e', '0', ' ', '\\', 'x', '+', ']']);
  const r = rng.uniform();
  if (r < 0.33) return text.slice(0, at) + text.slice(at + 1);
  if (r < 0.66) return text.slice(0, at) + c + text.slice(at);
  return text.slice(0, at) + c + text.slice(at + 1);
}

describe('flat JSON reader', () => {
  it('reads what JSON.parse reads, or declines, on generated flat objects', () => {
    const rng = new Random(11);
    const reader = new FlatJsonReader(KEYS);
    let read = 0;
    for (let n = 0; n < 20_000; n++) {
      const text = objectText(rng);
      const want = expected(text);
      if (reader.read(text)) {
        read++;
        expect(want, text).toBeDefined();
        sameRow(reader.row, want!);
      }
    }
    // The common case is read, not declined.
    expect(read).toBeGreaterThan(3000);
  });

  it('never reads malformed text, nor anything but what JSON.parse gives', () => {
    const rng = new Random(12);
    const reader = new FlatJsonReader(KEYS);
    let malformed = 0;
    for (let n = 0; n < 20_000; n++) {
      let text = objectText(rng);
      for (let k = rng.int(3); k >= 0; k--) text = mutate(rng, text);
      const want = expected(text);
      if (want === undefined) malformed++;
      if (reader.read(text)) {
        expect(want, text).toBeDefined();
        sameRow(reader.row, want!);
      }
    }
    expect(malformed).toBeGreaterThan(5000);
  });

  it('reads numbers in every form exactly, negative zero included', () => {
    const reader = new FlatJsonReader(['v']);
    const rng = new Random(13);
    for (let n = 0; n < 50_000; n++) {
      const text = numberText(rng);
      expect(reader.read(`{"v":${text}}`), text).toBe(true);
      expect(Object.is(reader.row.num[0], JSON.parse(text)), text).toBe(true);
    }
  });

  it('takes the last of duplicate keys, leaves missing ones absent, and reads kinds', () => {
    const reader = new FlatJsonReader(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(reader.read(' {"a":1,"b":"x","a":"y","c":true,"d":false,"e":null} ')).toBe(true);
    expect(Array.from(reader.row.kind)).toEqual([STRING, STRING, TRUE, FALSE, NULL, ABSENT]);
    expect(reader.row.str[0]).toBe('y');
    expect(reader.read('{"a":1}')).toBe(true);
    expect(Array.from(reader.row.kind)).toEqual([NUMBER, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT]);
  });

  it('declines what it does not understand', () => {
    const reader = new FlatJsonReader(['a']);
    for (const text of ['{"a":{"b":1}}', '{"a":[1]}', '{"x":{}}', '{"a":"\\n"}', '{"\\u0061":1}', '[1]', '1', 'null', '', '{"a":1,}', '{"a":01}', '{"a":1.}', '{"a":.5}', '{"a":+1}', '{"a":1}x', '\u00a0{"a":1}', "{'a':1}"]) expect(reader.read(text), text).toBe(false);
  });

  it('reads a flat object under a key given a nested reader', () => {
    const probabilities = new FlatJsonReader(['0', '1']);
    const reader = new FlatJsonReader(['prediction', 'probabilities'], { probabilities });
    expect(reader.read('{"prediction":"1","probabilities":{"0":0.25,"1":0.75}}')).toBe(true);
    expect(reader.row.kind[1]).toBe(OBJECT);
    expect(Array.from(probabilities.row.num)).toEqual([0.25, 0.75]);
    expect(reader.read('{"prediction":"1","probabilities":{"0":{"deep":1}}}')).toBe(false);
  });
});

describe('folding JSON text', () => {
  it('gives the windows add() gives from JSON.parse', () => {
    const rng = new Random(5);
    const n = 3000;
    const x1 = Float64Array.from({ length: n }, () => rng.normal());
    const codes = Int32Array.from({ length: n }, () => rng.int(3));
    const scores = Float64Array.from({ length: 400 }, () => rng.uniform());
    const y = Int32Array.from({ length: 200 }, () => rng.int(2));
    const predicted = Array.from({ length: 200 }, (_, i) => (scores[2 * i + 1]! >= 0.5 ? 'yes' : 'no'));
    const table = { nRows: n, columns: [{ kind: 'numeric' as const, name: 'x1', values: x1 }, { kind: 'categorical' as const, name: 'c', codes, dictionary: ['a', 'b', 'c'] }] };
    const ref = buildReference(table, ['x1', 'c'], { scores, rows: 200, source: 'held-out', predicted, y }, undefined, undefined, 7);
    const text = new WindowFolder(ref, ['no', 'yes'], 3_600_000, 50);
    const parsed = new WindowFolder(ref, ['no', 'yes'], 3_600_000, 50);
    const odd = ['null', '""', '" "', '"3.5"', '" 2 "', '"abc"', '"Infinity"', 'true', 'false', '{}', '[1]', '-0', '1e300', '"a"', '"z"', '"\\u0062"', '0'];
    for (let i = 0; i < 5000; i++) {
      const value = (normal: string): string => (rng.uniform() < 0.3 ? pickOf(rng, odd) : normal);
      const members = [`"x1":${value(String(rng.normal()))}`, `"c":${value(JSON.stringify(pickOf(rng, ['a', 'b', 'c', 'd'])))}`].filter(() => rng.uniform() < 0.9);
      let request = `{${members.join(',')}}`;
      if (rng.uniform() < 0.03) request = request.slice(1);
      const p = rng.uniform();
      const response = pickOf(rng, [`{"prediction":${p}}`, `{"prediction":"${p >= 0.5 ? 'yes' : 'no'}","probabilities":{"no":${1 - p},"yes":${p}}}`, `{"prediction":"yes","probabilities":{"no":"${1 - p}","yes":"${p}"}}`, 'null', '{"prediction":{"x":1}}', '{"prediction":"no","probabilities":[0.5,0.5]}', '{"probabilities":{"yes":{"a":1}}}', 'nope']);
      const timestamp = Date.UTC(2026, 0, 1) + i * 2000;
      text.addText(1, timestamp, request, response);
      parsed.add({ id: '', model: 'm', version: 1, timestamp, request: parseOrNull(request), response: parseOrNull(response), latencyMs: 0 });
    }
    expect(text.windows()).toEqual(parsed.windows());
  });
});

function parseOrNull(text: string): never {
  try {
    return JSON.parse(text) as never;
  } catch {
    return null as never;
  }
}
