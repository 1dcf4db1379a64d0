// `hyperplane import onnx` as a user runs it (the built dist): a package that `hyperplane predict` scores as
// ONNX Runtime does, and exit 2 with the op's name for what cannot be converted.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { expectRefused, runCliAsync, tempDir } from '../helpers.js';
import { DIR, withoutZipMap } from './onnx-helpers.js';

const CSV = join(DIR, 'rows.csv');

describe('hyperplane import onnx', () => {
  it('writes a package that `hyperplane predict` scores as ONNX Runtime does (1e-5), labels and --name as asked', async () => {
    const out = join(tempDir(), 'bands.hpkg');
    const r = await runCliAsync(['import', 'onnx', join(DIR, 'gbdt-multiclass.onnx'), '--out', out, '--name', 'band', '--labels', 'L,M,H']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*bands\.hpkg: 12 trees, 4 features, 3 classes, softmax of the summed margins \(gbdt, target 'band'\)\n$/);
    const p = await runCliAsync(['predict', out, CSV]);
    expect(p.code, p.stderr).toBe(0);
    const [header, ...lines] = p.stdout.trimEnd().split('\n');
    expect(header).toBe('prediction,proba_L,proba_M,proba_H');
    const rows = readFileSync(CSV, 'utf8').trimEnd().split('\n').slice(1);
    expect(lines).toHaveLength(rows.length);
    const X = Float32Array.from(rows.flatMap((l) => l.split(',').map((c) => (c === '' ? NaN : Number(c)))));
    expect(X.some(Number.isNaN)).toBe(true);
    const session = await ort.InferenceSession.create(withoutZipMap(readFileSync(join(DIR, 'gbdt-multiclass.onnx'))));
    const want = await session.run({ float_input: new ort.Tensor('float32', X, [rows.length, 4]) });
    const probs = want['probabilities']!.data as Float32Array;
    const labels = Array.from(want['output_label']!.data as ArrayLike<string>, (l) => ({ low: 'L', mid: 'M', high: 'H' })[l]);
    lines.forEach((line, i) => {
      const [label, ...p3] = line.split(',');
      expect(label).toBe(labels[i]);
      p3.forEach((v, c) => expect(Math.abs(Number(v) - probs[3 * i + c]!)).toBeLessThan(1e-5));
    });
  });

  it('refuses an unsupported op with exit 2, naming the op and its node', async () => {
    await expectRefused(['import', 'onnx', join(DIR, 'svm.onnx'), '--out', join(tempDir(), 'x.hpkg')], /svm\.onnx: op 'SVMClassifier' \(node 'SVC'\): cannot be converted/);
  });

  it('refuses a file that is not ONNX, and one that is missing, with exit 2', async () => {
    const notOnnx = join(tempDir(), 'model.onnx');
    writeFileSync(notOnnx, 'feature,value\na,1\n');
    await expectRefused(['import', 'onnx', notOnnx, '--out', join(tempDir(), 'x.hpkg')], /model\.onnx: not an ONNX model/);
    await expectRefused(['import', 'onnx', join(DIR, 'nothing-here.onnx'), '--out', join(tempDir(), 'x.hpkg')], /nothing-here\.onnx: no such file/);
  });
});
