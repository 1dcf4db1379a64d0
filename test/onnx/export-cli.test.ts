import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Table } from '../../src/data/table.js';
import { loadPackage, savePackage } from '../../src/pipeline/io.js';
import { fitMember } from '../../src/pipeline/out-of-fold.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { cli, expectRefused, fixture, tempDir } from '../helpers.js';
import { fitPackage } from './export-data.js';

type Row = Record<string, string | number | null>;

describe('hyperplane export MODEL --format onnx --out FILE', () => {
  let dir: string;
  beforeAll(async () => {
    dir = tempDir('hyperplane-export-cli-');
    const trained = await cli(['train', fixture('penguins.json'), '--target', 'Species', '--learner', 'gbdt', '--out', join(dir, 'penguins')]);
    expect(trained.code, trained.stderr).toBe(0);
    const run = /^run\s+([0-9a-f]{8})/m.exec(trained.stdout)?.[1];
    expect(run, trained.stdout).toBeDefined();
    const registered = await cli(['models', 'register', run!, '--name', 'penguins-onnx', '--alias', 'production']);
    expect(registered.code, registered.stderr).toBe(0);
  }, 120_000);

  it('writes a graph onnxruntime scores as the package does: a folder train wrote, string and double inputs', async () => {
    const out = join(dir, 'penguins.onnx');
    const r = await cli(['export', join(dir, 'penguins'), '--format', 'onnx', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*penguins\.onnx: gbdt model of 'Species' \(multiclass\)/);
    expect(r.stdout).toContain('inputs:  Island (string), Beak Length (mm) (double)');
    expect(r.stdout).toContain('outputs: label string [N], probabilities double [N, 3]');
    const rows = JSON.parse(readFileSync(fixture('penguins.json'), 'utf8')) as Row[];
    const session = await ort.InferenceSession.create(readFileSync(out));
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of session.inputNames) {
      const values = rows.map((row) => row[name] ?? null);
      const numeric = values.some((v) => typeof v === 'number');
      feeds[name] = numeric ? new ort.Tensor('float64', Float64Array.from(values, (v) => (v === null ? NaN : Number(v))), [rows.length, 1]) : new ort.Tensor('string', values.map((v) => (v === null ? '' : String(v))), [rows.length, 1]);
    }
    const result = await session.run(feeds);
    const pipeline = new Pipeline(loadPackage(join(dir, 'penguins')).pipeline);
    const scores = pipeline.scoreRows(rows);
    const probabilities = result['probabilities']!.data as Float64Array;
    expect(probabilities.length).toBe(scores.length);
    let worst = 0;
    for (let i = 0; i < scores.length; i++) worst = Math.max(worst, Math.abs(probabilities[i]! - scores[i]!));
    expect(worst).toBeLessThan(1e-5);
    expect(result['label']!.data).toEqual(pipeline.label(scores));
    expect(new Set(result['label']!.data as string[])).toEqual(new Set(['Adelie', 'Chinstrap', 'Gentoo']));
  });

  it('takes a registry reference as predict does, and gives the same file', async () => {
    const r = await cli(['export', 'penguins-onnx@production', '--out', join(dir, 'registered.onnx')]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'registered.onnx'))).toEqual(readFileSync(join(dir, 'penguins.onnx')));
  });

  it('refuses an unknown format, a model kind it cannot export and a text recipe with exit 2, naming them', async () => {
    await expectRefused(['export', join(dir, 'penguins'), '--format', 'pmml', '--out', join(dir, 'x.pmml')], /--format pmml: the formats are: onnx$/);
    const card = join(dir, 'card.hpkg');
    savePackage(card, await fitPackage('binary', [{ learner: 'scorecard' }], { rows: 600 }));
    await expectRefused(['export', card, '--format', 'onnx', '--out', join(dir, 'card.onnx')], /card\.hpkg: a scorecard model cannot be exported to ONNX; the kinds that can are: gbdt, forest, linear, logistic, baseline$/);
    const text = join(dir, 'text.hpkg');
    savePackage(text, await textPackage());
    await expectRefused(['export', text, '--format', 'onnx', '--out', join(dir, 'text.onnx')], /text\.hpkg: recipe step 1 \(hashing of 'review'\) cannot be exported to ONNX \(hashed words of a text column\); the steps that can are: number/);
    await expectRefused(['export', join(dir, 'nothing.hpkg'), '--out', join(dir, 'nothing.onnx')], /nothing\.hpkg: no such model file/);
  }, 60_000);
});

/** A linear model over a number and a text column's hashed words. */
async function textPackage(): Promise<import('../../src/pipeline/package.js').ModelPackage> {
  const n = 200;
  const words = ['good', 'bad', 'fine', 'poor'];
  const review = Array.from({ length: n }, (_, i) => `${words[i % 4]} ${words[(i * 7) % 4]}`);
  const y = Float64Array.from({ length: n }, (_, i) => (i % 4) + ((i * 7) % 4) + (i % 3));
  const table: Table = { nRows: n, columns: [{ kind: 'numeric', name: 'x', values: Float64Array.from({ length: n }, (_, i) => i % 3) }, { kind: 'text', name: 'review', values: review }, { kind: 'numeric', name: 'y', values: y }] };
  const schema = [{ name: 'x', type: 'numeric' as const, reason: 'test' }, { name: 'review', type: 'text' as const, reason: 'test' }, { name: 'y', type: 'numeric' as const, reason: 'test' }];
  const target = { name: 'y', task: 'regression' as const };
  const member = await fitMember(table, y, schema, target, { learner: 'linear', params: {} }, { target: 'y', learner: 'linear', evaluation: { kind: 'holdout', share: 0.2 }, seed: 1, timeBudgetSeconds: 30 });
  const info = { createdAt: '2026-01-01T00:00:00Z', learner: 'linear', params: {}, seed: 1, fingerprint: '', source: 'test', trainRows: n, metrics: {}, evaluation: 'none' };
  return { pipeline: { target, schema, members: [member] }, info };
}
