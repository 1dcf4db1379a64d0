import type { LoadedData } from '../data/load.js';
import { selectRows, type Table } from '../data/table.js';
import { checkMetric, DEFAULT_METRIC } from '../evaluate/evaluate.js';
import { globalImportance } from '../explain/global.js';
import { buildReference, importanceShares, type MonitorReference } from '../monitor/reference.js';
import type { RulesSpec } from '../learn/rules/rules-params.js';
import type { ModelPackage } from './package.js';
import { Pipeline, supervisedTarget, type Member } from './pipeline.js';
import { pick, upsampleRows } from './rows.js';
import { splitRows } from './split.js';
import { encodeTarget } from './target.js';
import { fitMember } from './out-of-fold.js';
import type { EvaluationPlan, TrainOptions } from './train.js';
import { getLearner } from '../learn/registry.js';

/** What train recorded with the run that this needs: how the rows were split, and how the model was fitted. */
export interface RecordedTraining {
  target: string;
  task?: 'binary' | 'multiclass' | 'regression';
  learner: string;
  params: Record<string, unknown>;
  metric?: string;
  classWeight?: 'balanced';
  upsample?: boolean;
  seed: number;
  rules?: RulesSpec;
  recipe?: { outputs: string[]; groups: Record<string, string[]> };
}

/**
 * The reference train would have packaged, from the training data it read (fingerprint already checked):
 * the same split, the served model's rows sketched, and held-out scores of the evaluated model. When the
 * package holds a refit, the evaluated model is fitted again on the training rows (one fit, as train did);
 * cross-validation's out-of-fold scores would take k fits, so its in-sample scores stand in ('training').
 */
export async function referenceFromData(pkg: ModelPackage, data: LoadedData, plan: EvaluationPlan, settings: RecordedTraining): Promise<MonitorReference> {
  const spec = supervisedTarget(pkg.pipeline.target, 'have its monitoring reference rebuilt from its training data');
  const labels = spec.labels ?? [];
  const target = encodeTarget(data.table, data.schema, settings.target, data.source, settings.task ?? spec.task);
  const split = splitRows(data.table, data.schema, target, plan, settings.seed, []);
  let { table, y } = split;
  if (settings.upsample === true) {
    const rows = upsampleRows(y, labels.length, settings.seed);
    table = selectRows(table, rows);
    y = pick(y, rows);
  }
  const served = new Pipeline(pkg.pipeline);
  const refit = pkg.info.fit?.refit === true && split.labelled !== undefined;
  const fitted = refit && split.labelled !== undefined ? split.labelled : { table, y };
  const k = spec.task === 'regression' ? 1 : labels.length;
  const sketch = (scored: Pipeline, rows: Table, yRows: Float64Array, source: 'held-out' | 'training', importance?: Record<string, number>): MonitorReference => {
    const scores = scored.scoreTable(rows);
    const prediction = { scores, rows: scores.length / k, source, y: yRows, ...(spec.task !== 'regression' ? { predicted: scored.label(scores).map(String) } : {}) };
    return buildReference(fitted.table, served.inputColumns, prediction, importance, { y: fitted.y, labels }, settings.seed);
  };
  if (split.cvFolds !== undefined) return sketch(served, fitted.table, fitted.y, 'training');
  const evaluated = refit ? await refitEvaluated(pkg, table, y, plan, settings) : served;
  const metric = checkMetric(settings.metric ?? DEFAULT_METRIC[spec.task], spec.task);
  const importance = split.testTable.nRows > 0 ? importanceShares(globalImportance(evaluated, split.testTable, split.yTest, { metric, labels, threshold: spec.threshold ?? 0.5, seed: settings.seed }).columns) : undefined;
  return sketch(evaluated, split.testTable, split.yTest, 'held-out', importance);
}

/** The members train chose, with the parameters it fitted them with (auto records its choice in the package). */
function chosenMembers(pkg: ModelPackage, settings: RecordedTraining): { learner: string; params: Record<string, unknown>; weight: number }[] {
  const members = pkg.info.params['members'];
  const chosen =
    settings.learner !== 'auto'
      ? [{ learner: settings.learner, params: settings.params, weight: 1 }]
      : Array.isArray(members)
        ? (members as { learner: string; params: Record<string, unknown>; weight: number }[])
        : [{ learner: pkg.info.learner, params: pkg.info.params, weight: 1 }];
  // Written conditions (rules) are their model's params: older records kept them apart from the params.
  return chosen.map((c, i) => (getLearner(c.learner).conditions !== undefined && pkg.pipeline.members[i] !== undefined ? { ...c, params: pkg.pipeline.members[i].model.params } : c));
}

/** The evaluated model (fitted on the training rows only), which a refit package no longer holds. */
async function refitEvaluated(pkg: ModelPackage, table: Table, y: Float64Array, plan: EvaluationPlan, settings: RecordedTraining): Promise<Pipeline> {
  const { schema } = pkg.pipeline;
  const target = supervisedTarget(pkg.pipeline.target, 'be refitted against a target column');
  const options: TrainOptions = {
    target: settings.target,
    learner: settings.learner,
    evaluation: plan,
    seed: settings.seed,
    timeBudgetSeconds: Infinity,
    ...(settings.classWeight !== undefined ? { classWeight: settings.classWeight } : {}),
    ...(settings.recipe !== undefined ? { recipe: settings.recipe } : {}),
  };
  const members: Member[] = [];
  for (const c of chosenMembers(pkg, settings)) members.push({ ...(await fitMember(table, y, schema, target, { learner: c.learner, params: c.params }, options)), weight: c.weight });
  return new Pipeline({ target, schema, members });
}
