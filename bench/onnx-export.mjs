// ONNX export on real models: exports each model the quality bench trained (bench/out/quality/runs/NAME, made by
// `node bench/quality.mjs`), scores the set's test rows with ONNX Runtime and with Hyperplane's own pipeline, and
// prints the largest difference, label disagreements, the file's size and the time to export. Refusals are listed
// with their reason.   npm ci && node bench/quality.mjs && node bench/onnx-export.mjs
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { cellText, columnByName } from '../dist/data/table.js';
import { exportOnnx } from '../dist/onnx/index.js';
import { loadPackage, readForPipeline } from '../dist/pipeline/io.js';
import { Pipeline } from '../dist/pipeline/pipeline.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench', 'out', 'quality');
if (!existsSync(join(out, 'runs'))) throw new Error(`no models in ${join(out, 'runs')}: run node bench/quality.mjs first`);
const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
let exported = 0;
console.log('| data set | chosen | exported | ONNX size | export time | max abs diff | label disagreements |\n|---|---|---|---|---|---|---|');
for (const c of manifest) {
  const pkg = loadPackage(join(out, 'runs', c.name, 'model.hpkg'));
  const learner = pkg.info.learner.length > 48 ? `${pkg.info.learner.slice(0, 45)}…` : pkg.info.learner;
  const t0 = performance.now();
  let onnx;
  try {
    onnx = exportOnnx(pkg);
  } catch (e) {
    console.log(`| ${c.name} | ${learner} | refused: ${e.message.replace(/; the (kinds|steps) that can.*$/, '')} | | | | |`);
    continue;
  }
  const ms = performance.now() - t0;
  exported++;
  const pipeline = new Pipeline(pkg.pipeline);
  const { table } = await readForPipeline(join(root, c.test), pipeline);
  const ours = pipeline.scoreTable(table);
  const n = table.nRows;
  const feeds = {};
  for (const input of onnx.inputs) {
    const column = columnByName(table, input.name);
    feeds[input.name] = input.type === 'double'
      ? new ort.Tensor('float64', Float64Array.from({ length: n }, (_, r) => (column === undefined ? NaN : column.values[r])), [n, 1])
      : new ort.Tensor('string', Array.from({ length: n }, (_, r) => (column === undefined ? '' : cellText(column, r) ?? '')), [n, 1]);
  }
  const result = await (await ort.InferenceSession.create(onnx.bytes)).run(feeds);
  const theirs = (result.probabilities ?? result.variable).data;
  let max = 0;
  for (let j = 0; j < ours.length; j++) max = Math.max(max, Math.abs(theirs[j] - ours[j]));
  const labels = result.label === undefined ? 'n/a' : `${pipeline.label(ours).filter((l, r) => String(l) !== result.label.data[r]).length} of ${n}`;
  console.log(`| ${c.name} | ${learner} | yes | ${(onnx.bytes.length / 1024 / 1024).toFixed(1)} MB | ${(ms / 1000).toFixed(2)} s | ${max.toExponential(1)} | ${labels} |`);
}
console.log(`\nexported ${exported} of ${manifest.length}`);
