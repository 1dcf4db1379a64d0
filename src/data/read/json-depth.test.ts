import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers.js';
import { findDeepNesting } from './json-depth.js';

const dir = tempDir();
let k = 0;
const deepest = (text: string, limit: number): number | undefined => {
  const path = join(dir, `f${k++}.json`);
  writeFileSync(path, text);
  return findDeepNesting(path, limit);
};
/** As NDJSON: the per-line bound, then the exact scan of lines past it; must agree with the exact scan. */
const deepestLine = (text: string, limit: number): number | undefined => {
  const path = join(dir, `f${k++}.ndjson`);
  writeFileSync(path, text);
  const found = findDeepNesting(path, limit, true);
  expect(findDeepNesting(path, limit)).toBe(found);
  return found;
};

describe('findDeepNesting', () => {
  it('finds the line where nesting passes the limit', () => {
    expect(deepest('[[[]]]', 3)).toBeUndefined();
    expect(deepest('[[[[]]]]', 3)).toBe(1);
    expect(deepest('{"a":1}\n{"a":[1]}\n{"a":[[{"b":2}]]}\n', 3)).toBe(3);
    expect(deepest('[\n  {\n    "a": [\n      [1]\n    ]\n  }\n]\n', 3)).toBe(4);
  });
  it('NDJSON: lines with many brackets in strings pass; a deep line is found', () => {
    expect(deepestLine('{"a":"[[[[[[[[","b":[1]}\n{"a":[[1]]}\n', 3)).toBeUndefined();
    expect(deepestLine('{"a":"[[[[[[[["}\n{"a":[[[[1]]]]}\n{"a":1}\n', 3)).toBe(2);
    expect(deepestLine('{"a":1}\n{"a":1}\n[[[[[[]]]]]]', 3)).toBe(3);
  });
  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(deepest('{"a":"[[[[{{{{"}\n', 2)).toBeUndefined();
    expect(deepest('{"a":"\\"[[[[\\\\"}\n{"b":"\\\\"}\n', 2)).toBeUndefined();
    expect(deepest('{"a":"\\\\"}\n{"b":[[[1]]]}\n', 2)).toBe(2);
  });
});
