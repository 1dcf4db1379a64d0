// Shared by the ONNX import tests: the fixtures, seeded rows that hit the models' thresholds, and ONNX
// Runtime's outputs on the same .onnx files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import protoPkg from 'onnx-proto';
import { expect } from 'vitest';
import { readOnnx } from '../../src/import/onnx-read.js';
import { ROOT } from '../helpers.js';

export const { onnx } = protoPkg;
export const DIR = join(ROOT, 'test', 'fixtures', 'onnx');
export const N = 1200;
export const D = 4;
export const FEATURES = ['float_input_0', 'float_input_1', 'float_input_2', 'float_input_3'];
export type Row = Record<string, number | string | null>;

/** The model's bytes for ONNX Runtime, whose Node binding returns no sequence of maps: ZipMap left out, its input the output. */
export function withoutZipMap(bytes: Uint8Array): Uint8Array {
  const m = onnx.ModelProto.decode(bytes);
  const g = m.graph!;
  const zip = g.node!.find((n) => n.opType === 'ZipMap');
  if (zip === undefined) return bytes;
  g.node = g.node!.filter((n) => n !== zip);
  const out = g.output!.find((o) => o.name === zip.output![0])!;
  out.name = zip.input![0]!;
  out.type = { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimParam: 'K' }] } } };
  return onnx.ModelProto.encode(m).finish();
}

/** A seeded generator (mulberry32), so the rows are the same every run. */
export function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n × d values: float32 normals, a tenth missing (with `missing`), a tenth exactly on one of the model's thresholds for that feature. */
export function makeRows(file: string, n: number, d: number, missing: boolean, float32: boolean): Float64Array {
  const g = readOnnx(readFileSync(join(DIR, file)));
  const thresholds: number[][] = Array.from({ length: d }, () => []);
  for (const node of g.nodes) {
    const feats = node.attrs.get('nodes_featureids');
    const modes = node.attrs.get('nodes_modes');
    const vals = node.attrs.get('nodes_values') ?? node.attrs.get('nodes_values_as_tensor');
    if (feats?.kind !== 'ints' || modes?.kind !== 'strings' || vals === undefined) continue;
    const values = vals.kind === 'floats' ? vals.value : vals.kind === 'tensor' ? vals.value.numbers : [];
    feats.value.forEach((f, i) => modes.value[i] !== 'LEAF' && thresholds[f]!.push(values[i]!));
  }
  const r = random(42);
  const X = new Float64Array(n * d);
  for (let i = 0; i < n * d; i++) {
    const u = r();
    const t = thresholds[i % d]!;
    const normal = Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r()) * 1.3;
    X[i] = missing && u < 0.1 ? NaN : u < 0.2 && t.length > 0 ? t[Math.floor(r() * t.length)]! : float32 ? Math.fround(normal) : normal;
  }
  return X;
}

export interface OrtResult {
  scores: Float64Array;
  labels: string[];
}

export async function runOrt(file: string, feeds: Record<string, ort.Tensor>): Promise<OrtResult> {
  const session = await ort.InferenceSession.create(withoutZipMap(readFileSync(join(DIR, file))));
  const out = await session.run(feeds);
  const scores = Float64Array.from((out['probabilities'] ?? out['variable'])!.data as Float32Array);
  const label = out['output_label'];
  return { scores, labels: label === undefined ? [] : Array.from(label.data as ArrayLike<unknown>, String) };
}

export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, a[i] !== a[i] && b[i] !== b[i] ? 0 : Math.abs(a[i]! - b[i]!));
  // NaN on one side only is a difference.
  return Number.isNaN(m) ? Infinity : m;
}

/**
 * Labels equal, except where the two runtimes' sums round to opposite sides of a tie (ONNX Runtime adds
 * float32 votes, we add doubles): there the two classes' probabilities are within 1e-6, and that is rare.
 */
export function expectSameLabels(mine: string[], theirs: string[], labels: string[], scores: Float64Array): void {
  expect(mine).toHaveLength(theirs.length);
  const K = labels.length;
  const ties: number[] = [];
  mine.forEach((l, i) => {
    if (l === theirs[i]) return;
    const gap = Math.abs(scores[i * K + labels.indexOf(l)]! - scores[i * K + labels.indexOf(theirs[i]!)]!);
    expect(gap, `row ${i}: ${l} here, ${theirs[i]} in ONNX Runtime`).toBeLessThan(1e-6);
    ties.push(i);
  });
  expect(ties.length).toBeLessThanOrEqual(mine.length / 200);
}

export const asRows = (X: Float64Array, names: readonly string[]): Row[] => Array.from({ length: X.length / names.length }, (_, i) => Object.fromEntries(names.map((c, j) => [c, Number.isNaN(X[i * names.length + j]!) ? null : X[i * names.length + j]!])));
