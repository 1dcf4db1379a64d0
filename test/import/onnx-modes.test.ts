// ONNX tree semantics at the edges (every comparison mode, votes for both binary classes, float32
// comparisons of double values) against ONNX Runtime, and what the importer refuses, naming the op.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { HyperplaneError } from '../../src/errors.js';
import { importOnnx, importOnnxFile } from '../../src/import/onnx.js';
import { leftThreshold } from '../../src/import/onnx-thresholds.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { asRows, D, DIR, FEATURES, makeRows, maxDiff, N, onnx, random, withoutZipMap } from './onnx-helpers.js';

const worst: Record<string, number> = {};
afterAll(() => console.log('largest |Hyperplane − ONNX Runtime|:', JSON.stringify(worst)));

describe('the comparison modes ONNX Runtime has', () => {
  it('BRANCH_EQ and BRANCH_NEQ (two splits each here) score as ONNX Runtime does, on rows that hit the thresholds', async () => {
    const m = onnx.ModelProto.decode(readFileSync(join(DIR, 'gbdt-multiclass.onnx')));
    const te = m.graph!.node!.find((n) => n.opType === 'TreeEnsembleClassifier')!;
    const modes = te.attribute!.find((a) => a.name === 'nodes_modes')!;
    let k = 0;
    modes.strings = modes.strings!.map((s) => {
      const mode = new TextDecoder().decode(s);
      if (mode === 'LEAF') return s;
      k++;
      return new TextEncoder().encode(k % 3 === 0 ? 'BRANCH_EQ' : k % 3 === 1 ? 'BRANCH_NEQ' : mode);
    });
    const bytes = onnx.ModelProto.encode(m).finish();
    const { pkg } = importOnnx(bytes);
    const X = makeRows('gbdt-multiclass.onnx', N, D, true, true);
    const session = await ort.InferenceSession.create(withoutZipMap(bytes));
    const out = await session.run({ float_input: new ort.Tensor('float32', Float32Array.from(X), [N, D]) });
    const want = Float64Array.from(out['probabilities']!.data as Float32Array);
    const scores = new Pipeline(pkg.pipeline).scoreRows(asRows(X, FEATURES));
    worst['gbdt-multiclass.onnx with EQ and NEQ'] = maxDiff(scores, want);
    expect(worst['gbdt-multiclass.onnx with EQ and NEQ']).toBeLessThan(1e-5);
    // The equal rows went their own way: the EQ model's scores differ from the original's on some rows.
    const original = new Pipeline(importOnnxFile(join(DIR, 'gbdt-multiclass.onnx')).pkg.pipeline).scoreRows(asRows(X, FEATURES));
    expect(maxDiff(scores, original)).toBeGreaterThan(0.01);
  });

  it("a binary forest voting for both classes (class 0's share and class 1's) gives ONNX Runtime's probabilities", async () => {
    const m = onnx.ModelProto.decode(readFileSync(join(DIR, 'rf-binary.onnx')));
    const te = m.graph!.node!.find((n) => n.opType === 'TreeEnsembleClassifier')!;
    const attr = (name: string): InstanceType<typeof onnx.AttributeProto> => te.attribute!.find((a) => a.name === name) as InstanceType<typeof onnx.AttributeProto>;
    const T = 5;
    // Each leaf's class-1 vote w becomes two: 1/T − w for class 0, w for class 1.
    const w = attr('class_weights').floats;
    attr('class_treeids').ints = [...attr('class_treeids').ints, ...attr('class_treeids').ints];
    attr('class_nodeids').ints = [...attr('class_nodeids').ints, ...attr('class_nodeids').ints];
    attr('class_ids').ints = [...w.map(() => 0), ...w.map(() => 1)];
    attr('class_weights').floats = [...w.map((v) => Math.fround(1 / T - v)), ...w];
    const bytes = onnx.ModelProto.encode(m).finish();
    const { pkg, kind } = importOnnx(bytes);
    expect(kind).toBe('forest');
    const X = makeRows('rf-binary.onnx', N, D, true, true);
    const session = await ort.InferenceSession.create(withoutZipMap(bytes));
    const out = await session.run({ float_input: new ort.Tensor('float32', Float32Array.from(X), [N, D]) });
    const scores = new Pipeline(pkg.pipeline).scoreRows(asRows(X, FEATURES));
    worst['rf-binary.onnx voting for both classes'] = maxDiff(scores, Float64Array.from(out['probabilities']!.data as Float32Array));
    expect(worst['rf-binary.onnx voting for both classes']).toBeLessThan(1e-5);
    // Votes that do not sum to 1 per row are no probabilities: refused.
    attr('class_weights').floats = [...w.map((v) => Math.fround(2 / T - v)), ...w];
    expect(() => importOnnx(onnx.ModelProto.encode(m).finish())).toThrow(/votes add up to (2|1\.9999\d*|2\.0000\d*), not 1: the outputs are not probabilities/);
  });

  it('a LinearClassifier with one score for two classes and LOGISTIC: (1 − σ(z), σ(z)), as ONNX Runtime gives', async () => {
    const m = onnx.ModelProto.decode(readFileSync(join(DIR, 'linear-binary.onnx')));
    const g = m.graph!;
    g.node = g.node!.filter((n) => n.opType !== 'Normalizer');
    const lin = g.node.find((n) => n.opType === 'LinearClassifier')!;
    lin.output![1] = 'probabilities';
    const attr = (name: string): InstanceType<typeof onnx.AttributeProto> => lin.attribute!.find((a) => a.name === name) as InstanceType<typeof onnx.AttributeProto>;
    // Class 1's weights only.
    attr('coefficients').floats = attr('coefficients').floats.slice(D);
    attr('intercepts').floats = attr('intercepts').floats.slice(1);
    const bytes = onnx.ModelProto.encode(m).finish();
    const { pkg, kind } = importOnnx(bytes);
    expect(kind).toBe('logistic');
    const X = makeRows('linear-binary.onnx', N, D, false, true);
    const session = await ort.InferenceSession.create(withoutZipMap(bytes));
    const out = await session.run({ float_input: new ort.Tensor('float32', Float32Array.from(X), [N, D]) });
    const pipeline = new Pipeline(pkg.pipeline);
    const scores = pipeline.scoreRows(asRows(X, FEATURES));
    worst['linear-binary.onnx with one score'] = maxDiff(scores, Float64Array.from(out['probabilities']!.data as Float32Array));
    expect(worst['linear-binary.onnx with one score']).toBeLessThan(1e-5);
    expect(pipeline.label(scores)).toEqual(Array.from(out['output_label']!.data as ArrayLike<string>));
    // Without LOGISTIC the two outputs are 1 − z and z: refused.
    attr('post_transform').s = new TextEncoder().encode('NONE');
    expect(() => importOnnx(onnx.ModelProto.encode(m).finish())).toThrow(/post_transform NONE on a one-score binary classifier gives scores, not probabilities/);
  });

  it('a float input is compared as float32: any double v goes left exactly when fround(v) passes the test', () => {
    const r = random(3);
    for (let i = 0; i < 20000; i++) {
      const t = Math.fround((r() - 0.5) * 10 ** Math.floor(r() * 8 - 4));
      // Values around t: t itself, its float32 neighbours and the doubles in between.
      const v = t + (r() - 0.5) * Math.abs(t || 1e-30) * 2 ** -(20 + Math.floor(r() * 8));
      for (const strict of [false, true]) {
        const T = leftThreshold(t, strict, true)!;
        expect(v <= T, `v ${v}, t ${t}, strict ${strict}`).toBe(strict ? Math.fround(v) < t : Math.fround(v) <= t);
      }
    }
  });
});

describe('what is refused', () => {
  const refused = (file: string, pattern: RegExp): void => {
    let error: unknown;
    try {
      importOnnxFile(join(DIR, file));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HyperplaneError);
    expect((error as Error).message).toMatch(pattern);
  };

  it('an op that is no tree ensemble, linear model or their preprocessing: named, with its node', () => {
    refused('svm.onnx', /op 'SVMClassifier' \(node 'SVC'\): cannot be converted/);
  });

  it('a Normalizer it cannot replay: after a Scaler, with an unknown norm, on scores that do not sum to 1', () => {
    const edit = (file: string, change: (g: InstanceType<typeof onnx.GraphProto>) => void): Uint8Array => {
      const m = onnx.ModelProto.decode(readFileSync(join(DIR, file)));
      change(m.graph as InstanceType<typeof onnx.GraphProto>);
      return onnx.ModelProto.encode(m).finish();
    };
    const norm = (value: string): InstanceType<typeof onnx.AttributeProto> => onnx.AttributeProto.create({ name: 'norm', type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(value) });
    // Scaler → Normalizer → LinearClassifier: the step reads input columns, not scaled ones.
    const scaled = edit('linear-multiclass.onnx', (g) => {
      const lin = g.node.find((n) => n.opType === 'LinearClassifier')!;
      g.node.splice(g.node.indexOf(lin), 0, onnx.NodeProto.create({ opType: 'Normalizer', domain: 'ai.onnx.ml', name: 'Normalizer', input: ['variable'], output: ['normalized'], attribute: [norm('L2')] }));
      lin.input = ['normalized'];
    });
    expect(() => importOnnx(scaled)).toThrow(/op 'Normalizer' \(node 'Normalizer'\): normalizes scaled features \(a Scaler before it\)/);
    const unknown = edit('normalizer-front.onnx', (g) => {
      g.node[0]!.attribute = [norm('L3')];
    });
    expect(() => importOnnx(unknown)).toThrow(/op 'Normalizer' \(node 'Normalizer'\): has norm 'L3'; expected L1, L2 or MAX/);
    const scores = edit('linear-binary.onnx', (g) => {
      g.node.find((n) => n.opType === 'Normalizer')!.attribute = [norm('L2')];
    });
    expect(() => importOnnx(scores)).toThrow(/normalizes each row \(L2\) of scores that do not sum to 1/);
  });

  it('bytes that are not ONNX, and an ONNX file with an unsupported input type', () => {
    expect(() => importOnnx(new TextEncoder().encode('{"learner": "not onnx"}\n'))).toThrow(/not an ONNX model/);
    const m = onnx.ModelProto.decode(readFileSync(join(DIR, 'gbdt-binary.onnx')));
    m.graph!.input![0]!.type!.tensorType!.elemType = onnx.TensorProto.DataType.FLOAT16;
    expect(() => importOnnx(onnx.ModelProto.encode(m).finish())).toThrow(/input 'float_input' is a float16 tensor/);
  });

  it('a tree mode changed to one the spec lacks, and an aggregate that does not add up', () => {
    const edit = (file: string, change: (attrs: InstanceType<typeof onnx.AttributeProto>[]) => void): Uint8Array => {
      const m = onnx.ModelProto.decode(readFileSync(join(DIR, file)));
      change(m.graph!.node!.find((n) => n.opType!.startsWith('TreeEnsemble'))!.attribute as InstanceType<typeof onnx.AttributeProto>[]);
      return onnx.ModelProto.encode(m).finish();
    };
    const mode = edit('gbdt-binary.onnx', (attrs) => {
      attrs.find((a) => a.name === 'nodes_modes')!.strings[0] = new TextEncoder().encode('BRANCH_ALMOST');
    });
    expect(() => importOnnx(mode)).toThrow(/op 'TreeEnsembleClassifier' \(node 'TreeEnsembleClassifier'\): node 0 of tree 0 has mode 'BRANCH_ALMOST'/);
    const max = edit('gbdt-regressor.onnx', (attrs) => {
      attrs.push(onnx.AttributeProto.create({ name: 'aggregate_function', type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode('MAX') }));
      attrs.splice(attrs.findIndex((a) => a.name === 'aggregate_function'), 1);
    });
    expect(() => importOnnx(max)).toThrow(/aggregate_function MAX is not supported/);
  });
});

