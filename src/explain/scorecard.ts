import type { Table } from '../data/table.js';
import { FittedRecipe, stepWidth, type Recipe, type Step } from '../features/recipe.js';
import type { Matrix, Model } from '../learn/contract.js';
import { LEFT_OUT, reasonCodes, scaling, scoreRows, type ScorecardState } from '../learn/scorecard/scorecard-predict.js';
import { type ModelMember, type Pipeline } from '../pipeline/pipeline.js';

/**
 * A scorecard model as people read it: each characteristic (a feature: for plain columns, the column),
 * its attributes (bins: a range of numbers, a group of levels, missing) with their training counts,
 * event rate, weight of evidence and points; and for each row its score, points and reason codes.
 */
export interface CardAttribute {
  attribute: string;
  count: number;
  events: number;
  /** Share of events (class 1) among the attribute's training rows; null when none fell in it. */
  eventRate: number | null;
  woe: number;
  points: number;
}

export interface CardCharacteristic {
  name: string;
  informationValue: number;
  /** How WoE runs across a number's bins: ascending, descending, none (a peak or valley), or levels (a category's). */
  trend: string;
  attributes: CardAttribute[];
}

export interface Scorecard {
  /** The event the score is about: class 1 of the target (its label). */
  event: string;
  pdo: number;
  baseScore: number;
  /** Odds of the event at the base score (events per non-event). */
  baseOdds: number;
  characteristics: CardCharacteristic[];
  /** Features not in the card, with their information value and why. */
  leftOut: { name: string; informationValue: number; reason: string }[];
  /** What rounding points to whole numbers costs on the training rows: probability (largest and mean) and points (largest). */
  rounding: { maxProbability: number; meanProbability: number; maxPoints: number };
}

/** A row scored: the score, each characteristic's attribute and points, and its reason codes. */
export interface RowScore {
  score: number;
  points: { characteristic: string; attribute: string; points: number }[];
  reasons: { characteristic: string; attribute: string; pointsLost: number }[];
}

const TRENDS = ['ascending', 'descending', 'none', 'levels'];
/** Adverse-action notices give up to four reasons. */
export const REASONS = 4;

/** The pipeline's scorecard member, when it is one scorecard. */
export function scorecardMember(pipeline: Pipeline): ModelMember | undefined {
  const members = pipeline.spec.members;
  const only = members.length === 1 ? members[0]! : undefined;
  return only !== undefined && only.model.kind === 'scorecard' ? only : undefined;
}

/** Each feature's step, and its place among the step's features. */
function featureSteps(recipe: Recipe): { step: Step; index: number }[] {
  const out: { step: Step; index: number }[] = [];
  for (const step of recipe.steps) for (let k = 0; k < stepWidth(step); k++) out.push({ step, index: k });
  return out;
}

const num = (v: number): string => String(Number(v.toPrecision(6)));

/** Every bin's attribute text for characteristic c, in bin order. */
function attributeLabels(s: ScorecardState, c: number, step: Step | undefined): string[] {
  const first = s.binStart[c]!;
  const width = s.binStart[c + 1]! - first;
  if (s.categorical[c] === 1) {
    const levels = step?.kind === 'category' ? step.levels : [];
    const valueBins = width - 2;
    const groups: string[][] = Array.from({ length: valueBins }, () => []);
    for (let code = 0; code < s.codeStart[c + 1]! - s.codeStart[c]!; code++) {
      const bin = s.codeBins[s.codeStart[c]! + code]!;
      if (bin >= 0) groups[bin]!.push(code < levels.length ? levels[code]! : '(other levels)');
    }
    return [...groups.map((g) => g.join(', ')), 'missing', 'not seen in training'];
  }
  const cuts = Array.from(s.cuts.subarray(s.cutStart[c]!, s.cutStart[c + 1]!));
  // A yes/no column is read as 0/1: its bins are its two labels.
  if (step?.kind === 'binary' && cuts.length === 1 && cuts[0] === 0) return [step.negative, step.positive, 'missing'];
  if (cuts.length === 0) return ['any value', 'missing'];
  // Right-closed intervals, as the bins are: (2, 2.65] holds 2.65 and not 2.
  const labels = cuts.map((cut, k) => (k === 0 ? `≤ ${num(cut)}` : `(${num(cuts[k - 1]!)}, ${num(cut)}]`));
  labels.push(`> ${num(cuts[cuts.length - 1]!)}`);
  return [...labels, 'missing'];
}

interface CardContext {
  member: ModelMember;
  state: ScorecardState;
  names: string[];
  labels: string[][];
}

function context(member: ModelMember): CardContext {
  const s = member.model.state as unknown as ScorecardState;
  const steps = featureSteps(member.recipe);
  const names = Array.from(s.features, (j) => member.recipe.features[j] ?? `feature ${j}`);
  const labels = Array.from(s.features, (j, c) => attributeLabels(s, c, steps[j]?.step));
  return { member, state: s, names, labels };
}

/** The card of a scorecard pipeline, or undefined for any other model. */
export function scorecardOf(pipeline: Pipeline): Scorecard | undefined {
  const member = scorecardMember(pipeline);
  if (member === undefined) return undefined;
  const { state: s, names, labels } = context(member);
  const characteristics = names.map((name, c) => ({
    name,
    informationValue: s.iv[s.features[c]!]!,
    trend: TRENDS[s.trend[c]!] ?? 'none',
    attributes: labels[c]!.map((attribute, k) => {
      const b = s.binStart[c]! + k;
      const count = s.goods[b]! + s.bads[b]!;
      return { attribute, count, events: s.bads[b]!, eventRate: count > 0 ? s.bads[b]! / count : null, woe: s.woe[b]!, points: s.points[b]! };
    }),
  }));
  const leftOut: Scorecard['leftOut'] = [];
  for (let j = 0; j < s.leftOut.length; j++) if (s.leftOut[j] !== 0) leftOut.push({ name: member.recipe.features[j] ?? `feature ${j}`, informationValue: s.iv[j]!, reason: LEFT_OUT[s.leftOut[j]!] ?? 'left out' });
  return {
    event: pipeline.spec.target.labels?.[1] ?? '1',
    pdo: s.pdo,
    baseScore: s.baseScore,
    baseOdds: s.baseOdds,
    characteristics,
    leftOut,
    rounding: { maxProbability: s.rounding[0]!, meanProbability: s.rounding[1]!, maxPoints: s.rounding[2]! },
  };
}

function scored(ctx: CardContext, X: Matrix, reasonsPerRow: number): RowScore[] {
  const model: Model = ctx.member.model;
  const { score, bins } = scoreRows(model, X);
  const m = ctx.state.features.length;
  const reasons = reasonCodes(model, bins, reasonsPerRow);
  return Array.from({ length: X.n }, (_, i) => ({
    score: score[i]!,
    points: ctx.names.map((characteristic, c) => {
      const b = bins[i * m + c]!;
      return { characteristic, attribute: ctx.labels[c]![b - ctx.state.binStart[c]!]!, points: ctx.state.points[b]! };
    }),
    reasons: reasons[i]!.map((r) => ({ characteristic: ctx.names[r.characteristic]!, attribute: ctx.labels[r.characteristic]![r.bin - ctx.state.binStart[r.characteristic]!]!, pointsLost: r.pointsLost })),
  }));
}

/** Each row of a table scored by the card (undefined when the pipeline is not one scorecard). */
export function scoreTable(pipeline: Pipeline, table: Table, reasons = REASONS): RowScore[] | undefined {
  const member = scorecardMember(pipeline);
  if (member === undefined) return undefined;
  return scored(context(member), new FittedRecipe(member.recipe).transformTable(table), reasons);
}

/** Scores JSON rows (the server's), with a context kept per pipeline so a request builds nothing. */
export class RowScorer {
  private readonly ctx: CardContext;
  private readonly recipe: FittedRecipe;

  constructor(member: ModelMember) {
    this.ctx = context(member);
    this.recipe = new FittedRecipe(member.recipe);
  }

  scoreRows(rows: readonly Readonly<Record<string, unknown>>[], reasons = REASONS): RowScore[] {
    const width = this.recipe.width;
    const data = new Float64Array(rows.length * width);
    for (let i = 0; i < rows.length; i++) this.recipe.transformRowInto(rows[i]!, data, i * width);
    return scored(this.ctx, { data, n: rows.length, d: width }, reasons);
  }
}

/** The score's probability of the event, through the PDO formula: what the card says a score means. */
export function probabilityOfScore(card: Pick<Scorecard, 'pdo' | 'baseScore' | 'baseOdds'>, score: number): number {
  const { factor, offset } = scaling(card.pdo, card.baseScore, card.baseOdds);
  return 1 / (1 + Math.exp(-(offset - score) / factor));
}
