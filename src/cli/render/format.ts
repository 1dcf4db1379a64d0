import { isoDate } from '../../data/schema/infer.js';

export const fmtInt = (n: number): string => n.toLocaleString('en-US');
export const fmtPct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** A number in at most `digits` significant digits, without exponent noise for everyday magnitudes. */
export function fmtNum(x: number | undefined, digits = 4): string {
  if (x === undefined || Number.isNaN(x)) return '–';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e15 || a < 1e-4) return x.toExponential(2);
  if (Number.isInteger(x) && a < 1e9) return fmtInt(x);
  return Number(x.toPrecision(digits)).toLocaleString('en-US', { maximumFractionDigits: 6 });
}

export function fmtDate(ms: number | undefined): string {
  return ms === undefined || Number.isNaN(ms) ? '–' : isoDate(ms);
}

const BARS = '▁▂▃▄▅▆▇█';

export function sparkline(counts: readonly number[]): string {
  const max = Math.max(...counts, 0);
  if (max === 0) return '';
  return counts.map((c) => (c === 0 ? ' ' : BARS[Math.min(BARS.length - 1, Math.floor((c / max) * (BARS.length - 1) + 0.5))]!)).join('');
}

/** Left-aligned columns padded to the widest cell; `right` marks columns to right-align. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[], right: ReadonlySet<number> = new Set()): string {
  const widths = header.map((h, j) => Math.max(width(h), ...rows.map((r) => width(r[j] ?? ''))));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, j) => (right.has(j) ? c.padStart(widths[j]! + c.length - width(c)) : c.padEnd(widths[j]! + c.length - width(c))))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** Display width: counts code points, which is right for the box and block characters we print. */
function width(s: string): number {
  return [...s].length;
}

export function truncate(s: string, max: number): string {
  const chars = [...s];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : s;
}
