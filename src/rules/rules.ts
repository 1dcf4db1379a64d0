import { z } from 'zod';
import type { ColumnSchema } from '../data/schema/schema.js';
import { HyperplaneError } from '../errors.js';
import type { RowInputs } from '../features/inputs.js';
import { columnsOf, evaluate, parseExpression, truthy, type Node, type Value } from './expression.js';

/**
 * A rules model: ordered conditions, the first that holds gives the prediction, `otherwise` when none
 * does. Teams ship a heuristic first and measure it; packaged, evaluated and served like any model, it
 * sits on the leaderboard that ML must beat. Binary: `then` is the probability of the positive class;
 * regression: the value; multiclass: a class label.
 */
export const rulesSchema = z
  .object({
    conditions: z.array(z.object({ if: z.string().min(1), then: z.union([z.number(), z.string()]) }).strict()).min(1),
    otherwise: z.union([z.number(), z.string()]),
  })
  .strict();
export type RulesSpec = z.infer<typeof rulesSchema>;

/** Rules parsed and checked against the training schema and the target. */
export class CompiledRules {
  private readonly conditions: Node[];
  readonly inputs: string[];
  private readonly reads: ('number' | 'label' | 'time')[];
  private readonly outcomes: Float64Array[];

  constructor(
    readonly spec: RulesSpec,
    schema: readonly ColumnSchema[],
    task: 'binary' | 'multiclass' | 'regression',
    labels: readonly string[],
  ) {
    this.conditions = spec.conditions.map((c, i) => parseExpression(c.if, `rules.conditions.${i}.if`));
    const known = new Map(schema.map((c) => [c.name, c]));
    const used = new Set<string>();
    this.conditions.forEach((node, i) => {
      for (const name of columnsOf(node)) {
        if (!known.has(name)) {
          const near = [...known.keys()].find((k) => k.toLowerCase() === name.toLowerCase());
          throw new HyperplaneError(`unknown column '${name}'${near !== undefined ? ` (did you mean '${near}'?)` : ''}; columns are: ${[...known.keys()].join(', ')}`, { field: `rules.conditions.${i}.if` });
        }
        used.add(name);
      }
    });
    this.inputs = [...used];
    this.reads = this.inputs.map((name) => {
      const type = known.get(name)!.type;
      return type === 'numeric' ? 'number' : type === 'datetime' ? 'time' : 'label';
    });
    const outcome = (v: number | string, field: string): Float64Array => {
      if (task === 'regression') {
        if (typeof v !== 'number') throw new HyperplaneError(`expected a number for a regression target, got '${v}'`, { field });
        return Float64Array.of(v);
      }
      if (task === 'binary') {
        if (typeof v !== 'number' || v < 0 || v > 1) throw new HyperplaneError(`expected the probability of '${labels[1]}', between 0 and 1, got ${JSON.stringify(v)}`, { field });
        return Float64Array.of(1 - v, v);
      }
      const c = labels.indexOf(String(v));
      if (c < 0) throw new HyperplaneError(`expected one of the classes ${labels.join(', ')}, got ${JSON.stringify(v)}`, { field });
      const p = new Float64Array(labels.length);
      p[c] = 1;
      return p;
    };
    this.outcomes = [...spec.conditions.map((c, i) => outcome(c.then, `rules.conditions.${i}.then`)), outcome(spec.otherwise, 'rules.otherwise')];
  }

  get width(): number {
    return this.outcomes[0]!.length;
  }

  /** Writes the row's scores at out[at …]: those of the first condition that holds. */
  score(inputs: RowInputs, out: Float64Array, at: number): void {
    out.set(this.outcomes[this.fired(inputs)]!, at);
  }

  /** The index of the first condition that holds for the row, or conditions.length for `otherwise`: the rules' explanation of it. */
  fired(inputs: RowInputs): number {
    const column = (name: string): Value => {
      const k = this.inputs.indexOf(name);
      const read = this.reads[k]!;
      if (read === 'label') return inputs.label(k);
      const v = read === 'number' ? inputs.number(k) : inputs.time(k);
      return v !== v ? null : v;
    };
    for (let r = 0; r < this.conditions.length; r++) if (truthy(evaluate(this.conditions[r]!, column))) return r;
    return this.conditions.length;
  }
}
