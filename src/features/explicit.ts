import type { ColumnSchema } from '../data/schema/schema.js';
import { HyperplaneError } from '../errors.js';
import type { Normalize } from './recipe.js';

/**
 * Explicit recipes, in the spirit of Amazon ML's: a list of outputs, each a column, a group of
 * columns, or a transform of them:
 *
 *   age, `signup date`, ALL_NUMERIC, ALL_CATEGORICAL, ALL_BINARY, ALL_TEXT, ALL_DATETIME, ALL_INPUTS, a named group
 *   quantile_bin(col, n)   cartesian(a, b[, c…])   ngram(text, n)   osb(text, window)
 *   lowercase(x)   no_punct(x)   log(x)   clip(x, lo, hi)        (nestable: ngram(lowercase(no_punct(title)), 2))
 *
 * A transform of a group applies to each column in it. Errors name the output and what was wrong.
 */
export type Output =
  | { kind: 'column'; column: string }
  | { kind: 'number'; column: string; log?: boolean; clip?: [number, number] }
  | { kind: 'quantile-bin'; column: string; bins: number }
  | { kind: 'category'; columns: string[]; normalize?: Normalize }
  | { kind: 'text'; column: string; ngram: number; osb: number };

type Expr = { kind: 'name'; name: string } | { kind: 'number'; value: number } | { kind: 'call'; fn: string; args: Expr[] };

const FUNCTIONS = ['quantile_bin', 'cartesian', 'ngram', 'osb', 'lowercase', 'no_punct', 'log', 'clip'];
const SPECIAL_GROUPS: Record<string, (c: ColumnSchema) => boolean> = {
  ALL_NUMERIC: (c) => c.type === 'numeric',
  ALL_CATEGORICAL: (c) => c.type === 'categorical',
  ALL_BINARY: (c) => c.type === 'binary',
  ALL_TEXT: (c) => c.type === 'text',
  ALL_DATETIME: (c) => c.type === 'datetime',
  ALL_INPUTS: () => true,
};

function parse(source: string, field: string): Expr {
  let i = 0;
  const fail = (why: string): never => {
    throw new HyperplaneError(`${why} at character ${i + 1} of "${source}"`, { field });
  };
  const space = (): void => {
    while (i < source.length && /\s/.test(source[i]!)) i++;
  };
  const expr = (): Expr => {
    space();
    const quote = source[i];
    if (quote === '`' || quote === '"' || quote === "'") {
      const end = source.indexOf(quote, i + 1);
      if (end < 0) fail('unterminated column name');
      const name = source.slice(i + 1, end);
      i = end + 1;
      return { kind: 'name', name };
    }
    const number = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(source.slice(i));
    if (number) {
      i += number[0].length;
      return { kind: 'number', value: Number(number[0]) };
    }
    // A bare name runs to the next ( , or ): column names may hold spaces and most punctuation.
    const bare = /^[^(),`"']+/.exec(source.slice(i));
    if (!bare) return fail('expected a column, a group or a transform');
    const name = bare[0].trim();
    i += bare[0].length;
    space();
    if (source[i] !== '(') return { kind: 'name', name };
    i++;
    const args: Expr[] = [];
    space();
    if (source[i] !== ')') {
      args.push(expr());
      space();
      while (source[i] === ',') {
        i++;
        args.push(expr());
        space();
      }
    }
    if (source[i] !== ')') fail("expected ')'");
    i++;
    return { kind: 'call', fn: name, args };
  };
  const e = expr();
  space();
  if (i < source.length) fail(`unexpected '${source[i]}'`);
  return e;
}

/** Parses one output of an explicit recipe into what to build, checking columns and types. */
export function parseOutput(source: string, field: string, columns: ReadonlyMap<string, ColumnSchema>, groups: Readonly<Record<string, readonly string[]>>): Output[] {
  const fail = (why: string): never => {
    throw new HyperplaneError(`"${source}": ${why}`, { field });
  };
  /** The columns a name stands for: itself, a named group, or a special group. */
  const resolve = (name: string): ColumnSchema[] => {
    const column = columns.get(name);
    if (column !== undefined) return [column];
    const group = groups[name];
    if (group !== undefined) {
      return group.map((c) => columns.get(c) ?? fail(`group '${name}' names '${c}', which is not a feature column; columns are: ${[...columns.keys()].join(', ')}`));
    }
    const special = SPECIAL_GROUPS[name];
    if (special !== undefined) return [...columns.values()].filter(special);
    const near = [...columns.keys()].find((c) => c.toLowerCase() === name.toLowerCase());
    return fail(`unknown column or group '${name}'${near !== undefined ? ` (did you mean '${near}'?)` : ''}; columns are: ${[...columns.keys()].join(', ')}`);
  };
  const count = (e: Expr | undefined, what: string, min: number): number => {
    if (e?.kind !== 'number' || !Number.isInteger(e.value) || e.value < min) return fail(`${what} must be a whole number, at least ${min}`);
    return e.value;
  };
  const need = (c: ColumnSchema, types: readonly string[], fn: string): void => {
    if (!types.includes(c.type)) fail(`${fn} needs a ${types.join(' or ')} column; '${c.name}' is ${c.type}`);
  };
  /** Columns under a chain of text/label normalizations, with the normalization. */
  const labels = (e: Expr): { columns: ColumnSchema[]; normalize: Normalize | undefined } => {
    if (e.kind === 'name') return { columns: resolve(e.name), normalize: undefined };
    if (e.kind === 'call' && (e.fn === 'lowercase' || e.fn === 'no_punct')) {
      if (e.args.length !== 1) fail(`${e.fn} takes one argument`);
      const inner = labels(e.args[0]!);
      return { columns: inner.columns, normalize: { ...inner.normalize, ...(e.fn === 'lowercase' ? { lowercase: true } : { noPunct: true }) } };
    }
    return fail(`expected a column or group${e.kind === 'call' ? `, not ${e.fn}(…)` : ''}`);
  };
  const numbers = (e: Expr): { columns: ColumnSchema[]; log: boolean } => {
    if (e.kind === 'name') return { columns: resolve(e.name), log: false };
    if (e.kind === 'call' && e.fn === 'log' && e.args.length === 1 && e.args[0]!.kind === 'name') return { columns: resolve(e.args[0].name), log: true };
    return fail('clip takes a column, a group or log(column): write clip(log(x), lo, hi)');
  };
  const e = parse(source, field);
  if (e.kind === 'number') return fail('expected a column, a group or a transform, not a number');
  if (e.kind === 'name') return resolve(e.name).map((c) => ({ kind: 'column', column: c.name }));
  if (!FUNCTIONS.includes(e.fn)) return fail(`unknown transform '${e.fn}'; transforms are: ${FUNCTIONS.join(', ')}`);
  const [a, b, c] = e.args;
  switch (e.fn) {
    case 'quantile_bin': {
      if (a?.kind !== 'name') return fail('quantile_bin(column, bins)');
      const bins = count(b, 'the number of bins', 2);
      return resolve(a.name).map((col) => (need(col, ['numeric'], 'quantile_bin'), { kind: 'quantile-bin' as const, column: col.name, bins }));
    }
    case 'cartesian': {
      if (e.args.length < 2) return fail('cartesian takes two or more columns');
      const parts = e.args.map((arg) => labels(arg));
      const cols = parts.flatMap((p) => p.columns);
      for (const col of cols) need(col, ['categorical', 'binary', 'numeric'], 'cartesian');
      const normalize = parts.reduce<Normalize | undefined>((acc, p) => (p.normalize === undefined ? acc : { ...acc, ...p.normalize }), undefined);
      return [{ kind: 'category', columns: cols.map((col) => col.name), ...(normalize !== undefined ? { normalize } : {}) }];
    }
    case 'ngram':
    case 'osb': {
      if (a === undefined) return fail(`${e.fn}(text, ${e.fn === 'ngram' ? 'n' : 'window'})`);
      // Hashing always lowercases and drops punctuation; lowercase/no_punct around the text are accepted.
      const { columns: cols } = labels(a);
      const n = count(b, e.fn === 'ngram' ? 'n' : 'the window', e.fn === 'ngram' ? 1 : 2);
      return cols.map((col) => (need(col, ['text', 'categorical'], e.fn), { kind: 'text' as const, column: col.name, ngram: e.fn === 'ngram' ? n : 1, osb: e.fn === 'osb' ? n : 0 }));
    }
    case 'lowercase':
    case 'no_punct': {
      const { columns: cols, normalize } = labels(e);
      return cols.map((col): Output => (col.type === 'text' ? { kind: 'text', column: col.name, ngram: 2, osb: 0 } : (need(col, ['categorical', 'binary'], e.fn), { kind: 'category', columns: [col.name], ...(normalize !== undefined ? { normalize } : {}) })));
    }
    case 'log': {
      if (a?.kind !== 'name' || e.args.length !== 1) return fail('log takes one column or group');
      return resolve(a.name).map((col) => (need(col, ['numeric'], 'log'), { kind: 'number' as const, column: col.name, log: true }));
    }
    case 'clip': {
      if (a === undefined || b?.kind !== 'number' || c?.kind !== 'number' || e.args.length !== 3) return fail('clip(column, low, high)');
      if (!(b.value <= c.value)) return fail('clip needs low ≤ high');
      const inner = numbers(a);
      return inner.columns.map((col) => (need(col, ['numeric'], 'clip'), { kind: 'number' as const, column: col.name, ...(inner.log ? { log: true } : {}), clip: [b.value, c.value] as [number, number] }));
    }
  }
  return fail(`unknown transform '${e.fn}'`);
}
