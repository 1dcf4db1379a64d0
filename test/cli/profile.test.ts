import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProfileReport } from '../../src/data/load.js';
import { fixture, runCli, tempDir } from '../helpers.js';

function profileJson(file: string, ...args: string[]): ProfileReport {
  const r = runCli(['profile', fixture(file), '--json', ...args]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as ProfileReport;
}

const typesOf = (report: ProfileReport): Record<string, string> => Object.fromEntries(report.schema.map((c) => [c.name, c.type]));

describe('hyperplane profile on real public data', () => {
  it('movies.json: a genre is categorical, a title is text, a release date is a datetime', () => {
    const types = typesOf(profileJson('movies.json'));
    expect(types['Major Genre']).toBe('categorical');
    expect(types['MPAA Rating']).toBe('categorical');
    expect(['text', 'id']).toContain(types['Title']);
    expect(types['Release Date']).toBe('datetime');
    expect(types['IMDB Rating']).toBe('numeric');
    expect(types['US Gross']).toBe('numeric');
  });

  it('breast_cancer.csv: the two-valued text diagnosis is binary, and the target is a binary task', () => {
    const report = profileJson('breast_cancer.csv', '--target', 'diagnosis');
    expect(typesOf(report)['diagnosis']).toBe('binary');
    expect(typesOf(report)['mean radius']).toBe('numeric');
    expect(report.target?.task).toBe('binary');
    expect(report.target?.classes?.map((c) => [c.label, c.count])).toEqual([
      ['benign', 357],
      ['malignant', 212],
    ]);
    expect(report.warnings.filter((w) => w.kind === 'imbalance')).toEqual([]);
  });

  it('wine.csv: three cultivars are a multiclass target', () => {
    const report = profileJson('wine.csv', '--target', 'cultivar');
    expect(report.target?.task).toBe('multiclass');
    expect(report.target?.classes).toHaveLength(3);
    expect(report.rows).toBe(178);
  });

  it('seattle-weather.csv: the date is a datetime and the weather a categorical target with a rare class', () => {
    const report = profileJson('seattle-weather.csv', '--target', 'weather');
    expect(typesOf(report)).toEqual({ date: 'datetime', precipitation: 'numeric', temp_max: 'numeric', temp_min: 'numeric', wind: 'numeric', weather: 'categorical' });
    expect(report.warnings.map((w) => w.kind)).toContain('imbalance');
    const date = report.columns.find((c) => c.name === 'date')!;
    expect([date.min, date.max]).toEqual([Date.UTC(2012, 0, 1), Date.UTC(2015, 11, 31)]);
  });

  it('penguins.json and cars.json: species and origin are categorical, sex binary, a car name text', () => {
    const penguins = typesOf(profileJson('penguins.json', '--target', 'Species'));
    expect(penguins).toMatchObject({ Species: 'categorical', Island: 'categorical', Sex: 'binary', 'Body Mass (g)': 'numeric' });
    const cars = typesOf(profileJson('cars.json'));
    expect(cars).toMatchObject({ Origin: 'categorical', Year: 'datetime', Horsepower: 'numeric', Name: 'text' });
  });

  it('prints a readable table with the types, reasons, fingerprint and warnings', () => {
    const r = runCli(['profile', fixture('seattle-weather.csv'), '--target', 'weather']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^source\s+.*seattle-weather\.csv \(csv\), 1,461 rows × 6 columns$/m);
    expect(r.stdout).toMatch(/^fingerprint\s+sha256:[0-9a-f]{64}$/m);
    expect(r.stdout).toMatch(/^target\s+weather: multiclass \(5 classes in a categorical column → multiclass\)$/m);
    expect(r.stdout).toContain('weather        5 distinct values in 1,461 rows → categorical');
    expect(r.stdout).toContain("! class imbalance: 'snow' is only 1.8% of rows");
  });

  it('writes a self-contained HTML report with a histogram per numeric column', () => {
    const dir = tempDir();
    const html = join(dir, 'report.html');
    const r = runCli(['profile', fixture('penguins.json'), '--html', html]);
    expect(r.code).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page.match(/<svg class="hist"/g)).toHaveLength(4);
    expect(page).not.toMatch(/<script|<link|src="http/);
    expect(page).toContain('Beak Length (mm)');
  });

  it('round-trips an edited schema file: a type set by the user wins over inference', () => {
    const dir = tempDir();
    const schemaPath = join(dir, 'schema.json');
    expect(runCli(['profile', fixture('cars.json'), '--save-schema', schemaPath]).code).toBe(0);
    const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as { columns: { name: string; type: string; reason: string }[] };
    expect(schema.columns.find((c) => c.name === 'Cylinders')?.type).toBe('numeric');
    schema.columns.find((c) => c.name === 'Cylinders')!.type = 'categorical';
    writeFileSync(schemaPath, JSON.stringify(schema));
    const report = profileJson('cars.json', '--schema', schemaPath);
    const cylinders = report.columns.find((c) => c.name === 'Cylinders')!;
    expect(cylinders.type).toBe('categorical');
    expect(cylinders.top?.map((t) => t.value).sort()).toEqual(['3', '4', '5', '6', '8']);
  });

  it('explains a schema file with a wrong type or an unknown column', () => {
    const dir = tempDir();
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ version: 1, columns: [{ name: 'Origin', type: 'category' }] }));
    let r = runCli(['profile', fixture('cars.json'), '--schema', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.json, field 'columns\.0\.type': Invalid option: expected one of "numeric"\|"binary"/);
    writeFileSync(bad, JSON.stringify({ version: 1, columns: [{ name: 'Colour', type: 'categorical' }] }));
    r = runCli(['profile', fixture('cars.json'), '--schema', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/names column 'Colour', which the data does not have/);
  });

  it('synth output profiles as numeric features and a binary target', () => {
    const dir = tempDir();
    const out = join(dir, 's.csv');
    const s = runCli(['synth', '--task', 'binary', '--rows', '3000', '--features', '8', '--seed', '4', '--out', out]);
    expect(s.code).toBe(0);
    expect(s.stdout).toMatch(/wrote 3,000 rows × 9 columns/);
    const report = JSON.parse(runCli(['profile', out, '--target', 'target', '--json']).stdout) as ProfileReport;
    expect(report.schema.filter((c) => c.type === 'numeric')).toHaveLength(8);
    expect(report.target?.task).toBe('binary');
  });
});

describe('hyperplane profile --clusters', () => {
  it('penguins.json: two clusters of rows by silhouette, the target left out, each described by the columns that set it apart', () => {
    const report = profileJson('penguins.json', '--target', 'Species', '--clusters');
    const clusters = report.clusters!;
    expect(clusters.k).toBe(2);
    expect(clusters.columns).toBe(6);
    expect(clusters.clusters.map((c) => c.size)).toEqual([221, 123]);
    expect(clusters.clusters.reduce((s, c) => s + c.share, 0)).toBeCloseTo(1, 12);
    expect(clusters.tried.map((t) => t.k)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    for (const c of clusters.clusters) {
      expect(c.differences).toHaveLength(3);
      expect(c.differences.map((d) => d.column)).not.toContain('Species');
    }
    // The smaller cluster is the big-flippered penguins (Gentoo): well over one standard deviation.
    expect(clusters.clusters[1]!.differences.find((d) => d.column === 'Flipper Length (mm)')!.difference).toBeGreaterThan(1);
    expect(profileJson('penguins.json').clusters).toBeUndefined();
  });

  it('seattle-weather.csv: k is chosen on a sample of 1,000 rows and every row is assigned; the text and HTML show the section', () => {
    const report = profileJson('seattle-weather.csv', '--clusters');
    expect(report.clusters!.sampleRows).toBe(1000);
    expect(report.clusters!.clusters.reduce((s, c) => s + c.size, 0)).toBe(1461);
    const html = join(tempDir(), 'profile.html');
    const r = runCli(['profile', fixture('seattle-weather.csv'), '--clusters', '--html', html]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/clusters of rows: k = \d by silhouette \(0\.\d{3}\), k-means on 5 columns \(k chosen on a sample of 1,000 rows\)/);
    expect(readFileSync(html, 'utf8')).toContain('<h2>Clusters of rows</h2>');
    expect(runCli(['profile', fixture('seattle-weather.csv')]).stdout).not.toMatch(/clusters of rows/);
  });
});
