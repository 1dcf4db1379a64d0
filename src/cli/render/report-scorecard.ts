/** The report's Scorecard section: the card as people read it, and how the test rows' scores spread by class. */
import type { Scorecard } from '../../explain/scorecard.js';
import { fmtInt, fmtNum, fmtPct } from './format.js';
import { esc } from './html.js';
import { eventRateText, ivText, leftOutLines, roundingLine, scalingLine, woeText } from './scorecard-text.js';

/** The test rows' scores with their classes (0: the non-event, 1: the event). */
export interface ScoreSample {
  scores: ArrayLike<number>;
  classes: ArrayLike<number>;
  /** Why these scores: the evaluated card, when the package holds a refit one. */
  note?: string;
}

export interface ScorecardReport {
  card: Scorecard;
  /** The target's labels: [non-event, event]. */
  labels: readonly [string, string];
  /** Absent under cross-validation: there are no held-out rows to score. */
  test?: ScoreSample;
}

export interface ScoreBand {
  from: number;
  to: number;
  /** Rows per class in [from, to). */
  counts: [number, number];
}

/** A step of 1, 2 or 5 × 10^k: bands people can read off ("600 to 625"), about `target` of them. */
function niceStep(span: number, target: number): number {
  const raw = Math.max(span / target, 1e-9);
  const power = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power);
}

/** Counts per class in equal score bands spanning the scores; [] when there are none. */
export function scoreBands(sample: ScoreSample, target = 12): ScoreBand[] {
  const n = sample.scores.length;
  if (n === 0) return [];
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    lo = Math.min(lo, sample.scores[i]!);
    hi = Math.max(hi, sample.scores[i]!);
  }
  const step = niceStep(hi - lo, target);
  const start = Math.floor(lo / step) * step;
  // The top score opens a band of its own when it falls on an edge: bands are [from, to).
  const count = Math.floor((hi - start) / step) + 1;
  const bands: ScoreBand[] = Array.from({ length: count }, (_, k) => ({ from: start + k * step, to: start + (k + 1) * step, counts: [0, 0] }));
  for (let i = 0; i < n; i++) {
    const k = Math.min(count - 1, Math.floor((sample.scores[i]! - start) / step));
    bands[k]!.counts[sample.classes[i] === 1 ? 1 : 0]++;
  }
  return bands;
}

function cardTable(card: Scorecard): string {
  const head = '<tr><th>characteristic</th><th class="l">attribute</th><th>count</th><th>events</th><th>event rate</th><th>WoE</th><th>points</th></tr>';
  const body = card.characteristics
    .map((c) => {
      const first = `<tr class="char"><td colspan="7"><b>${esc(c.name)}</b> · IV ${ivText(c.informationValue)} · WoE trend ${esc(c.trend)}</td></tr>`;
      const rows = c.attributes.map((a) => `<tr><td></td><td class="l">${esc(a.attribute)}</td><td>${fmtInt(a.count)}</td><td>${fmtInt(a.events)}</td><td>${eventRateText(a.eventRate)}</td><td>${woeText(a.woe)}</td><td>${a.points}</td></tr>`);
      return first + rows.join('');
    })
    .join('');
  return `<table class="card">${head}${body}</table>`;
}

/** Counts per band and class, each drawn as a bar scaled to the largest count (the report's bar style, no script). */
function distribution(r: ScorecardReport): string {
  if (r.test === undefined) return '<p>No score distribution: under cross-validation there are no held-out test rows to score.</p>';
  const bands = scoreBands(r.test);
  if (bands.length === 0) return '<p>No score distribution: there are no test rows.</p>';
  const max = Math.max(...bands.flatMap((b) => b.counts), 1);
  const bar = (v: number, cls: string): string => `<td class="bar"><span class="${cls}" style="width:${((v / max) * 100).toFixed(1)}%"></span></td><td>${fmtInt(v)}</td>`;
  const rows = bands
    .map((b) => {
      const total = b.counts[0] + b.counts[1];
      return `<tr><td>${fmtNum(b.from)} to ${fmtNum(b.to)}</td>${bar(b.counts[0], 'neg')}${bar(b.counts[1], 'pos')}<td>${total > 0 ? fmtPct(b.counts[1] / total) : '–'}</td></tr>`;
    })
    .join('');
  const [neg, pos] = r.labels;
  const note = r.test.note !== undefined ? ` ${esc(r.test.note)}` : '';
  return (
    `<h3>Score distribution on the test rows</h3><p>${fmtInt(r.test.scores.length)} test rows by score band (from, up to but not including), by class: the further apart the classes, the better the card separates them.${note}</p>` +
    `<table class="bands"><tr><th>score</th><th colspan="2">${esc(neg)}</th><th colspan="2">${esc(pos)}</th><th>share ${esc(pos)}</th></tr>${rows}</table>`
  );
}

export function scorecardSection(r: ScorecardReport): string {
  const { card } = r;
  const leftOut =
    card.leftOut.length === 0
      ? `<p>${esc(leftOutLines(card)[0]!)}</p>`
      : `<p>Features left out of the card:</p><ul>${card.leftOut.map((f) => `<li><b>${esc(f.name)}</b> (IV ${ivText(f.informationValue)}): ${esc(f.reason)}</li>`).join('')}</ul>`;
  return (
    `<h2>Scorecard</h2><p>A row's score is the sum of its attributes' points; the event is <b>${esc(card.event)}</b>. Counts, event rates and weights of evidence (WoE) are of the packaged card's training rows; IV is each characteristic's information value.</p>` +
    `<p class="scaling">${esc(scalingLine(card, r.labels[0]))}.<br>${esc(roundingLine(card))}.</p>` +
    cardTable(card) +
    leftOut +
    distribution(r)
  );
}

export const SCORECARD_CSS = `table.card td.l,table.card th.l{text-align:left}tr.char td{text-align:left;background:#f6f8fa}td.bar span.neg{background:#8a929c}td.bar span.pos{background:#e4572e}table.bands td.bar{width:180px}h3{font-size:.95rem;margin-top:1.2rem}`;
