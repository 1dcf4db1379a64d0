import { describe, expect, it } from 'vitest';
import { booleanSpelling, isMissingMarker, parseDateText, parseInfinityText, parseNumberText, sameLevel } from './values.js';

describe('parseNumberText', () => {
  it.each([
    ['1,234', 1234, 'thousands'],
    ['-1,234,567.5', -1234567.5, 'thousands'],
    ['$5', 5, 'currency'],
    ['$1,200.50', 1200.5, 'currency'],
    ['-$3', -3, 'currency'],
    ['€ 7', 7, 'currency'],
    ['12%', 12, 'percent'],
    ['(5)', -5, 'plain'],
    ['  42 ', 42, 'plain'],
    ['1e3', 1000, 'plain'],
    ['.5', 0.5, 'plain'],
  ])('reads %s as %d', (text, value, style) => {
    expect(parseNumberText(text)).toEqual({ value, style });
  });

  it.each(['abc', '1,23', '12-3', '', '$', '1.2.3', '0x10', 'Infinity'])('refuses %s', (text) => {
    expect(parseNumberText(text)).toBeUndefined();
  });
});

describe('parseInfinityText', () => {
  it.each([
    ['inf', Infinity],
    ['+inf', Infinity],
    ['-inf', -Infinity],
    ['Infinity', Infinity],
    [' -Infinity ', -Infinity],
    ['INF', Infinity],
    ['1e309', Infinity],
    ['-1e309', -Infinity],
  ])('reads %s', (text, value) => {
    expect(parseInfinityText(text)).toBe(value);
  });
  it.each(['1e308', 'infinite', 'NaN', '5', ''])('refuses %s', (text) => {
    expect(parseInfinityText(text)).toBeUndefined();
  });
});

describe('missing markers', () => {
  it.each(['', 'NA', 'null', '?', 'N/A', 'n/a', 'NaN', 'None', '.', ' NA '])('%s is missing', (s) => {
    expect(isMissingMarker(s)).toBe(true);
  });
  it.each(['0', 'no', 'nap', '-'])('%s is a value', (s) => {
    expect(isMissingMarker(s)).toBe(false);
  });
});

describe('booleanSpelling', () => {
  it.each([
    [['yes', 'no'], 'no', 'yes'],
    [['True', 'False'], 'False', 'True'],
    [['Y', 'N'], 'N', 'Y'],
    [['1', '0'], '0', '1'],
  ])('%j', (values, falseValue, trueValue) => {
    expect(booleanSpelling(values)).toEqual({ falseValue, trueValue });
  });
  it('does not treat other pairs as booleans', () => {
    expect(booleanSpelling(['male', 'female'])).toBeUndefined();
    expect(booleanSpelling(['yes', 'no', 'maybe'])).toBeUndefined();
  });
});

describe('sameLevel', () => {
  it('matches the same text in any case, and boolean spellings of a true/false level', () => {
    expect(sameLevel('Paris', 'paris')).toBe(true);
    expect(sameLevel('Yes', 'true')).toBe(true);
    expect(sameLevel('n', 'false')).toBe(true);
    expect(sameLevel('No', 'true')).toBe(false);
    expect(sameLevel('true', 'Yes')).toBe(false);
    expect(sameLevel('maybe', 'true')).toBe(false);
  });
});

describe('parseDateText', () => {
  it.each([
    ['2012-01-01', Date.UTC(2012, 0, 1)],
    ['2012-01-01 13:45', Date.UTC(2012, 0, 1, 13, 45)],
    ['2012-01-01T13:45:30Z', Date.UTC(2012, 0, 1, 13, 45, 30)],
    ['2012-01-01T13:45:30+02:00', Date.UTC(2012, 0, 1, 11, 45, 30)],
    ['2012/3/4', Date.UTC(2012, 2, 4)],
    ['03/04/2012', Date.UTC(2012, 2, 4)],
    ['25/12/2012', Date.UTC(2012, 11, 25)],
    ['Jun 12 1998', Date.UTC(1998, 5, 12)],
    ['12 June 1998', Date.UTC(1998, 5, 12)],
  ])('%s', (text, ms) => {
    expect(parseDateText(text)).toBe(ms);
  });
  it.each(['2012', '12.5', '2012-02-30', '2012-13-01', 'hello', 'A12 B'])('refuses %s', (text) => {
    expect(parseDateText(text)).toBeNaN();
  });
});
