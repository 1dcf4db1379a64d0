import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Scorecard } from '../../src/explain/scorecard.js';
import { cardCsv } from '../../src/cli/render/scorecard-text.js';
import { scoreBands } from '../../src/cli/render/report-scorecard.js';
import { cli as runCli, expectCleanError, fixture, tempDir } from '../helpers.js';

/** RFC 4180 rows: quoted fields may hold commas and doubled quotes (the card's grouped levels do). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else field += ch;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

describe('hyperplane scorecard, and the scorecard in the training report', () => {
  let dir: string;
  let model: string;
  let card: Scorecard;
  let trainRows: number;

  // One training run shared by the file: the card, summary and report are all read from it.
  beforeAll(async () => {
    dir = tempDir();
    const r = await runCli(['train', fixture('credit_card.csv'), '--target', 'declined', '--learner', 'scorecard', '--no-track', '--out', join(dir, 'run')]);
    expect(r.code, r.stderr).toBe(0);
    model = join(dir, 'run', 'model.hpkg');
    const summary = JSON.parse(readFileSync(join(dir, 'run', 'summary.json'), 'utf8')) as { scorecard: Scorecard; fit: { rows: number } };
    card = summary.scorecard;
    trainRows = summary.fit.rows;
  });

  it("summary.json holds the card: the event, the scaling, characteristics whose counts cover the packaged model's training rows", async () => {
    expect(card.event).toBe('yes');
    expect(card.pdo).toBeGreaterThan(0);
    expect(card.baseOdds).toBeGreaterThan(0);
    expect(trainRows).toBe(1319);
    expect(card.characteristics.length).toBeGreaterThan(2);
    for (const c of card.characteristics) expect(c.attributes.reduce((n, a) => n + a.count, 0), c.name).toBe(trainRows);
  });

  it('prints every characteristic in an aligned table, then the left-out features and the scaling line', async () => {
    const r = await runCli(['scorecard', model]);
    expect(r.code, r.stderr).toBe(0);
    // The table runs to the first blank line; a characteristic's name starts its first attribute's row.
    const table = r.stdout.slice(0, r.stdout.indexOf('\n\n')).split('\n');
    expect(table[0]).toMatch(/^characteristic\s+attribute\s+count\s+events\s+event rate\s+WoE\s+points\s+IV/);
    expect(table).toHaveLength(1 + card.characteristics.reduce((n, c) => n + c.attributes.length, 0));
    const named = table.slice(1).flatMap((l) => /^(\S+)\s/.exec(l)?.[1] ?? []);
    expect(named).toEqual(card.characteristics.map((c) => c.name));
    // Aligned: every row's points column ends where the header's does.
    const pointsEnd = table[0]!.indexOf('points') + 'points'.length;
    for (const l of table.slice(1)) expect([...l].slice(0, pointsEnd).join('')).toMatch(/-?\d+$/);
    for (const f of card.leftOut) expect(r.stdout).toContain(`  ${f.name} (IV ${f.informationValue.toFixed(4)}): ${f.reason}`);
    // 0.0526 odds of a decline at the base score: written as people in credit do.
    expect(r.stdout).toContain(`every ${card.pdo} points (PDO) halve the odds of yes; a score of ${card.baseScore} means odds 1:${Math.round(1 / card.baseOdds)} (yes:no`);
    expect(r.stdout).toMatch(/rounding points to whole numbers moves a training row's probability by at most/);
  });

  it('--out card.csv: one row per attribute, points as in the summary, counts adding up to the training rows, event rate × count = events', async () => {
    const out = join(dir, 'card.csv');
    const r = await runCli(['scorecard', model, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const [head, ...rows] = parseCsv(readFileSync(out, 'utf8'));
    expect(head).toEqual(['characteristic', 'attribute', 'count', 'events', 'event_rate', 'woe', 'points', 'information_value']);
    const expected = card.characteristics.flatMap((c) => c.attributes.map((a) => [c.name, a.attribute, a.points, c.informationValue] as const));
    expect(rows.map((x) => [x[0], x[1], Number(x[6]), Number(x[7])])).toEqual(expected);
    const perCharacteristic = new Map<string, number>();
    for (const [name, , count, events, rate, woe] of rows) {
      perCharacteristic.set(name!, (perCharacteristic.get(name!) ?? 0) + Number(count));
      expect(Number.isFinite(Number(woe))).toBe(true);
      if (rate === '') expect(Number(count)).toBe(0);
      else expect(Number(rate) * Number(count)).toBeCloseTo(Number(events), 9);
    }
    expect([...perCharacteristic.values()]).toEqual(card.characteristics.map(() => trainRows));
  });

  it('--json prints the card summary.json holds', async () => {
    const r = await runCli(['scorecard', model, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(card);
  });

  it("report.html has a Scorecard section: each characteristic with its IV, the left-out features, the scaling, the test rows' scores by class", async () => {
    const html = readFileSync(join(dir, 'run', 'report.html'), 'utf8');
    const start = html.indexOf('<h2>Scorecard</h2>');
    expect(start).toBeGreaterThan(0);
    const next = html.indexOf('<h2>', start + 1);
    const section = html.slice(start, next < 0 ? undefined : next);
    for (const c of card.characteristics) expect(section).toContain(`<b>${c.name}</b> · IV ${c.informationValue.toFixed(4)}`);
    for (const f of card.leftOut) expect(section).toContain(`<b>${f.name}</b> (IV ${f.informationValue.toFixed(4)})`);
    expect(section).toContain(`a score of ${card.baseScore} means odds 1:${Math.round(1 / card.baseOdds)}`);
    expect(section).toContain('Score distribution on the test rows');
    // The bands count every test row (the 20% holdout: 264 of 1,319), split by class.
    const counts = [...section.slice(section.indexOf('<table class="bands">')).matchAll(/<\/span><\/td><td>([\d,]+)<\/td>/g)].map((m) => Number(m[1]!.replace(/,/g, '')));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(264);
    expect(html).not.toMatch(/<script/i);
  });

  it('bad input: a model that is not a scorecard, and --out that is not .csv, exit 2 with one line', async () => {
    const gbdt = join(dir, 'gbdt');
    expect((await runCli(['train', fixture('credit_card.csv'), '--target', 'declined', '--learner', 'gbdt', '--no-track', '--out', gbdt])).code).toBe(0);
    expectCleanError(['scorecard', join(gbdt, 'model.hpkg')], /model\.hpkg is a gbdt model: only scorecard models have a card/);
    expectCleanError(['scorecard', model, '--out', join(dir, 'card.txt')], /--out .*card\.txt: .*\.csv/);
  });
});

describe('the card as CSV and score bands', () => {
  it('quotes attributes with commas and quotes, so the rows read back as written', async () => {
    const card: Scorecard = {
      event: 'bad', pdo: 20, baseScore: 600, baseOdds: 1 / 50, leftOut: [], rounding: { maxProbability: 0, meanProbability: 0, maxPoints: 0 },
      characteristics: [{ name: 'region', informationValue: 0.3, trend: 'levels', attributes: [
        { attribute: 'north, "east"', count: 3, events: 1, eventRate: 1 / 3, woe: -0.5, points: 12 },
        { attribute: 'missing', count: 0, events: 0, eventRate: null, woe: 0, points: 20 },
      ] }],
    };
    const rows = parseCsv(cardCsv(card));
    expect(rows[1]!.slice(0, 2)).toEqual(['region', 'north, "east"']);
    expect(rows[2]![4]).toBe('');
    expect(rows).toHaveLength(3);
  });

  it('bands cover every score once, the top score included', async () => {
    const bands = scoreBands({ scores: [500, 512, 560, 600, 600], classes: [1, 1, 0, 0, 1] }, 4);
    expect(bands.reduce((n, b) => n + b.counts[0] + b.counts[1], 0)).toBe(5);
    expect(bands[0]!.from).toBeLessThanOrEqual(500);
    expect(bands.at(-1)!.to).toBeGreaterThan(600);
    expect(bands.reduce((n, b) => n + b.counts[1], 0)).toBe(3);
  });
});
