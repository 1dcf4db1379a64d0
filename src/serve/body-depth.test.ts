import { describe, expect, it } from 'vitest';
import { nestedDeeperThan } from './body-depth.js';

describe('nestedDeeperThan', () => {
  const nest = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`;
  it('counts arrays and objects together, up to the limit and one past it', () => {
    expect(nestedDeeperThan(nest(64))).toBe(false);
    expect(nestedDeeperThan(nest(65))).toBe(true);
    expect(nestedDeeperThan(`${'{"a":'.repeat(65)}1${'}'.repeat(65)}`)).toBe(true);
    expect(nestedDeeperThan(`[${'{"a":[1]},'.repeat(1000)}{}]`)).toBe(false);
  });
  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(nestedDeeperThan(JSON.stringify({ a: `"${'['.repeat(100)}` }))).toBe(false);
    expect(nestedDeeperThan(JSON.stringify([`\\"`, '['.repeat(100)]))).toBe(false);
  });
});
