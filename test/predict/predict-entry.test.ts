import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { transform } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadData } from '../../src/data/load.js';
import { encodePackage, type ModelPackage } from '../../src/pipeline/package.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { trainPipeline, type TrainOptions } from '../../src/pipeline/train.js';
import { launchChromium } from '../ui/browser.js';
import { fixture, ROOT } from '../helpers.js';
import type { Browser } from 'playwright-core';

/** What a row's answer and the bare scores look like wherever they were computed, for comparison. */
type Answers = { predictions: unknown[]; scores: number[] };
interface Case {
  name: string;
  bytes: Uint8Array;
  rows: Record<string, unknown>[];
  node: Answers;
}

const BUNDLE = join(ROOT, 'dist', 'hyperplane-predict.js');

/** A package of two members blended by weight (as auto makes them): each its own learner and recipe. */
async function blended(file: string, target: string, first: Partial<TrainOptions>, second: Partial<TrainOptions>): Promise<ModelPackage> {
  const data = await loadData(file);
  const base: TrainOptions = { target, learner: 'gbdt', evaluation: { kind: 'holdout', share: 0.2 }, seed: 0, timeBudgetSeconds: 30, refit: false };
  const a = (await trainPipeline(data, { ...base, ...first })).package;
  const b = (await trainPipeline(data, { ...base, ...second })).package;
  return { info: a.info, pipeline: { ...a.pipeline, members: [{ ...a.pipeline.members[0]!, weight: 2 }, { ...b.pipeline.members[0]!, weight: 1 }] } };
}

/** Equal but for the last bits of a float: Chromium's V8 rounds Math.exp a hair differently from Node's. */
function expectSame(actual: unknown, expected: unknown, where: string): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    expect(Math.abs(actual - expected), `${where}: ${actual} against ${expected}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)));
  } else if (typeof expected === 'object' && expected !== null && typeof actual === 'object' && actual !== null) {
    expect(Object.keys(actual).sort(), where).toEqual(Object.keys(expected).sort());
    for (const k of Object.keys(expected)) expectSame((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], `${where}.${k}`);
  } else expect(actual, where).toEqual(expected);
}

function answers(pipeline: Pipeline, rows: Record<string, unknown>[]): Answers {
  return { predictions: JSON.parse(JSON.stringify(pipeline.predict(rows))) as unknown[], scores: Array.from(pipeline.scoreRows(rows)) };
}

const cases: Case[] = [];
/** The bundle as a script that sets globalThis.HyperplanePredict: for a page, and for a bare context. */
let script = '';

beforeAll(async () => {
  // JSON rows in, as a user's app would send them; the same files train the models.
  const penguins = JSON.parse(readFileSync(fixture('penguins.json'), 'utf8')) as Record<string, unknown>[];
  const cars = JSON.parse(readFileSync(fixture('cars.json'), 'utf8')) as Record<string, unknown>[];
  const packages: [string, ModelPackage, Record<string, unknown>[]][] = [
    // Multiclass, categories with missing values: native categorical splits beside one-hot columns.
    ['penguins, gbdt + logistic', await blended(fixture('penguins.json'), 'Species', { params: { n_estimators: 20 } }, { learner: 'logistic' }), penguins],
    // Binary: a threshold and a positive class.
    ['penguins sex, gbdt', (await trainPipeline(await loadData(fixture('penguins.json')), { target: 'Sex', learner: 'gbdt', params: { n_estimators: 20 }, evaluation: { kind: 'holdout', share: 0.2 }, seed: 0, timeBudgetSeconds: 30, refit: false })).package, penguins.filter((r) => r['Sex'] !== null)],
    // Regression with a date and a category: forest + linear.
    ['cars, forest + linear', await blended(fixture('cars.json'), 'Miles_per_Gallon', { learner: 'forest', params: { n_estimators: 20 } }, { learner: 'linear' }), cars],
  ];
  for (const [name, pkg, rows] of packages) {
    const bytes = encodePackage(pkg);
    cases.push({ name, bytes, rows, node: answers(new Pipeline(pkg.pipeline), rows) });
  }
  script = (await transform(readFileSync(BUNDLE, 'utf8'), { format: 'iife', globalName: 'HyperplanePredict', target: 'es2022' })).code;
}, 120_000);

describe('hyperplane/predict: the same answers from the bundle in a bare V8 context (an edge worker) and in Chromium', () => {
  it('a context with only web globals (no require, process, fs or worker_threads) loads each package from bytes and answers as Node does', () => {
    for (const c of cases) {
      const context: Record<string, unknown> = { TextDecoder, TextEncoder, console, bytes: c.bytes, rows: c.rows };
      const out = runInNewContext(`${script}; const p = HyperplanePredict.loadPipeline(bytes); JSON.stringify({ predictions: p.predict(rows), scores: Array.from(p.scoreRows(rows)) })`, context) as string;
      expect(JSON.parse(out), c.name).toEqual(c.node);
      expect(runInNewContext('typeof process + typeof require', context), 'the context really is bare').toBe('undefinedundefined');
    }
  });

  it('a bad package is an error naming it, not a crash', () => {
    const context: Record<string, unknown> = { TextDecoder, TextEncoder, console };
    const message = runInNewContext(`${script}; try { HyperplanePredict.loadPipeline(new Uint8Array([1, 2, 3]), 'churn.hpkg'); 'loaded' } catch (e) { e.message }`, context) as string;
    expect(message).toMatch(/not a Hyperplane model package/);
  });

  let browser: Browser | string | undefined;
  afterAll(async () => {
    if (typeof browser === 'object') await browser.close();
  });

  it('Chromium loads the bundle and gives the same labels as Node, and the same probabilities and scores to 1e-12', async () => {
    browser = await launchChromium();
    if (typeof browser === 'string') return;
    const page = await (await browser.newContext()).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addScriptTag({ content: script });
    for (const c of cases) {
      const out = await page.evaluate(
        ({ b64, rows }) => {
          const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
          const api = (globalThis as unknown as { HyperplanePredict: { loadPipeline(b: Uint8Array): { predict(r: unknown[]): unknown[]; scoreRows(r: unknown[]): Float64Array } } }).HyperplanePredict;
          const p = api.loadPipeline(bytes);
          return JSON.stringify({ predictions: p.predict(rows), scores: Array.from(p.scoreRows(rows)) });
        },
        { b64: Buffer.from(c.bytes).toString('base64'), rows: c.rows },
      );
      expectSame(JSON.parse(out), c.node, c.name);
    }
    expect(errors).toEqual([]);
  }, 60_000);
});
