// Bundles `hyperplane/predict` (dist/predict/index.js and what it imports) into one browser ESM file,
// dist/hyperplane-predict.js, for a <script type="module"> or an edge worker without a bundler of its own.
// The platform is the browser's: a Node module anywhere on the path fails this build.
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist', 'hyperplane-predict.js');
await build({ entryPoints: [join(root, 'dist', 'predict', 'index.js')], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true, outfile, logLevel: 'error' });
const bytes = readFileSync(outfile);
if (process.argv.includes('--size')) console.log(`dist/hyperplane-predict.js: ${(bytes.length / 1024).toFixed(0)} KiB, ${(gzipSync(bytes).length / 1024).toFixed(0)} KiB gzipped`);
