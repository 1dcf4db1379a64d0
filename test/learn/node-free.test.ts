import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Model } from '../../src/learn/contract.js';
import { fit } from '../../src/learn/registry.js';
import { predict } from '../../src/learn/predictors.js';
import { setParallelScores, type ParallelScores } from '../../src/learn/tree/pack.js';
import { nodeParallelScores } from '../../src/learn/tree/pack-threads.js';
import { Random } from '../../src/synth/random.js';

/**
 * Predictions are to run in browsers and edge workers, where no `node:` module exists: the modules
 * predict-time code starts from must not reach one through their static imports. Type-only imports
 * are erased at compile time, so they are skipped.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const PREDICT_TIME = [
  'src/learn/predictors.ts',
  'src/learn/tree/tree-shap.ts',
  'src/learn/tree/tree-shap-interventional.ts',
  'src/learn/linear/contributions.ts',
  'src/features/recipe.ts',
  'src/pipeline/pipeline.ts',
  'src/explain/explainer.ts',
  'src/explain/factors.ts',
];

/** `import … from '…'`, `export … from '…'` and bare `import '…'`, skipping `import type` / `export type`. */
const IMPORT = /(?:^|[;\s])(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;

export function importsOf(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(IMPORT)) {
    if (m[2] !== undefined) continue;
    // `export const x = '…'` and the like are not re-exports: only `export {…} from` / `export * from`.
    if (m[1] === 'export' && !/export\s+(\*|\{)/.test(m[0])) continue;
    out.push(m[3]!);
  }
  return out;
}

/** The source file a relative specifier names (the sources import './x.js' for './x.ts'). */
function resolveRelative(from: string, specifier: string): string {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts'), base]) {
    if (existsSync(candidate) && candidate.endsWith('.ts')) return candidate;
  }
  throw new Error(`${relative(root, from)} imports '${specifier}', which resolves to no .ts file`);
}

/** The first chain of imports from `start` that ends at a `node:` module (or a Node builtin by its bare name), or undefined. */
export function nodeChain(start: string): string[] | undefined {
  const seen = new Set<string>();
  const walk = (file: string, chain: string[]): string[] | undefined => {
    if (seen.has(file)) return undefined;
    seen.add(file);
    const here = [...chain, relative(root, file)];
    for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('node:') || BUILTINS.has(specifier.split('/')[0]!)) return [...here, specifier];
      if (!specifier.startsWith('.')) continue;
      const found = walk(resolveRelative(file, specifier), here);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return walk(resolve(root, start), []);
}

/** Node builtins imported without the prefix ('fs', 'os', …) are as unavailable. */
const BUILTINS = new Set(['fs', 'os', 'path', 'url', 'worker_threads', 'crypto', 'buffer', 'stream', 'child_process', 'util', 'events', 'zlib', 'http', 'https', 'net', 'module', 'process', 'v8', 'vm']);

describe('the predict-time modules import no node: module', () => {
  for (const start of PREDICT_TIME) {
    it(start, () => {
      const chain = nodeChain(start);
      expect(chain === undefined ? 'node-free' : chain.join('\n  → ')).toBe('node-free');
    });
  }

  it('the walker sees imports, re-exports and side-effect imports, and skips type-only ones', () => {
    const source = [
      "import { a } from './a.js';",
      "import type { B } from './b.js';",
      "export { c } from './c.js';",
      "export type { D } from './d.js';",
      "export * from './e.js';",
      "import './f.js';",
      "import {\n  g,\n  type H,\n} from 'node:os';",
      "export const s = 'not-an-import';",
    ].join('\n');
    expect(importsOf(source)).toEqual(['./a.js', './c.js', './e.js', './f.js', 'node:os']);
  });
});

describe("the plain tree walk (what a browser runs) and Node's WebAssembly accelerator", () => {
  it('give the same bits for gbdt and forest scores', async () => {
    const rng = new Random(7);
    const n = 2_000;
    const d = 5;
    const data = new Float64Array(n * d);
    for (let i = 0; i < data.length; i++) data[i] = rng.uniform() < 0.05 ? NaN : rng.normal();
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) y[i] = (data[i * d]! || 0) + (data[i * d + 1]! || 0) * 0.5 > 0 ? 1 : 0;
    const X = { data, n, d };
    const models: Model[] = [await fit('gbdt', X, y, 'binary', { n_estimators: 20 }), await fit('forest', X, y, 'regression', { n_estimators: 10 })];
    // Counts the batches the accelerator took, so the comparison is not of the plain walk with itself.
    let taken = 0;
    const counting: ParallelScores = { ...nodeParallelScores, add: (...args) => (nodeParallelScores.add(...args) ? ++taken > 0 : false) };
    try {
      for (const model of models) {
        setParallelScores(counting);
        const accelerated = predict(model, X);
        setParallelScores(undefined);
        const plain = predict(model, X);
        expect(Buffer.from(plain.buffer).equals(Buffer.from(accelerated.buffer))).toBe(true);
      }
    } finally {
      setParallelScores(nodeParallelScores);
    }
    expect(taken).toBe(models.length);
  });
});
