import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers.js';

/**
 * Data that is malformed or extreme: each row builds a file, runs a command and expects either a clean
 * exit 2 with one line naming the file (and line or column), or exit 0 with the rows all read.
 * Never exit 1, never a signal, never a silently wrong answer.
 */
interface Case {
  name: string;
  file: string;
  content: string | (() => string);
  /** The command after `hyperplane`, with FILE for the data file and OUT for a fresh output folder. */
  args: string[];
  code: 0 | 2;
  /** stderr for exit 2, stdout for exit 0. */
  match: RegExp;
  /** For exit 0 with --json: checks on the parsed output. */
  check?: (out: Record<string, unknown>) => void;
}

const deep = (d: number): string => `${'['.repeat(d)}${']'.repeat(d)}\n`;
const numbers = (values: string[]): string => `x,y\n${values.map((v, i) => `${v},${i % 2}`).join('\n')}\n`;
/** A numeric feature x (with `odd` in row 3) and a learnable binary target. */
const withFeature = (odd: string): string => {
  const rows = ['x,z,y'];
  for (let i = 0; i < 60; i++) rows.push(`${i === 3 ? odd : i},${(i * 7) % 11},${i % 3 === 0 ? 'a' : 'b'}`);
  return `${rows.join('\n')}\n`;
};
const hugeFeatures = (): string => {
  const rows = ['x,w,y'];
  for (let i = 0; i < 80; i++) rows.push(`${(i % 2 ? 1 : -1) * (i + 1) * 1e306},${i},${i % 2 ? 'a' : 'b'}`);
  return `${rows.join('\n')}\n`;
};
const regression = (target: (i: number) => string): string => {
  const rows = ['x,y'];
  for (let i = 0; i < 60; i++) rows.push(`${i * 1.5},${target(i)}`);
  return `${rows.join('\n')}\n`;
};
const column = (out: Record<string, unknown>, name: string): Record<string, unknown> =>
  (out['columns'] as Record<string, unknown>[]).find((c) => c['name'] === name)!;
const warnings = (out: Record<string, unknown>): string => JSON.stringify(out['warnings']);

const CASES: Case[] = [
  // Item 5: rows that do not parse as the header says.
  { name: 'the issue file: short row then long row', file: 'r.csv', content: 'a,b,c\n1,2,3\n4,5\n6,7,8,9\n', args: ['profile', 'FILE'], code: 2, match: /r\.csv, line 3: expected 3 fields as in the header, found 2/ },
  { name: 'too few fields in the middle', file: 'few.csv', content: 'a,b,c\n1,2,3\n4,5\n7,8,9\n10,11,12\n', args: ['profile', 'FILE'], code: 2, match: /few\.csv, line 3: expected 3 fields as in the header, found 2/ },
  { name: 'too many fields at the end', file: 'many.csv', content: 'a,b\n1,2\n3,4\n5,6\n7,8,9\n', args: ['profile', 'FILE'], code: 2, match: /many\.csv, line 5: expected 2 fields as in the header, found 3/ },
  { name: 'too many fields on the last line, no final newline', file: 'many-eof.csv', content: 'a,b\n1,2\n3,4\n5,6,7', args: ['profile', 'FILE'], code: 2, match: /many-eof\.csv, line 4: expected 2 fields/ },
  { name: 'unclosed quote at end of file', file: 'quote-eof.csv', content: 'a,b\n1,2\n3,4\n5,"x\n', args: ['profile', 'FILE'], code: 2, match: /quote-eof\.csv, line 4: unclosed quote/ },
  { name: 'unclosed quote in the middle', file: 'quote-mid.csv', content: 'a,b\n1,"x\n2,y\n3,z\n', args: ['profile', 'FILE'], code: 2, match: /quote-mid\.csv, line 2: unclosed quote/ },
  // Dialects DuckDB sniffs that our first count does not guess: read whole, not refused (found in review).
  { name: "single quotes around fields, one holding a newline", file: 'single-quotes.csv', content: "a,b\n1,'x,y'\n2,'z'\n3,'p\nq'\n", args: ['profile', 'FILE', '--json'], code: 0, match: /"rows": ?3/ },
  { name: 'a real header named column0, column1', file: 'column-names.csv', content: 'column0,column1\n1,2\n3,4\n5,6\n', args: ['profile', 'FILE', '--json'], code: 0, match: /"rows": ?3/, check: (o) => expect(column(o, 'column0')).toBeDefined() },
  { name: 'backslash-escaped quotes, one before a newline', file: 'backslash.csv', content: 'a,b\n1,"x \\"\ny"\n2,"say \\"hi\\""\n', args: ['profile', 'FILE', '--json'], code: 0, match: /"rows": ?2/ },
  { name: 'a pipe-delimited file whose header quotes a comma', file: 'pipe.csv', content: '"x,y"|b\n1|2\n3|4\n', args: ['profile', 'FILE', '--json'], code: 0, match: /"rows": ?2/, check: (o) => expect(column(o, 'x,y')).toBeDefined() },
  { name: 'a blank line is skipped, not a row', file: 'blank.csv', content: 'a,b\n1,2\n\n3,4\n', args: ['profile', 'FILE', '--json'], code: 0, match: /"rows": ?2/ },
  { name: 'CRLF line endings', file: 'crlf.csv', content: 'a,b\r\n1,x\r\n2,y\r\n3,z\r\n', args: ['profile', 'FILE', '--json'], code: 0, match: /"rows": ?3/, check: (o) => expect(column(o, 'b')['top']).toBeDefined() },
  { name: 'a byte-order mark', file: 'bom.csv', content: '\ufeffa,b\n1,x\n2,y\n', args: ['profile', 'FILE', '--json'], code: 0, match: /"rows": ?2/, check: (o) => expect(column(o, 'a')).toBeDefined() },
  { name: 'a quoted field with an embedded newline is fine', file: 'embedded.csv', content: 'a,b\n1,"two\nlines"\n2,y\n3,z\n', args: ['profile', 'FILE', '--json'], code: 0, match: /"rows": ?3/ },
  { name: 'a quote inside a field is a character', file: 'inch.csv', content: 'a,b\n1,5\'10"\n2,6\'1"\n3,5\'2"\n', args: ['profile', 'FILE', '--json'], code: 0, match: /"rows": ?3/ },
  { name: 'old Mac line endings (\\r alone)', file: 'cr.csv', content: 'a,b\r1,x\r2,y\r', args: ['profile', 'FILE', '--json'], code: 0, match: /"rows": ?2/ },
  { name: 'every row longer than the header', file: 'short-header.csv', content: 'a,b\n1,2,3\n4,5,6\n', args: ['profile', 'FILE'], code: 2, match: /short-header\.csv, line 2: expected 2 fields as in the header, found 3/ },
  { name: 'a line of spaces is a short row', file: 'spaces.csv', content: 'a,b\n1,2\n   \n3,4\n', args: ['profile', 'FILE'], code: 2, match: /spaces\.csv, line 3: expected 2 fields/ },
  { name: 'a short row with ; as the delimiter', file: 'semi.csv', content: 'a;b;c\n1;2;3\n4;5\n', args: ['profile', 'FILE'], code: 2, match: /semi\.csv, line 3: expected 3 fields/ },
  { name: 'a short row in a TSV file', file: 'short.tsv', content: 'a\tb\n1\t2\n3\n', args: ['profile', 'FILE'], code: 2, match: /short\.tsv, line 3: expected 2 fields/ },
  { name: 'quoted header and escaped quotes are fine', file: 'quoted.csv', content: '"a","b"\n"1","say ""hi"""\n"2","x"\n', args: ['profile', 'FILE', '--json'], code: 0, match: /"rows": ?2/ },
  { name: 'a comment-looking line is a row, not dropped', file: 'hash.csv', content: 'a,b\n1,2\n#3,4\n5,6\n', args: ['profile', 'FILE', '--json'], code: 0, match: /"rows": ?3/ },

  // Item 6: nesting depth.
  { name: 'JSON nested 10,000 deep: profile', file: 'deep.json', content: () => deep(10_000), args: ['profile', 'FILE'], code: 2, match: /deep\.json, line 1: nested more than 1,000 levels deep/ },
  { name: 'JSON nested 10,000 deep: train', file: 'deep-train.json', content: () => deep(10_000), args: ['train', 'FILE', '--target', 'x', '--out', 'OUT'], code: 2, match: /deep-train\.json, line 1: nested more than 1,000 levels deep/ },
  { name: 'JSON nested 3,000 deep', file: 'deep3000.json', content: () => deep(3000), args: ['profile', 'FILE'], code: 2, match: /deep3000\.json, line 1: nested more than 1,000 levels deep/ },
  {
    name: 'NDJSON nested deep on line 3',
    file: 'deep.ndjson',
    content: () => `{"a":1}\n{"a":2}\n{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}\n`,
    args: ['profile', 'FILE'],
    code: 2,
    match: /deep\.ndjson, line 3: nested more than 1,000 levels deep/,
  },
  { name: 'brackets inside JSON strings do not count', file: 'strings.ndjson', content: () => `{"a":"${'['.repeat(5000)}","b":1}\n{"a":"x","b":2}\n`, args: ['profile', 'FILE', '--json'], code: 0, match: /"rows": ?2/ },
  { name: 'JSON nested 500 deep is read', file: 'deep500.json', content: () => `[{"a":1,"b":${deep(500).trim()}},{"a":2,"b":[]}]\n`, args: ['profile', 'FILE', '--json'], code: 0, match: /"rows": ?2/ },

  // Item 10: extreme numbers in features.
  ...['+inf', 'inf', 'Infinity', '-inf', '-Infinity', '1e309', '-1e309'].map(
    (v): Case => ({
      name: `'${v}' in a numeric feature is missing, with a warning`,
      file: `inf${v.replace(/[^a-z0-9]/gi, '_')}.csv`,
      content: numbers(['1.5', '2', v, '4', '5.25', '6', '7', '8']),
      args: ['profile', 'FILE', '--json'],
      code: 0,
      match: /"rows": ?8/,
      check: (o) => {
        const x = column(o, 'x');
        expect(x['type']).toBe('numeric');
        expect(x['missing']).toBe(1);
        expect(Number.isFinite(x['mean'])).toBe(true);
        expect(warnings(o)).toMatch(/'x'.*1 infinite value/);
      },
    }),
  ),
  { name: "'NaN' text is missing", file: 'nan.csv', content: numbers(['1.5', 'NaN', '3', '4', '5']), args: ['profile', 'FILE', '--json'], code: 0, match: /"rows": ?5/, check: (o) => expect(column(o, 'x')['missing']).toBe(1) },
  {
    name: '±1e308 features are read as they are',
    file: 'e308.csv',
    content: numbers(['1e308', '-1e308', '3', '4', '5', '1.5']),
    args: ['profile', 'FILE', '--json'],
    code: 0,
    match: /"rows": ?6/,
    check: (o) => {
      const x = column(o, 'x');
      expect(x['max']).toBe(1e308);
      expect(x['min']).toBe(-1e308);
      expect(Number.isFinite(x['mean'])).toBe(true);
      expect(Number.isFinite(x['std'])).toBe(true);
    },
  },
  { name: 'an infinite feature value trains (auto)', file: 'inf-train.csv', content: withFeature('+inf'), args: ['train', 'FILE', '--target', 'y', '--time-budget', '10', '--out', 'OUT', '--json'], code: 0, match: /infinite/ },
  { name: 'finite ±1e308 features train with auto', file: 'huge-train.csv', content: hugeFeatures, args: ['train', 'FILE', '--target', 'y', '--time-budget', '15', '--out', 'OUT', '--json'], code: 0, match: /"leaderboard"/ },
  { name: 'finite ±1e308 features train with logistic', file: 'huge-logistic.csv', content: hugeFeatures, args: ['train', 'FILE', '--target', 'y', '--learner', 'logistic', '--out', 'OUT', '--json'], code: 0, match: /"auc": 1,/ },

  // Item 10: extreme targets.
  { name: 'an infinite regression target', file: 'inf-target.csv', content: () => regression((i) => (i === 7 ? 'inf' : String(i * 2.5))), args: ['train', 'FILE', '--target', 'y', '--out', 'OUT'], code: 2, match: /inf-target\.csv, column 'y': row 8: the target is infinite/ },
  { name: 'a -Infinity regression target', file: 'ninf-target.csv', content: () => regression((i) => (i === 0 ? '-Infinity' : String(i * 2.5))), args: ['train', 'FILE', '--target', 'y', '--out', 'OUT'], code: 2, match: /ninf-target\.csv, column 'y': row 1: the target is infinite/ },
  { name: 'a regression target near 1e308', file: 'big-target.csv', content: () => regression((i) => `${(1 + (i % 9) + i / 100).toFixed(2)}e307`), args: ['train', 'FILE', '--target', 'y', '--out', 'OUT'], code: 2, match: /big-target\.csv, column 'y': .*too large/ },
];

describe('malformed and extreme data: a clean exit 2 or a faithful read', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });

  for (const c of CASES) {
    it(c.name, () => {
      const path = join(dir, c.file);
      writeFileSync(path, typeof c.content === 'string' ? c.content : c.content());
      const args = c.args.map((a) => (a === 'FILE' ? path : a === 'OUT' ? join(dir, `${c.file}.out`) : a));
      const r = runCli(args);
      expect(r.code, `${r.stderr}\n${r.stdout.slice(0, 2000)}`).toBe(c.code);
      expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
      if (c.code === 2) {
        const lines = r.stderr.trimEnd().split('\n');
        expect(lines, r.stderr).toHaveLength(1);
        expect(lines[0]).toMatch(/^hyperplane: error: /);
        expect(lines[0]).toMatch(c.match);
      } else {
        expect(r.stdout).toMatch(c.match);
        if (c.check !== undefined) c.check(JSON.parse(r.stdout) as Record<string, unknown>);
      }
    }, 60_000);
  }
});

describe('infinite values in the data given to a trained model', () => {
  let dir: string;
  const good = (): string => regressionRows((i) => String(i * 2.5));
  function regressionRows(target: (i: number) => string, x: (i: number) => string = (i) => String(i * 1.5)): string {
    const rows = ['x,y'];
    for (let i = 0; i < 60; i++) rows.push(`${x(i)},${target(i)}`);
    return `${rows.join('\n')}\n`;
  }
  beforeAll(() => {
    dir = tempDir();
    writeFileSync(join(dir, 'good.csv'), good());
    writeFileSync(join(dir, 'inf-y.csv'), regressionRows((i) => (i === 4 ? '+inf' : String(i * 2.5))));
    writeFileSync(join(dir, 'inf-x.csv'), regressionRows((i) => String(i * 2.5), (i) => (i === 2 ? '-inf' : String(i * 1.5))));
  });

  it('train --test: an infinite target in the test data is exit 2 naming the row', () => {
    const r = runCli(['train', join(dir, 'good.csv'), '--target', 'y', '--learner', 'linear', '--test', join(dir, 'inf-y.csv'), '--out', join(dir, 'm1')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trimEnd()).toMatch(/^hyperplane: error: .*inf-y\.csv, column 'y': row 5: the target is infinite; fix or remove those rows$/);
  });

  it('evaluate: an infinite target is exit 2 naming the row; predict reads an infinite feature as missing', () => {
    const train = runCli(['train', join(dir, 'good.csv'), '--target', 'y', '--learner', 'linear', '--out', join(dir, 'm2')]);
    expect(train.code, train.stderr).toBe(0);
    const evaluate = runCli(['evaluate', join(dir, 'm2', 'model.hpkg'), join(dir, 'inf-y.csv')]);
    expect(evaluate.code, evaluate.stderr).toBe(2);
    expect(evaluate.stderr.trimEnd()).toMatch(/^hyperplane: error: .*inf-y\.csv, column 'y': row 5: the target is infinite/);
    const predict = runCli(['predict', join(dir, 'm2', 'model.hpkg'), join(dir, 'inf-x.csv')]);
    expect(predict.code, predict.stderr).toBe(0);
    const values = predict.stdout.trimEnd().split('\n').slice(1).map(Number);
    expect(values).toHaveLength(60);
    expect(values.every(Number.isFinite)).toBe(true);
  }, 60_000);
});
