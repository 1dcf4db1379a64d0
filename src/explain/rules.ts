import type { Table } from '../data/table.js';
import { JsonInputs, TableInputs } from '../features/inputs.js';
import { isRulesMember, type Pipeline, type RulesMember } from '../pipeline/pipeline.js';
import { CompiledRules } from '../rules/rules.js';

/** A rules model's explanation of a row: the rule that fired (the first whose condition holds), or `otherwise`. */
export interface RuleExplanation {
  /** The condition that held, as written; null when none did and `otherwise` gave the prediction. */
  rule: string | null;
  /** Its place among the conditions (0-based); the number of conditions for `otherwise`. */
  index: number;
  then: number | string;
}

/** The rules of a pipeline that is one rules model, or undefined for any other. */
export function rulesOnly(pipeline: Pipeline): RulesExplainer | undefined {
  const members = pipeline.spec.members;
  if (members.length !== 1 || !isRulesMember(members[0]!)) return undefined;
  return new RulesExplainer(pipeline, members[0]);
}

export class RulesExplainer {
  private readonly rules: CompiledRules;

  constructor(
    pipeline: Pipeline,
    private readonly member: RulesMember,
  ) {
    const { spec } = pipeline;
    this.rules = new CompiledRules(member.rules, spec.schema, spec.target.task, spec.target.labels ?? []);
  }

  /** JSON rows, as the server reads them. */
  explainRows(rows: readonly Readonly<Record<string, unknown>>[]): RuleExplanation[] {
    return rows.map((row) => this.explanation(this.rules.fired(new JsonInputs(this.rules.inputs, row))));
  }

  /** A table, as `hyperplane predict` reads it. */
  explainTable(table: Table, source?: string): RuleExplanation[] {
    const inputs = new TableInputs(table, this.rules.inputs, source);
    const out: RuleExplanation[] = [];
    for (let i = 0; i < table.nRows; i++) {
      inputs.row = i;
      out.push(this.explanation(this.rules.fired(inputs)));
    }
    return out;
  }

  private explanation(index: number): RuleExplanation {
    const { conditions, otherwise } = this.member.rules;
    const condition = conditions[index];
    return condition === undefined ? { rule: null, index, then: otherwise } : { rule: condition.if, index, then: condition.then };
  }
}
