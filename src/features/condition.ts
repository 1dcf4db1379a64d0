import type { SchemaType } from '../data/schema/schema.js';
import { HyperplaneError } from '../errors.js';
import { columnsOf, evaluate, parseExpression, truthy, type Node, type Value } from './expression.js';
import type { RowInputs } from './inputs.js';

/**
 * A condition on the row's raw columns, written in the expression language (expression.ts): one feature,
 * 1 where it holds and 0 where it does not (a comparison with a missing value does not hold). Learners
 * over conditions the team wrote (rules) read these instead of encoded columns, so the condition sees
 * the row's own labels and numbers, as the team wrote it against them.
 */
export interface ConditionStep {
  kind: 'condition';
  /** The condition as written. */
  if: string;
  /** The recipe inputs it reads. */
  inputs: number[];
}

/** How a condition reads a column: by its schema type. */
type Read = 'number' | 'label' | 'time';

const readOf = (type: SchemaType): Read => (type === 'numeric' ? 'number' : type === 'datetime' ? 'time' : 'label');

/** A condition parsed once, reading its columns through the recipe's inputs. */
export class CompiledCondition {
  private readonly node: Node;
  private readonly reads = new Map<string, { k: number; read: Read }>();
  private row: RowInputs | undefined;
  private readonly column = (name: string): Value => {
    const { k, read } = this.reads.get(name)!;
    const inputs = this.row!;
    if (read === 'label') return inputs.label(k);
    const v = read === 'number' ? inputs.number(k) : inputs.time(k);
    return v !== v ? null : v;
  };

  /** Throws a HyperplaneError naming `field` when the condition does not parse or reads a column the step does not list. */
  constructor(step: ConditionStep, inputs: readonly { name: string; type: SchemaType }[], field: string) {
    this.node = parseExpression(step.if, field);
    const listed = new Map(step.inputs.map((k) => [inputs[k]?.name, k]));
    for (const name of columnsOf(this.node)) {
      const k = listed.get(name);
      if (k === undefined) throw new HyperplaneError(`the condition reads '${name}', which is not among the step's inputs`, { field });
      this.reads.set(name, { k, read: readOf(inputs[k]!.type) });
    }
  }

  holds(row: RowInputs): boolean {
    this.row = row;
    try {
      return truthy(evaluate(this.node, this.column));
    } finally {
      this.row = undefined;
    }
  }
}

/** The columns a condition reads, checked against the training schema: every one known and an input (never the target or an excluded column). */
export function conditionColumns(source: string, field: string, schema: readonly { name: string; type: SchemaType }[], exclude: ReadonlySet<string>, target: string | undefined): string[] {
  const known = new Map(schema.map((c) => [c.name, c]));
  const names = [...columnsOf(parseExpression(source, field))];
  for (const name of names) {
    if (name === target) throw new HyperplaneError(`the condition reads the target '${name}' itself: it could not run on new data`, { field });
    if (!known.has(name)) {
      const near = [...known.keys()].find((k) => k.toLowerCase() === name.toLowerCase());
      throw new HyperplaneError(`unknown column '${name}'${near !== undefined ? ` (did you mean '${near}'?)` : ''}; columns are: ${[...known.keys()].join(', ')}`, { field });
    }
    if (exclude.has(name)) throw new HyperplaneError(`the condition reads '${name}', which is left out of the features: it could not run on new data`, { field });
  }
  return names;
}

/** The columns a condition names (parsed, unchecked against a schema). */
export function conditionReads(source: string, field: string): string[] {
  return [...columnsOf(parseExpression(source, field))];
}
