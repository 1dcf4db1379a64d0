import { HyperplaneError } from '../../errors.js';
import type { FitOptions, Learner, Matrix, Model, Task } from '../contract.js';
import { LearnError } from '../errors.js';
import { checkFit } from '../validate.js';
import { RULES_FORMAT_VERSION, rulesPredictor } from './rules-predict.js';
import { rulesSchema, type RulesSpec } from './rules-params.js';

const NAME = 'rules';

/**
 * The team's rules as a learner: ordered conditions written in the params, the first that holds gives the
 * prediction. Teams ship a heuristic first and measure it; packaged, evaluated and served like any model, it
 * sits on the leaderboard that ML must beat. Nothing is learned: fitting checks the outcomes against the
 * task and stores them. It reads its conditions as features (`conditions`), which the recipe evaluates on
 * the raw columns.
 */
export const rulesLearner: Learner<RulesSpec> = {
  name: NAME,
  description: "the team's own rules: ordered conditions on the raw columns, the first that holds gives the prediction (nothing is learned)",
  params: rulesSchema,
  formatVersion: RULES_FORMAT_VERSION,
  capabilities: { tasks: rulesPredictor.tasks, sampleWeights: true, missingValues: 'native', explanations: 'none', interpretability: 'rules', singleClass: 'unread' },
  conditions: (params) => params.conditions.map((c, i) => ({ if: c.if, field: `conditions.${i}.if` })),

  async fit(X: Matrix, y: Float64Array, task: Task, params: RulesSpec, options: FitOptions = {}): Promise<Model> {
    const started = performance.now();
    const { k } = checkFit(NAME, this.capabilities, X, y, task, options);
    if (X.d !== params.conditions.length) throw new LearnError(`the rules have ${params.conditions.length} conditions but their features are ${X.d}: give the conditions as the recipe (Learner.conditions)`);
    // Without labels (a bare fit), classes are named by their codes: then: '2' is class 2.
    const model = rulesModel(params, task, options.classes ?? Array.from({ length: k }, (_, c) => String(c)));
    model.training.durationMs = performance.now() - started;
    return model;
  },

  // One implementation of prediction, node-free, shared with the predict-time registry (predictors.ts).
  checkState: rulesPredictor.checkState,
  predict: rulesPredictor.predict,
};

/** The rules model of written rules (nothing to learn): what fit gives, and what an older package's rules member becomes. */
export function rulesModel(rules: RulesSpec, task: Task, classes: readonly string[]): Model {
  const outcomes = rulesOutcomes(rules, task, classes);
  return {
    kind: NAME,
    formatVersion: RULES_FORMAT_VERSION,
    task,
    nFeatures: rules.conditions.length,
    nClasses: task === 'regression' ? 1 : outcomes.length / (rules.conditions.length + 1),
    params: { conditions: rules.conditions.map((c) => ({ ...c })), otherwise: rules.otherwise },
    state: { outcomes },
    training: { iterations: 0, converged: true, durationMs: 0, finalLoss: NaN, warnings: [] },
  };
}

/**
 * Each condition's scores then `otherwise`'s, row after row: regression, the value; binary, the two class
 * probabilities from the positive class's; multiclass, one-hot of the named class. Errors name the field in
 * the rules (`rules.conditions.2.then`) and what was expected.
 */
export function rulesOutcomes(rules: RulesSpec, task: Task, classes: readonly string[]): Float64Array {
  const outcome = (v: number | string, field: string): number[] => {
    if (task === 'regression') {
      if (typeof v !== 'number') throw new HyperplaneError(`expected a number for a regression target, got '${v}'`, { field });
      return [v];
    }
    if (task === 'binary') {
      if (typeof v !== 'number' || v < 0 || v > 1) throw new HyperplaneError(`expected the probability of '${classes[1] ?? 'the positive class'}', between 0 and 1, got ${JSON.stringify(v)}`, { field });
      return [1 - v, v];
    }
    const c = classes.indexOf(String(v));
    if (c < 0) throw new HyperplaneError(`expected one of the classes ${classes.join(', ')}, got ${JSON.stringify(v)}`, { field });
    return classes.map((_, k) => (k === c ? 1 : 0));
  };
  return Float64Array.from([...rules.conditions.flatMap((c, i) => outcome(c.then, `rules.conditions.${i}.then`)), ...outcome(rules.otherwise, 'rules.otherwise')]);
}
