/** After evaluation: whether the chosen pipeline is fitted again on every labelled row, and that refit. */
import type { ColumnSchema } from '../data/schema/schema.js';
import { selectRows, type Table } from '../data/table.js';
import type { Candidate } from '../search/index.js';
import { Pipeline, type Member, type TargetSpec } from './pipeline.js';
import { pick, upsampleRows } from './rows.js';

/** Which model the package holds, and why: the evaluated one, or the same pipeline refit on every labelled row. */
export interface FitInfo {
  refit: boolean;
  /** Rows the packaged model learned from. */
  rows: number;
  /** Rows the evaluated model learned from (what the test figures measure). */
  evaluatedRows: number;
  why: string;
}

/** Up to this many labelled rows, the chosen pipeline is refit on all of them after evaluation by default. */
export const REFIT_ROWS = 100_000;

/** Whether to refit, and why, before any fitting: a holdout or time split leaves rows to add; cross-validation and a test file do not. */
export function refitPlan(plan: 'holdout' | 'test' | 'cv' | 'time', testSource: string | undefined, asked: boolean | undefined, trainRows: number, labelledRows: number | undefined): FitInfo {
  const keep = (why: string): FitInfo => ({ refit: false, rows: trainRows, evaluatedRows: trainRows, why });
  if (plan === 'cv') return keep('cross-validation fits the model on every row, so there is nothing to add');
  if (plan === 'test' || labelledRows === undefined) return keep(`the test data (${testSource ?? 'a separate file'}) stays out of the model`);
  const refit = (why: string): FitInfo => ({ refit: true, rows: labelledRows, evaluatedRows: trainRows, why });
  if (asked === false) return keep('as --no-refit asks');
  if (asked === true) return refit('as --refit asks');
  const all = labelledRows.toLocaleString('en-US');
  if (labelledRows > REFIT_ROWS) return keep(`${all} labelled rows is above ${REFIT_ROWS.toLocaleString('en-US')}, where a refit costs as much as the fit (--refit refits)`);
  return refit(`the default up to ${REFIT_ROWS.toLocaleString('en-US')} rows (--no-refit keeps the evaluated model)`);
}

/**
 * The chosen pipeline fitted again on every labelled row: each member with the learner, parameters and
 * weight it was chosen with (a recipe refits too); a threshold chosen on out-of-fold scores stays as chosen.
 */
export async function refitPipeline(
  labelled: { table: Table; y: Float64Array },
  members: readonly (Candidate & { weight: number })[],
  schema: ColumnSchema[],
  spec: TargetSpec,
  options: { upsample?: boolean; seed: number; onProgress?: (event: { step: string; done: number; total: number; unit?: string }) => void },
  warnings: string[],
  fitOne: (table: Table, y: Float64Array, candidate: Candidate) => Promise<Member>,
): Promise<Pipeline> {
  let { table, y } = labelled;
  if (options.upsample === true) {
    const rows = upsampleRows(y, spec.labels?.length ?? 0, options.seed);
    table = selectRows(table, rows);
    y = pick(y, rows);
  }
  const step = `refitting on all ${labelled.y.length.toLocaleString('en-US')} labelled rows`;
  const refit: Member[] = [];
  for (const [i, m] of members.entries()) {
    options.onProgress?.({ step, done: i, total: members.length, unit: 'members' });
    const member = await fitOne(table, y, { learner: m.learner, params: m.params });
    refit.push({ ...member, weight: m.weight });
    for (const w of member.model.training.warnings) if (!warnings.includes(`${member.model.kind}: ${w}`)) warnings.push(`${member.model.kind} (refit): ${w}`);
  }
  options.onProgress?.({ step, done: members.length, total: members.length, unit: 'members' });
  return new Pipeline({ target: spec, schema, members: refit });
}
