import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import type { ColumnSchema } from '../../src/data/schema/schema.js';
import type { Column, Table } from '../../src/data/table.js';
import { FittedRecipe, type Recipe } from '../../src/features/recipe.js';
import { datetimeFeatures } from '../../src/onnx/datetime.js';
import { GraphBuilder } from '../../src/onnx/graph.js';
import { exportOnnx } from '../../src/onnx/index.js';
import { GraphInputs } from '../../src/onnx/inputs.js';
import { recipeFeatures } from '../../src/onnx/recipe.js';
import type { ModelPackage } from '../../src/pipeline/package.js';
import { fitMember } from '../../src/pipeline/out-of-fold.js';
import { Pipeline, type Member, type TargetSpec } from '../../src/pipeline/pipeline.js';
import type { TrainOptions } from '../../src/pipeline/train.js';
import { cli, fixture, tempDir } from '../helpers.js';
import { random, targetSpec } from './export-data.js';
import { expectOnnxCheckerPasses } from './onnx-checker.js';

// The datetime step in ONNX: dates fed as epoch ms, the five features equal to recipe.ts's, bit for bit.

const DAY = 86_400_000;
const FROM = Date.UTC(1900, 0, 1);
const TO = Date.UTC(2101, 0, 1) - 1;

/** Dates where a wrong rule shows: leap days and the non-leap 1900 and 2100, month and year ends, midnight, the epoch, fractional ms. */
function edgeDates(): number[] {
  const out: number[] = [];
  for (const [y, m, d] of [[1900, 1, 28], [1900, 2, 1], [1904, 1, 29], [1969, 11, 31], [1970, 0, 1], [1999, 11, 31], [2000, 1, 29], [2000, 2, 1], [2024, 1, 29], [2096, 1, 29], [2100, 1, 28], [2100, 2, 1], [2100, 11, 31]] as const) {
    const day = Date.UTC(y, m, d);
    out.push(day, day - 1, day + 1, day + DAY - 1, day - 3_600_000, day + 3_600_000 - 1, day - 0.5, day + 0.5);
  }
  // The last day of every month of a few years, either side of midnight.
  for (const y of [1900, 1901, 1968, 1972, 2000, 2001, 2100]) for (let m = 1; m <= 12; m++) out.push(Date.UTC(y, m, 1) - 1, Date.UTC(y, m, 1));
  out.push(0, -0, -1, 1, -0.25, 0.25, -DAY + 0.5, -DAY - 0.5);
  return out;
}

/** `n` rows: 1 in 10 missing, 1 in 10 an edge date, the rest spread uniformly over 1900–2100 (about a third before 1970). */
function dates(n: number, seed: number): Float64Array {
  const r = random(seed);
  const edges = edgeDates();
  return Float64Array.from({ length: n }, () => {
    const u = r();
    if (u < 0.1) return NaN;
    if (u < 0.2) return edges[Math.floor(r() * edges.length)]!;
    return FROM + Math.floor(r() * (TO - FROM));
  });
}

async function run(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<ort.InferenceSession.OnnxValueMapType> {
  const session = await ort.InferenceSession.create(bytes);
  return session.run(feeds);
}

const msTensor = (ms: Float64Array): ort.Tensor => new ort.Tensor('float64', ms, [ms.length, 1]);

/** Rows where a and b differ, NaN equal to NaN and -0 to 0 (exact otherwise); at most 5, for the message. */
function mismatches(a: ArrayLike<number>, b: ArrayLike<number>, width: number, ms: Float64Array): string[] {
  const out: string[] = [];
  for (let i = 0; i < a.length && out.length < 5; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (!(x === y || (x !== x && y !== y))) out.push(`row ${Math.floor(i / width)} (ms ${ms[Math.floor(i / width)]}), feature ${i % width}: ${x} vs ${y}`);
  }
  return out;
}

describe('ONNX export of the datetime step: the five features as recipe.ts makes them', () => {
  const recipe: Recipe = { version: 1, family: 'tree', inputs: [{ name: 'when', type: 'datetime' }], steps: [{ kind: 'datetime', input: 0 }], finish: undefined, features: ['year', 'month', 'weekday', 'hour', 'days'], categorical: [] };

  async function check(ms: Float64Array): Promise<{ ours: Float64Array; onnx: Float64Array }> {
    const g = new GraphBuilder();
    g.output(datetimeFeatures(g, g.input('when', 'double'), 'step'), 'features', 'double', ['N', 5]);
    const result = await run(g.encode({ graphName: 'datetime', docString: '', producerVersion: '' }), { when: msTensor(ms) });
    const onnx = result['features']!.data as Float64Array;
    const table: Table = { nRows: ms.length, columns: [{ kind: 'datetime', name: 'when', values: ms }] };
    const ours = new FittedRecipe(recipe).transformTable(table).data;
    if (!(ours instanceof Float64Array)) throw new Error('recipe.ts gave float32 features: nothing exact to compare');
    expect(onnx.length).toBe(ms.length * 5);
    expect(mismatches(onnx, ours, 5, ms)).toEqual([]);
    return { ours, onnx };
  }

  it('every day from 1900-01-01 to 2100-12-31, at a time of day that walks through every hour', async () => {
    const ms = Float64Array.from({ length: (TO - FROM + 1) / DAY }, (_, d) => FROM + d * DAY + ((d * 7_919_993) % DAY));
    const { ours } = await check(ms);
    // The reference covers what it should: both centuries' ends, every month, weekday and hour.
    const column = (j: number): Set<number> => new Set(Array.from({ length: ms.length }, (_, i) => ours[i * 5 + j]!));
    expect(Math.min(...column(0))).toBe(1900);
    expect(Math.max(...column(0))).toBe(2100);
    expect(column(1).size).toBe(12);
    expect(column(2).size).toBe(7);
    expect(column(3).size).toBe(24);
  });

  it('edge dates, missing, infinite and out-of-range ms (NaN for the parts a Date cannot hold), and random ms over ±8.64e15', async () => {
    const r = random(3);
    const wide = Array.from({ length: 20_000 }, () => Math.round((r() * 2 - 1) * 8.64e15));
    const odd = [NaN, Infinity, -Infinity, 8.64e15, -8.64e15, 8.64e15 + 2, -8.64e15 - 2, 1e300, -1e300];
    const { onnx } = await check(Float64Array.from([...edgeDates(), ...odd, ...wide]));
    const at = edgeDates().length;
    expect(Array.from(onnx.subarray(at * 5, at * 5 + 5))).toEqual([NaN, NaN, NaN, NaN, NaN]);
    // Infinity: the parts are NaN but Math.floor(Infinity / DAY) is Infinity, as in recipe.ts.
    expect(Array.from(onnx.subarray((at + 1) * 5, (at + 1) * 5 + 5))).toEqual([NaN, NaN, NaN, NaN, Infinity]);
  });

  it('known dates, written out', async () => {
    const ms = Float64Array.from([Date.UTC(2000, 1, 29, 23), Date.UTC(1900, 2, 1, 0, 0, 0, 1) - 2, -1]);
    const { onnx } = await check(ms);
    // 2000-02-29 was a Tuesday; 1900-02-28 a Wednesday; 1969-12-31 a Wednesday.
    expect(Array.from(onnx)).toEqual([2000, 2, 1, 23, 11_016, 1900, 2, 2, 23, -25_509, 1969, 12, 2, 23, -1]);
  });
});

// Models trained on a table with a date column, whose target depends on each of the five parts.

interface Rows {
  x: number[];
  when: Float64Array;
}

function rows(n: number, seed: number): Rows {
  const r = random(seed + 1);
  return { x: Array.from({ length: n }, () => (r() < 0.05 ? NaN : r() * 4 - 2)), when: dates(n, seed) };
}

function signal(rows: Rows, i: number): number {
  const ms = rows.when[i]!;
  const x = rows.x[i]!;
  let s = Number.isNaN(x) ? 0.3 : x;
  if (Number.isNaN(ms)) return s + 0.5;
  const d = new Date(ms);
  s += (d.getUTCFullYear() - 2000) / 60 + (d.getUTCMonth() >= 5 && d.getUTCMonth() <= 8 ? 1 : 0) + (d.getUTCDay() === 0 || d.getUTCDay() === 6 ? -1.2 : 0) + (d.getUTCHours() < 6 ? 0.8 : 0);
  return s;
}

const SCHEMA: ColumnSchema[] = [
  { name: 'x', type: 'numeric', reason: 'test' },
  { name: 'when', type: 'datetime', reason: 'test' },
  { name: 'y', type: 'numeric', reason: 'test' },
];

function table(rows: Rows, y: Float64Array | undefined, target: TargetSpec): Table {
  const columns: Column[] = [
    { kind: 'numeric', name: 'x', values: Float64Array.from(rows.x) },
    { kind: 'datetime', name: 'when', values: rows.when },
  ];
  if (y !== undefined) {
    columns.push(target.labels === undefined ? { kind: 'numeric', name: 'y', values: y } : { kind: 'categorical', name: 'y', codes: Int32Array.from(y), dictionary: [...target.labels] });
  }
  return { nRows: rows.x.length, columns };
}

async function fit(task: 'regression' | 'binary', learner: string, params: Record<string, unknown> = {}): Promise<ModelPackage> {
  const train = rows(3000, 7);
  const target = targetSpec(task);
  const noise = random(11);
  const y = Float64Array.from(train.x, (_, i) => {
    const s = signal(train, i) + (noise() - 0.5) * 0.5;
    return task === 'regression' ? 3000 + 800 * s : s > 0.6 ? 1 : 0;
  });
  const schema = SCHEMA.map((c) => (c.name === 'y' && task !== 'regression' ? { ...c, type: 'categorical' as const } : c));
  const options: TrainOptions = { target: 'y', learner, evaluation: { kind: 'holdout', share: 0.2 }, seed: 1, timeBudgetSeconds: 30 };
  const member: Member = { ...(await fitMember(table(train, y, target), y, schema, target, { learner, params }, options)), weight: 1 };
  const info = { createdAt: '2026-01-01T00:00:00Z', learner, params: {}, seed: 1, fingerprint: '', source: 'test', trainRows: train.x.length, metrics: {}, evaluation: 'none' };
  return { pipeline: { target, schema, members: [member] }, info };
}

const scored = rows(10_000, 101);
const seen: Record<string, number> = {};

afterAll(() => {
  console.log(`datetime export, largest |onnxruntime − hyperplane|: ${Object.entries(seen).map(([k, v]) => `${k} ${v.toExponential(2)}`).join(', ')}`);
});

/** Exports, scores the 10,000 rows both ways, and checks the scores (within 1e-9) and the labels (equal). */
async function roundTrip(name: string, pkg: ModelPackage): Promise<void> {
  const exported = exportOnnx(pkg);
  expect(exported.inputs).toEqual([{ name: 'x', type: 'double' }, { name: 'when', type: 'double', date: true }]);
  const N = scored.x.length;
  const result = await run(exported.bytes, { x: msTensor(Float64Array.from(scored.x)), when: msTensor(scored.when) });
  const pipeline = new Pipeline(pkg.pipeline);
  const ours = pipeline.scoreTable(table(scored, undefined, pkg.pipeline.target));
  const regression = pkg.pipeline.target.task === 'regression';
  const got = result[regression ? 'variable' : 'probabilities']!.data as Float64Array;
  expect(got.length).toBe(ours.length);
  let worst = 0;
  for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(got[i]! - ours[i]!));
  seen[name] = worst;
  expect(worst).toBeLessThan(1e-9);
  if (!regression) {
    expect(result['label']!.data).toEqual(pipeline.label(ours));
    expect(new Set(pipeline.label(ours)).size).toBe(2);
  }
  // The member's whole feature matrix, imputation and scaling included, equals recipe.ts's exactly.
  const { recipe } = pkg.pipeline.members[0]!;
  expect(recipe.steps.some((s) => s.kind === 'datetime')).toBe(true);
  const g = new GraphBuilder();
  const inputs = new GraphInputs(g, recipe.inputs);
  g.output(recipeFeatures(g, recipe, inputs.forRecipe(recipe), 'm', ''), 'features', 'double', ['N', recipe.features.length]);
  const features = await run(g.encode({ graphName: 'features', docString: '', producerVersion: '' }), { x: msTensor(Float64Array.from(scored.x)), when: msTensor(scored.when) });
  const expected = new FittedRecipe(recipe).transformTable(table(scored, undefined, pkg.pipeline.target)).data;
  expect(mismatches(features['features']!.data as Float64Array, expected, recipe.features.length, scored.when)).toEqual([]);
  expect(N).toBe(10_000);
}

describe('ONNX export of models with a date column: onnxruntime gives the numbers Hyperplane gives on 10,000 rows from 1900 to 2100', () => {
  it('the scored rows hold what the test is about', () => {
    const when = Array.from(scored.when);
    expect(when.filter(Number.isNaN).length).toBeGreaterThan(800);
    expect(when.filter((ms) => ms < 0).length).toBeGreaterThan(2500);
    expect(when.filter((ms) => new Date(ms).getUTCMonth() === 1 && new Date(ms).getUTCDate() === 29).length).toBeGreaterThan(100);
    expect(when.filter((ms) => ms % 3_600_000 === 3_599_999 || ms % 3_600_000 === -1).length).toBeGreaterThan(100);
  });

  it('GBDT, regression and binary', async () => {
    await roundTrip('gbdt-regression', await fit('regression', 'gbdt', { n_estimators: 40, num_leaves: 15 }));
    await roundTrip('gbdt-binary', await fit('binary', 'gbdt', { n_estimators: 40, num_leaves: 15 }));
  });

  it('linear and logistic: the five features imputed (with missing indicators) and standardized', async () => {
    const linear = await fit('regression', 'linear');
    expect(linear.pipeline.members[0]!.recipe.finish?.columns.some((c) => c.indicator)).toBe(true);
    await roundTrip('linear', linear);
    await roundTrip('logistic', await fit('binary', 'logistic'));
  });

  it("passes python3-onnx's full checker (shape and type inference through the date arithmetic)", async () => {
    const packages = [await fit('binary', 'gbdt', { n_estimators: 5, num_leaves: 7 }), await fit('regression', 'linear')];
    expectOnnxCheckerPasses(packages);
  });
});

describe('hyperplane export of a table with a date column', () => {
  it('says the date input is ms since 1970-01-01 UTC, and the file scores as the package does', async () => {
    const dir = tempDir('hyperplane-export-datetime-');
    const trained = await cli(['train', fixture('seattle-weather.csv'), '--target', 'weather', '--learner', 'gbdt', '--out', join(dir, 'weather')]);
    expect(trained.code, trained.stderr).toBe(0);
    const out = join(dir, 'weather.onnx');
    const r = await cli(['export', join(dir, 'weather'), '--format', 'onnx', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('inputs:  date (double, ms since 1970-01-01 UTC), precipitation (double)');
    const help = await cli(['export', '--help']);
    expect(help.stdout).toContain('double for date columns: milliseconds since\n1970-01-01 UTC');
    // The CSV's rows as JSON rows (dates as written) for predict, and as epoch ms for the graph.
    const [header, ...lines] = readFileSync(fixture('seattle-weather.csv'), 'utf8').trim().split('\n');
    const names = header!.split(',');
    const rows = lines.map((line) => Object.fromEntries(line.split(',').map((v, j) => [names[j]!, j === 0 ? v : Number(v)])));
    const session = await ort.InferenceSession.create(readFileSync(out));
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of session.inputNames) {
      const values = rows.map((row) => (name === 'date' ? Date.parse(String(row['date'])) : Number(row[name])));
      feeds[name] = new ort.Tensor('float64', Float64Array.from(values), [rows.length, 1]);
    }
    const result = await session.run(feeds);
    const { loadPackage } = await import('../../src/pipeline/io.js');
    const pkg = loadPackage(join(dir, 'weather'));
    expect(pkg.pipeline.members.some((m) => m.recipe.steps.some((s) => s.kind === 'datetime'))).toBe(true);
    const pipeline = new Pipeline(pkg.pipeline);
    const scores = pipeline.scoreRows(rows);
    const probabilities = result['probabilities']!.data as Float64Array;
    let worst = 0;
    for (let i = 0; i < scores.length; i++) worst = Math.max(worst, Math.abs(probabilities[i]! - scores[i]!));
    seen['cli-seattle-weather'] = worst;
    expect(worst).toBeLessThan(1e-9);
    expect(result['label']!.data).toEqual(pipeline.label(scores));
  }, 300_000);
});
