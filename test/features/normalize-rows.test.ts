// The normalize-rows step (an imported ai.onnx.ml Normalizer): rows worked by hand, then every feature
// bit for bit against ONNX Runtime's Normalizer on the same rows, float and double inputs, batch and JSON row.
import * as ort from 'onnxruntime-node';
import protoPkg from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import type { Table } from '../../src/data/table.js';
import type { RowNorm } from '../../src/features/normalize-rows.js';
import { FittedRecipe, type Recipe } from '../../src/features/recipe.js';
import { checkRecipe } from '../../src/pipeline/package-check.js';

const { onnx } = protoPkg;
const NAMES = ['a', 'b', 'c'];
const f = Math.fround;

function recipe(norm: RowNorm, float32: boolean): Recipe {
  return {
    version: 1,
    family: 'linear',
    inputs: NAMES.map((name) => ({ name, type: 'numeric' })),
    steps: [{ kind: 'normalize-rows', inputs: [0, 1, 2], norm, ...(float32 ? { float32 } : {}) }],
    finish: undefined,
    features: NAMES.map((n) => `normalize(${n})`),
    categorical: [],
  };
}

const features = (norm: RowNorm, row: (number | null)[], float32 = false): number[] => Array.from(new FittedRecipe(recipe(norm, float32)).transformRow(Object.fromEntries(NAMES.map((n, j) => [n, row[j]]))));

describe('normalize-rows by hand', () => {
  it('L1 divides by Σ|x|, L2 by √Σx², MAX by the largest value (signed), in float32', () => {
    expect(features('L1', [-3, 1, 2])).toEqual([-0.5, f(1 / 6), f(1 / 3)]);
    expect(features('L2', [3, 4, 0])).toEqual([f(0.6), f(0.8), 0]);
    expect(features('L2', [-3, 0, 4])).toEqual([-f(0.6), 0, f(0.8)]);
    expect(features('MAX', [1, 4, -2])).toEqual([0.25, 1, -0.5]);
    // The largest value of an all-negative row is negative: the signs flip (scikit-learn would divide by 3).
    expect(features('MAX', [-3, -1, -2])).toEqual([3, 1, 2]);
  });

  it('a zero norm leaves the row as it is; NaN spreads to the row under L1 and L2, stays in its cell under MAX', () => {
    for (const norm of ['L1', 'L2', 'MAX'] as const) expect(features(norm, [0, 0, 0])).toEqual([0, 0, 0]);
    // MAX of (0, −1, −5) is 0: nothing to divide by.
    expect(features('MAX', [0, -1, -5])).toEqual([0, -1, -5]);
    expect(features('L1', [1, null, 2])).toEqual([NaN, NaN, NaN]);
    expect(features('L2', [null, 1, 2])).toEqual([NaN, NaN, NaN]);
    expect(features('MAX', [1, null, 2])).toEqual([0.5, NaN, 1]);
    expect(features('MAX', [null, null, null])).toEqual([NaN, NaN, NaN]);
  });

  it('float32: the inputs are rounded first; without it a double is squared as it is', () => {
    const x = 1 + 2 ** -30;
    expect(features('MAX', [x, 2, 0], true)[0]).toBe(0.5);
    expect(features('MAX', [x, 2, 0], false)[0]).toBe(f(x / 2));
    expect(features('L1', [0.1, 0, 0], true)).toEqual([1, 0, 0]);
  });

  it('the package checks take it, and refuse a categorical input or an unknown norm', () => {
    const schema = NAMES.map((name) => ({ name, type: 'numeric' as const, reason: '' }));
    expect(checkRecipe(recipe('L2', true), schema)).toBeUndefined();
    const categorical = recipe('L2', true);
    categorical.inputs[1] = { name: 'b', type: 'categorical' };
    expect(checkRecipe(categorical, [schema[0]!, { name: 'b', type: 'categorical', reason: '' }, schema[2]!])).toMatch(/recipe\.steps\.0 normalizes input 1, column 'b', which is categorical; only numeric columns/);
  });
});

/** ONNX Runtime's Normalizer alone on an [n, 3] tensor of `elem`. */
async function ortNormalizer(norm: RowNorm, X: Float64Array, double: boolean): Promise<Float32Array> {
  const elem = double ? onnx.TensorProto.DataType.DOUBLE : onnx.TensorProto.DataType.FLOAT;
  const tensor = (name: string, type: number) => ({ name, type: { tensorType: { elemType: type, shape: { dim: [{ dimParam: 'N' }, { dimValue: 3 }] } } } });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 15 }, { domain: 'ai.onnx.ml', version: 3 }],
    graph: { name: 'g', node: [{ opType: 'Normalizer', domain: 'ai.onnx.ml', input: ['x'], output: ['y'], attribute: [{ name: 'norm', type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(norm) }] }], input: [tensor('x', elem)], output: [tensor('y', onnx.TensorProto.DataType.FLOAT)] },
  });
  const session = await ort.InferenceSession.create(onnx.ModelProto.encode(model).finish());
  const out = await session.run({ x: double ? new ort.Tensor('float64', X, [X.length / 3, 3]) : new ort.Tensor('float32', Float32Array.from(X), [X.length / 3, 3]) });
  return out['y']!.data as Float32Array;
}

describe('normalize-rows against ONNX Runtime, bit for bit', () => {
  // Doubles of every magnitude (not float32: the float tensor rounds them), and the edges: zeros, −0, NaN, ±∞.
  let seed = 5;
  const r = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
  const n = 3000;
  const X = Float64Array.from({ length: n * 3 }, (_, i) => {
    const u = r();
    const v = (r() - 0.5) * 10 ** Math.floor(r() * 16 - 8);
    if (Math.floor(i / 3) % 50 === 0) return 0;
    return u < 0.02 ? NaN : u < 0.03 ? (r() < 0.5 ? Infinity : -Infinity) : u < 0.05 ? -0 : u < 0.2 ? -Math.abs(v) : v;
  });
  const table: Table = { nRows: n, columns: NAMES.map((name, j) => ({ kind: 'numeric', name, values: Float64Array.from({ length: n }, (_, i) => X[i * 3 + j]!) })) };
  for (const norm of ['L1', 'L2', 'MAX'] as const) {
    for (const double of [false, true]) {
      it(`${norm} on a ${double ? 'double' : 'float'} tensor: ${n} rows, every feature the same float32, batch and JSON rows`, async () => {
        const want = await ortNormalizer(norm, X, double);
        const fitted = new FittedRecipe(recipe(norm, !double));
        const batch = fitted.transformTable(table).data;
        let differ = 0;
        for (let i = 0; i < n * 3; i++) if (!Object.is(batch[i], want[i]) && !(Number.isNaN(batch[i]) && Number.isNaN(want[i]))) differ++;
        expect(differ).toBe(0);
        for (let i = 0; i < n; i += 7) expect(fitted.transformRow({ a: X[i * 3], b: X[i * 3 + 1], c: X[i * 3 + 2] })).toEqual(Float64Array.from(want.subarray(i * 3, i * 3 + 3)));
      });
    }
  }
});
