import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

/** README.md and every docs/*.md: what a clone shows a reader. */
const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** Folders git ignores (generated output such as bench/out/): a doc may name files a run writes there. */
const IGNORED = readFileSync(join(ROOT, '.gitignore'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line.endsWith('/') && !line.startsWith('#') && !line.includes('*'))
  .map((line) => line.replace(/^\//, ''));

/** The text outside fenced code blocks (their contents are commands and output, not references). */
function prose(text: string): string {
  return text.replace(/^```[^\n]*\n[\s\S]*?^```[^\n]*$/gm, '');
}

/** Relative link targets, `[text](target)`, without their #anchor; URLs and same-page anchors left out. */
export function relativeLinks(text: string): string[] {
  const links: string[] = [];
  for (const m of prose(text).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = m[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
    links.push(target.split('#')[0]!);
  }
  return links;
}

/** Repository paths named in inline code (`src/…`, `test/…`, `docs/…`, `bench/…`); globs and placeholders left out. */
export function codePaths(text: string): string[] {
  const paths: string[] = [];
  for (const m of prose(text).matchAll(/`([^`\n]+)`/g)) {
    for (const t of m[1]!.matchAll(/(?:^|[\s(='"])((?:src|test|docs|bench)\/[^\s`'"(),;:]*)/g)) {
      const path = t[1]!.replace(/[.]+$/, '');
      if (/[*<>{}…]/.test(path)) continue;
      paths.push(path);
    }
  }
  return paths;
}

describe('documentation links', () => {
  it('finds links and paths the way the check below reads them', () => {
    const text = 'See [a](docs/a.md#x), [b](https://x.org), [c](#here), `src/x.ts` (`f`), `node bench/y.mjs`, `src/**/*.ts`, `src/<name>.ts`.\n```sh\n`src/in-fence.ts`\n```\n';
    expect(relativeLinks(text)).toEqual(['docs/a.md']);
    expect(codePaths(text)).toEqual(['src/x.ts', 'bench/y.mjs']);
  });

  for (const doc of DOCS) {
    it(`${doc}: every relative link and every named src/test/docs/bench path exists`, () => {
      const text = readFileSync(join(ROOT, doc), 'utf8');
      const dead = [
        ...relativeLinks(text)
          .filter((target) => target !== '')
          .map((target) => relative(ROOT, join(ROOT, dirname(doc), decodeURI(target))))
          .filter((path) => path.startsWith('..') || !existsSync(join(ROOT, path)))
          .map((path) => `link ${path}`),
        ...codePaths(text)
          .filter((path) => !IGNORED.some((dir) => path.startsWith(dir)) && !existsSync(join(ROOT, path)))
          .map((path) => `path ${path}`),
      ];
      expect(dead).toEqual([]);
    });
  }
});
