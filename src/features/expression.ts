import { HyperplaneError } from '../errors.js';

/**
 * A small, safe expression language for rules: no `eval`, no functions, no access to anything but the
 * row's columns. Grammar (lowest precedence first):
 *
 *   or   := and ('or' and)*            and := not ('and' not)*          not := 'not' not | cmp
 *   cmp  := sum (op sum | 'in' list | 'not' 'in' list)?   op: < <= > >= == = !=
 *   sum  := term (('+' | '-') term)*   term := unary (('*' | '/') unary)*   unary := '-' unary | atom
 *   atom := number | 'string' | "string" | true | false | null | column | `column name` | '(' or ')' | list
 *   list := '[' (or (',' or)*)? ']'
 *
 * A missing value is null; any comparison with null is false (as in SQL), arithmetic with it is null.
 */
export type Value = number | string | boolean | null;

export type Node =
  | { kind: 'literal'; value: Value }
  | { kind: 'column'; name: string }
  | { kind: 'list'; items: Node[] }
  | { kind: 'not'; arg: Node }
  | { kind: 'negate'; arg: Node }
  | { kind: 'logic'; op: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'compare'; op: '<' | '<=' | '>' | '>=' | '==' | '!='; left: Node; right: Node }
  | { kind: 'in'; negated: boolean; left: Node; list: Node }
  | { kind: 'arith'; op: '+' | '-' | '*' | '/'; left: Node; right: Node };

type Token = { type: 'number'; value: number; at: number } | { type: 'string'; value: string; at: number } | { type: 'name'; value: string; at: number } | { type: 'op'; value: string; at: number } | { type: 'end'; at: number };

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'true', 'false', 'null']);

/**
 * How deep brackets, lists, `not` and `-` may nest. Parsing and evaluating recurse once per level, so
 * without a limit a deep enough expression overflows the stack; long flat chains (a + b + …, x and y
 * and …) are loops and have no limit.
 */
export const MAX_NESTING = 100;

/** The expression as quoted in an error: long ones shortened, so the error stays a readable line. */
function quote(source: string): string {
  return source.length <= 120 ? `"${source}"` : `"${source.slice(0, 100)}…" (${source.length.toLocaleString('en-US')} characters)`;
}

function tokenize(source: string, where: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (why: string, at: number): never => {
    throw new HyperplaneError(`${why} at character ${at + 1} of ${quote(source)}`, { field: where });
  };
  while (i < source.length) {
    const ch = source[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const number = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(source.slice(i));
    if (number) {
      tokens.push({ type: 'number', value: Number(number[0]), at: i });
      i += number[0].length;
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') {
      const end = source.indexOf(ch, i + 1);
      if (end < 0) fail(`unterminated ${ch === '`' ? 'column name' : 'string'}`, i);
      tokens.push({ type: ch === '`' ? 'name' : 'string', value: source.slice(i + 1, end), at: i });
      i = end + 1;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(source.slice(i));
    if (name) {
      tokens.push({ type: 'name', value: name[0], at: i });
      i += name[0].length;
      continue;
    }
    const op = /^(<=|>=|==|!=|[<>=+\-*/(),[\]])/.exec(source.slice(i));
    if (op) {
      tokens.push({ type: 'op', value: op[0], at: i });
      i += op[0].length;
      continue;
    }
    fail(`unexpected '${ch}'`, i);
  }
  tokens.push({ type: 'end', at: source.length });
  return tokens;
}

/** Parses an expression; an error names the rule (`where`) and the character. */
export function parseExpression(source: string, where: string): Node {
  const tokens = tokenize(source, where);
  let p = 0;
  const peek = (): Token => tokens[p]!;
  const isWord = (t: Token, w: string): boolean => t.type === 'name' && t.value.toLowerCase() === w;
  const isOp = (t: Token, o: string): boolean => t.type === 'op' && t.value === o;
  const fail = (why: string): never => {
    throw new HyperplaneError(`${why} at character ${peek().at + 1} of ${quote(source)}`, { field: where });
  };
  let depth = 0;
  /** Parses one nested level (brackets, a list, `not`, `-`), refusing past MAX_NESTING. */
  const nested = <T>(parse: () => T): T => {
    if (++depth > MAX_NESTING) fail(`the expression is nested more than ${MAX_NESTING} levels deep (brackets, lists, 'not' and '-' each count); simplify it`);
    const out = parse();
    depth--;
    return out;
  };
  const expect = (o: string): void => {
    if (!isOp(peek(), o)) fail(`expected '${o}'`);
    p++;
  };
  const or = (): Node => {
    let left = and();
    while (isWord(peek(), 'or')) {
      p++;
      left = { kind: 'logic', op: 'or', left, right: and() };
    }
    return left;
  };
  const and = (): Node => {
    let left = not();
    while (isWord(peek(), 'and')) {
      p++;
      left = { kind: 'logic', op: 'and', left, right: not() };
    }
    return left;
  };
  const not = (): Node => {
    if (isWord(peek(), 'not') && !isWord(tokens[p + 1]!, 'in')) {
      p++;
      return { kind: 'not', arg: nested(not) };
    }
    return compare();
  };
  const compare = (): Node => {
    const left = sum();
    const t = peek();
    if (t.type === 'op' && ['<', '<=', '>', '>=', '==', '=', '!='].includes(t.value)) {
      p++;
      const op = (t.value === '=' ? '==' : t.value) as '<' | '<=' | '>' | '>=' | '==' | '!=';
      return { kind: 'compare', op, left, right: sum() };
    }
    if (isWord(t, 'in') || (isWord(t, 'not') && isWord(tokens[p + 1]!, 'in'))) {
      const negated = isWord(t, 'not');
      p += negated ? 2 : 1;
      if (!isOp(peek(), '[')) fail("expected a list like ['a', 'b'] after 'in'");
      return { kind: 'in', negated, left, list: atom() };
    }
    return left;
  };
  const sum = (): Node => {
    let left = term();
    while (isOp(peek(), '+') || isOp(peek(), '-')) {
      const op = (tokens[p++] as { value: '+' | '-' }).value;
      left = { kind: 'arith', op, left, right: term() };
    }
    return left;
  };
  const term = (): Node => {
    let left = unary();
    while (isOp(peek(), '*') || isOp(peek(), '/')) {
      const op = (tokens[p++] as { value: '*' | '/' }).value;
      left = { kind: 'arith', op, left, right: unary() };
    }
    return left;
  };
  const unary = (): Node => {
    if (isOp(peek(), '-')) {
      p++;
      return { kind: 'negate', arg: nested(unary) };
    }
    return atom();
  };
  const atom = (): Node => {
    const t = peek();
    if (t.type === 'number' || t.type === 'string') {
      p++;
      return { kind: 'literal', value: t.value };
    }
    if (t.type === 'name') {
      const lower = t.value.toLowerCase();
      if (lower === 'true' || lower === 'false' || lower === 'null') {
        p++;
        return { kind: 'literal', value: lower === 'null' ? null : lower === 'true' };
      }
      if (KEYWORDS.has(lower)) fail(`unexpected '${t.value}'`);
      p++;
      return { kind: 'column', name: t.value };
    }
    if (isOp(t, '(')) {
      p++;
      const inner = nested(or);
      expect(')');
      return inner;
    }
    if (isOp(t, '[')) {
      p++;
      return nested(() => {
        const items: Node[] = [];
        if (!isOp(peek(), ']')) {
          items.push(or());
          while (isOp(peek(), ',')) {
            p++;
            items.push(or());
          }
        }
        expect(']');
        return { kind: 'list', items };
      });
    }
    return fail(t.type === 'end' ? 'the expression ends too soon' : `unexpected '${(t as { value: string }).value}'`);
  };
  const node = or();
  if (peek().type !== 'end') fail(`unexpected '${(peek() as { value: string | number }).value}'`);
  return node;
}

/**
 * The left spine of a chain of binary nodes (`a + b + c` is ((a + b) + c)): the nodes top-down and the
 * leftmost operand, so chains of any length are walked by a loop. Nesting (bounded by the parser) is
 * what recursion sees.
 */
function leftSpine(node: Node, kind: 'logic' | 'arith'): { chain: Node[]; first: Node } {
  const chain: Node[] = [];
  let n = node;
  while (n.kind === kind) {
    chain.push(n);
    n = n.left;
  }
  return { chain, first: n };
}

/** Every column an expression reads. */
export function columnsOf(node: Node, out = new Set<string>()): Set<string> {
  if (node.kind === 'logic' || node.kind === 'arith') {
    const { chain, first } = leftSpine(node, node.kind);
    columnsOf(first, out);
    for (const n of chain) columnsOf((n as { right: Node }).right, out);
    return out;
  }
  switch (node.kind) {
    case 'column':
      out.add(node.name);
      break;
    case 'list':
      node.items.forEach((n) => columnsOf(n, out));
      break;
    case 'not':
    case 'negate':
      columnsOf(node.arg, out);
      break;
    case 'in':
      columnsOf(node.left, out);
      columnsOf(node.list, out);
      break;
    case 'literal':
      break;
    default:
      columnsOf(node.left, out);
      columnsOf(node.right, out);
  }
  return out;
}

/** A number from a value, or undefined: numbers, numeric text, and booleans as 1/0. */
function asNumber(v: Value): number | undefined {
  if (typeof v === 'number') return Number.isNaN(v) ? undefined : v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

function equal(a: Value, b: Value): boolean {
  if (a === null || b === null) return false;
  const x = asNumber(a);
  const y = asNumber(b);
  if (x !== undefined && y !== undefined && (typeof a === 'number' || typeof b === 'number')) return x === y;
  return String(a).toLowerCase() === String(b).toLowerCase();
}

export function truthy(v: Value): boolean {
  return v === true || (typeof v === 'number' && v !== 0 && !Number.isNaN(v)) || (typeof v === 'string' && v !== '');
}

/** Evaluates a parsed expression; `column(name)` gives the row's value (null when missing). */
export function evaluate(node: Node, column: (name: string) => Value): Value {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'column':
      return column(node.name);
    case 'list':
      return null;
    case 'not':
      return !truthy(evaluate(node.arg, column));
    case 'negate': {
      const v = asNumber(evaluate(node.arg, column));
      return v === undefined ? null : -v;
    }
    case 'logic': {
      // Bottom-up along the chain, short-circuiting as `and` / `or` do.
      const { chain, first } = leftSpine(node, 'logic');
      let value = truthy(evaluate(first, column));
      for (let i = chain.length - 1; i >= 0; i--) {
        const n = chain[i] as Extract<Node, { kind: 'logic' }>;
        value = n.op === 'and' ? value && truthy(evaluate(n.right, column)) : value || truthy(evaluate(n.right, column));
      }
      return value;
    }
    case 'in': {
      const v = evaluate(node.left, column);
      if (v === null || node.list.kind !== 'list') return false;
      const found = node.list.items.some((item) => equal(v, evaluate(item, column)));
      return node.negated ? !found : found;
    }
    case 'compare': {
      const a = evaluate(node.left, column);
      const b = evaluate(node.right, column);
      if (a === null || b === null) return false;
      if (node.op === '==') return equal(a, b);
      if (node.op === '!=') return !equal(a, b);
      const x = asNumber(a);
      const y = asNumber(b);
      if (x !== undefined && y !== undefined) return node.op === '<' ? x < y : node.op === '<=' ? x <= y : node.op === '>' ? x > y : x >= y;
      const s = String(a);
      const t = String(b);
      return node.op === '<' ? s < t : node.op === '<=' ? s <= t : node.op === '>' ? s > t : s >= t;
    }
    case 'arith': {
      // Bottom-up along the chain: each step is exactly the binary rule, (a + b) + c as written.
      const { chain, first } = leftSpine(node, 'arith');
      let value = evaluate(first, column);
      for (let i = chain.length - 1; i >= 0; i--) {
        const n = chain[i] as Extract<Node, { kind: 'arith' }>;
        const x = asNumber(value);
        const y = asNumber(evaluate(n.right, column));
        value = x === undefined || y === undefined ? null : n.op === '+' ? x + y : n.op === '-' ? x - y : n.op === '*' ? x * y : y === 0 ? null : x / y;
      }
      return value;
    }
  }
}
