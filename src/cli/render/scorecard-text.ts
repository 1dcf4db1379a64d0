/** A scorecard as text: the aligned table `hyperplane scorecard` prints, its CSV, and the lines the report shares. */
import type { Scorecard } from '../../explain/scorecard.js';
import { fmtInt, fmtNum, fmtPct, textTable } from './format.js';

/** Odds as people in credit read them: 1:19 rather than 0.0526 (events to non-events). */
export function oddsText(odds: number): string {
  if (!(odds > 0) || !Number.isFinite(odds)) return String(odds);
  return odds < 1 ? `1:${fmtNum(1 / odds)}` : `${fmtNum(odds)}:1`;
}

/** How points map to odds. Higher scores mean lower odds of the event (the card scores creditworthiness). */
export function scalingLine(card: Scorecard, nonEvent = `not ${card.event}`): string {
  const p = card.baseOdds / (1 + card.baseOdds);
  return `scaling: every ${fmtNum(card.pdo)} points (PDO) halve the odds of ${card.event}; a score of ${fmtNum(card.baseScore)} means odds ${oddsText(card.baseOdds)} (${card.event}:${nonEvent}, probability ${fmtPct(p)})`;
}

export function roundingLine(card: Scorecard): string {
  const r = card.rounding;
  return `rounding points to whole numbers moves a training row's probability by at most ${fmtNum(r.maxProbability, 3)} (mean ${fmtNum(r.meanProbability, 3)}) and its score by at most ${fmtNum(r.maxPoints, 3)} points`;
}

export const eventRateText = (rate: number | null): string => (rate === null ? '–' : fmtPct(rate));
export const woeText = (woe: number): string => woe.toFixed(4);
export const ivText = (iv: number): string => iv.toFixed(4);

/** The card as an aligned table: a characteristic's name, IV and trend on its first attribute's row only. */
export function cardTable(card: Scorecard): string {
  const rows = card.characteristics.flatMap((c) =>
    c.attributes.map((a, k) => [k === 0 ? c.name : '', a.attribute, fmtInt(a.count), fmtInt(a.events), eventRateText(a.eventRate), woeText(a.woe), String(a.points), k === 0 ? ivText(c.informationValue) : '', k === 0 ? c.trend : '']),
  );
  return textTable(['characteristic', 'attribute', 'count', 'events', 'event rate', 'WoE', 'points', 'IV', 'trend'], rows, new Set([2, 3, 4, 5, 6, 7]));
}

export function leftOutLines(card: Scorecard): string[] {
  if (card.leftOut.length === 0) return ['left out: none (every feature is in the card)'];
  return ['left out:', ...card.leftOut.map((f) => `  ${f.name} (IV ${ivText(f.informationValue)}): ${f.reason}`)];
}

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled (grouped levels have commas). */
export function csvField(v: string): string {
  return /[",\r\n]/.test(v) || v !== v.trim() ? `"${v.replace(/"/g, '""')}"` : v;
}

/** One row per attribute; numbers in full precision so that a reader can recompute (event_rate empty where no rows fell). */
export function cardCsv(card: Scorecard): string {
  const lines = ['characteristic,attribute,count,events,event_rate,woe,points,information_value'];
  for (const c of card.characteristics)
    for (const a of c.attributes) lines.push([c.name, a.attribute, String(a.count), String(a.events), a.eventRate === null ? '' : String(a.eventRate), String(a.woe), String(a.points), String(c.informationValue)].map(csvField).join(','));
  return `${lines.join('\n')}\n`;
}
