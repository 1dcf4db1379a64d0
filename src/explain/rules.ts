import type { Table } from '../data/table.js';
import { FittedRecipe } from '../features/recipe.js';
import type { Matrix } from '../learn/contract.js';
import { firedRules, getPredictor } from '../learn/predictors.js';
import type { ModelMember, Pipeline } from '../pipeline/pipeline.js';

/** A rules model's explanation of a row: the rule that fired (the first whose condition holds), or `otherwise`. */
export interface RuleExplanation {
  /** The condition that held, as written; null when none did and `otherwise` gave the prediction. */
  rule: string | null;
  /** Its place among the conditions (0-based); the number of conditions for `otherwise`. */
  index: number;
  then: number | string;
}

/** The explainer of a pipeline that is one decision list (rules), or undefined for any other. */
export function rulesOnly(pipeline: Pipeline): RulesExplainer | undefined {
  const members = pipeline.spec.members;
  if (members.length !== 1) return undefined;
  const member = members[0]!;
  return getPredictor(member.model.kind).firedRules === undefined ? undefined : new RulesExplainer(member);
}

/** The rule each row fired, read from the conditions' features (the recipe evaluates them on the raw columns). */
export class RulesExplainer {
  private readonly recipe: FittedRecipe;
  private readonly conditions: { if: string; then: number | string }[];
  private readonly otherwise: number | string;

  constructor(private readonly member: ModelMember) {
    this.recipe = new FittedRecipe(member.recipe);
    const params = member.model.params as { conditions: { if: string; then: number | string }[]; otherwise: number | string };
    this.conditions = params.conditions;
    this.otherwise = params.otherwise;
  }

  /** JSON rows, as the server reads them. */
  explainRows(rows: readonly Readonly<Record<string, unknown>>[]): RuleExplanation[] {
    const X: Matrix = { data: new Float64Array(rows.length * this.recipe.width), n: rows.length, d: this.recipe.width };
    rows.forEach((row, i) => this.recipe.transformRowInto(row, X.data as Float64Array, i * this.recipe.width));
    return this.explain(X);
  }

  /** A table, as `hyperplane predict` reads it. */
  explainTable(table: Table, source?: string): RuleExplanation[] {
    return this.explain(this.recipe.transformTable(table, source));
  }

  private explain(X: Matrix): RuleExplanation[] {
    return Array.from(firedRules(this.member.model, X)!, (index) => {
      const condition = this.conditions[index];
      return condition === undefined ? { rule: null, index, then: this.otherwise } : { rule: condition.if, index, then: condition.then };
    });
  }
}
