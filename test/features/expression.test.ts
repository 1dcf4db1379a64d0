import { describe, expect, it } from 'vitest';
import { evaluate, parseExpression, type Value } from '../../src/features/expression.js';

const row = (values: Record<string, Value>) => (name: string): Value => values[name] ?? null;
const check = (source: string, values: Record<string, Value>): Value => evaluate(parseExpression(source, 'test'), row(values));

describe('the rules expression language', () => {
  it('refuses nesting deeper than 100 levels with a clear error, not a stack overflow', () => {
    const deep = `${'('.repeat(5000)}x > 1${')'.repeat(5000)}`;
    expect(() => parseExpression(deep, 'rules.conditions.0.if')).toThrow(/field 'rules\.conditions\.0\.if': the expression is nested more than 100 levels deep/);
    expect(() => parseExpression(`${'not '.repeat(5000)}x`, 'r')).toThrow(/nested more than 100 levels deep/);
    expect(() => parseExpression(`${'-'.repeat(5000)}x`, 'r')).toThrow(/nested more than 100 levels deep/);
    expect(() => parseExpression(`x in ${'['.repeat(5000)}`, 'r')).toThrow(/nested more than 100 levels deep/);
    // The message quotes a long expression shortened, so it stays one readable line.
    expect(() => parseExpression(deep, 'r')).toThrow(/characters\)$/);
    // 100 levels are fine.
    expect(check(`${'('.repeat(100)}x > 1${')'.repeat(100)}`, { x: 2 })).toBe(true);
  });

  it('evaluates 10,000 flat terms and conditions (long chains are loops, not recursion)', () => {
    const sum = Array.from({ length: 10_000 }, () => 'x').join(' + ');
    expect(check(`${sum} == 20000`, { x: 2 })).toBe(true);
    expect(check(sum, { x: 0.1 })).toBe(Array.from({ length: 10_000 }).reduce<number>((s) => s + 0.1, 0));
    expect(check(`${sum} > 0`, { x: null })).toBe(false);
    const and = Array.from({ length: 10_000 }, (_, i) => `x > ${i}`).join(' and ');
    expect(check(and, { x: 10_000 })).toBe(true);
    expect(check(and, { x: 9_999 })).toBe(false);
    const or = Array.from({ length: 10_000 }, (_, i) => `x == ${i}`).join(' or ');
    expect(check(or, { x: 9_999 })).toBe(true);
    const product = Array.from({ length: 10_000 }, () => 'x').join(' * ');
    expect(check(product, { x: 1 })).toBe(1);
    expect(check(`${product} / 0`, { x: 1 })).toBe(null);
  });

  it('comparisons, and / or / not with the usual precedence, arithmetic, lists', () => {
    const r = { downloads: 1500, rating: 4.2, plan: 'Pro', country: 'FR', 'signup year': 2019 };
    expect(check('downloads > 1000 and rating >= 4', r)).toBe(true);
    expect(check('downloads > 1000 and rating >= 4.5 or plan == "pro"', r)).toBe(true);
    expect(check('downloads > 1000 and (rating >= 4.5 or plan == "free")', r)).toBe(false);
    expect(check('not rating < 4', r)).toBe(true);
    expect(check('downloads / 10 - 50 = 100', r)).toBe(true);
    expect(check("country in ['FR', 'DE'] and country not in ['US']", r)).toBe(true);
    expect(check('`signup year` <= 2020', r)).toBe(true);
    expect(check('-rating < -4', r)).toBe(true);
  });

  it('a missing value fails every comparison (as in SQL) and makes arithmetic missing', () => {
    const r = { rating: null, plan: null };
    expect(check('rating < 4', r)).toBe(false);
    expect(check('rating >= 4', r)).toBe(false);
    expect(check('plan != "pro"', r)).toBe(false);
    expect(check('rating + 1 > 0', r)).toBe(false);
    expect(check('rating == null', r)).toBe(false);
  });

  it('syntax errors name the rule and the character; nothing is executed', () => {
    expect(() => parseExpression('downloads >', 'rules.conditions.0.if')).toThrow(/field 'rules\.conditions\.0\.if': the expression ends too soon at character 12 of "downloads >"/);
    expect(() => parseExpression('a > 1 b', 'r')).toThrow(/unexpected 'b' at character 7/);
    expect(() => parseExpression("plan == 'pro", 'r')).toThrow(/unterminated string at character 9/);
    expect(() => parseExpression('process.exit(1)', 'r')).toThrow(/unexpected '\('/);
    expect(() => parseExpression('a; b', 'r')).toThrow(/unexpected ';'/);
  });
});
