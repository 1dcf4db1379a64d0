import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

/** Every module the built file loads at run time (type-only imports are gone from the JS): relative files, and bare packages. */
function importGraph(entry: string): { files: string[]; packages: Map<string, string[]> } {
  const files = new Set<string>();
  const packages = new Map<string, string[]>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    // Comments out first: a doc comment may show an import.
    const source = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    const specifiers = [...source.matchAll(/(?:^|[;\s])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|[;\s])import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm)].map((m) => m[1] ?? m[2] ?? m[3]!);
    for (const spec of specifiers) {
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        expect(existsSync(target), `${relative(ROOT, file)} imports ${spec}, which is not built`).toBe(true);
        visit(target);
      } else packages.set(spec, [...(packages.get(spec) ?? []), relative(ROOT, file)]);
    }
  };
  visit(entry);
  return { files: [...files], packages };
}

describe('the prediction path imports no Node module', () => {
  it('hyperplane/predict and everything it loads: no node: module, no Node built-in, and no package but zod', () => {
    const { files, packages } = importGraph(join(ROOT, 'dist', 'predict', 'index.js'));
    // The recipe, the model code for every learner, the package reader: the walk reaches them all.
    expect(files.map((f) => relative(join(ROOT, 'dist'), f))).toEqual(expect.arrayContaining(['pipeline/pipeline.js', 'pipeline/package.js', 'features/recipe.js', 'learn/predictors.js', 'learn/tree/gbdt-predict.js', 'learn/tree/forest-predict.js', 'learn/linear/logistic-predict.js']));
    const builtins = new Set(builtinModules);
    const nodeOnes = [...packages].filter(([spec]) => spec.startsWith('node:') || builtins.has(spec));
    expect(nodeOnes, nodeOnes.map(([spec, by]) => `${spec} (imported by ${by.join(', ')})`).join('; ')).toEqual([]);
    expect([...packages.keys()]).toEqual(['zod']);
  });

  it('the walk would see one: the Node side of the package reader imports node:fs', () => {
    const { packages } = importGraph(join(ROOT, 'dist', 'pipeline', 'io.js'));
    expect([...packages.keys()]).toContain('node:fs');
  });
});
