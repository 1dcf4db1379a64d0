import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LEARNERS } from '../../src/learn/registry.js';

/**
 * The search and the training procedure tell learners apart by what they declare (capabilities, `auto`
 * candidates, refit params, written conditions), never by name: a learner added to the registry needs no
 * edit here. Any learner's name as a string literal in these files would be such a branch.
 */
const FILES = ['src/pipeline/train.ts', 'src/pipeline/cross-validate.ts', 'src/search/candidates.ts', 'src/search/auto.ts', 'src/search/strategies.ts', 'src/search/space.ts', 'src/search/ensemble.ts'];

describe('no learner is named in the search or the training procedure', () => {
  for (const file of FILES) {
    it(file, () => {
      const source = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
      // Code only: comments may name learners as examples. 'linear' is also a recipe family and a range's scale.
      const code = source
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '')
        .split('\n')
        .filter((line) => !/\bfamily\b|\bscale\b/.test(line))
        .join('\n');
      for (const name of LEARNERS.keys()) expect(code, `'${name}' in ${file}`).not.toMatch(new RegExp(`['"\`]${name}['"\`]`));
    });
  }
});
