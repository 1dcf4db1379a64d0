import { HyperplaneError } from '../errors.js';
import { better, metricOf, type EvalTask as Task, type MetricName } from '../evaluate/evaluate.js';
import { groupFolds, groupHoldout, holdout, kFolds, pickScores } from '../evaluate/splits.js';
import { LearnError, TrainingAborted } from '../learn/errors.js';
import { LEARNERS } from '../learn/registry.js';
import { isReference, type Candidate } from './candidates.js';
import { ensembleName, selectEnsemble, type LeaderboardEntry } from './ensemble.js';
import { declaredBudget, declaredSpace } from './space.js';
import { asha, randomPoints, runConcurrently } from './strategies.js';
import { interpretabilityOf, SIMPLICITY, withinNoise } from './simplicity.js';

/** Past this many training rows, auto scores candidates on one holdout instead of k folds. */
export const HOLDOUT_ROWS = 100_000;

/** How a candidate is scored: the folds (1 with a holdout's assignment), and when to stop. */
export interface ScoringPlan {
  folds: number;
  /** Each row's fold: −1 for rows always trained on, 0 for the validation rows (the holdout of a big table); or group folds 0 … folds − 1. */
  assignment?: Int32Array;
  signal: AbortSignal;
  /** When step-by-step learners stop and keep what they have (performance.now() ms). */
  deadline: number;
  /** When `signal` fires (performance.now() ms): for an objective that scores elsewhere, whose clock is not this one. */
  abortAt: number;
}

/**
 * What the search needs of the pipeline, which it does not know: scoring a candidate out of fold, fitting
 * one on every training row, and weighting a fitted member. `M` is the pipeline's fitted member.
 */
export interface AutoObjective<M> {
  /** Out-of-fold scores for every training row (row-major n × k), the models fitted (the last fold's last), and the params a refit should use when they differ (a fit cut short). */
  score(candidate: Candidate, plan: ScoringPlan): Promise<{ scores: Float64Array; models: M[]; refitParams?: Record<string, unknown> }>;
  fit(candidate: Candidate): Promise<M>;
  weighted(member: M, weight: number): M;
  /** What putting a fitted member into production costs: its median single-row predict time (µs) and its size (bytes). */
  measure?(member: M): { latencyUs: number; bytes: number };
}

export interface AutoOptions {
  task: Task;
  labels: readonly string[];
  metric: MetricName;
  seed: number;
  /** The whole training's budget, and when it started (performance.now() ms). */
  budgetMs: number;
  started: number;
  /** Each training row's group: candidates are then scored on folds (or a holdout) that keep every group whole. */
  groups?: ArrayLike<number>;
  /**
   * After the portfolio: this many configurations of the leading learner's declared space, drawn at random and
   * raced by ASHA over its declared budget (boosting rounds), while the time budget lasts. 0 (the default): none.
   */
  refine?: number;
  /** Candidates scored at once (an objective that scores elsewhere, on a queue's workers); default 1. */
  concurrency?: number;
  /** 'simple': the simplest candidate within the folds' noise of the best (see simplicity.ts), said in words; default 'best'. */
  prefer?: 'best' | 'simple';
  onProgress?: (event: { step: string; done: number; total: number; detail?: string; unit?: string }) => void;
}

export interface AutoResult<M> {
  members: M[];
  candidates: (Candidate & { weight: number })[];
  name: string;
  params: Record<string, unknown>;
  plan: string;
  /** With `prefer: 'simple'`: what was chosen instead of the best, what that gave up and what it gained. */
  preference?: string;
  /** The chosen members' out-of-fold scores, averaged by weight, on the scored rows (`rows`: their positions in y; every row when absent). */
  outOfFold: { scores: Float64Array; rows?: Int32Array };
}

/**
 * `auto`: scores each candidate by cross-validation on the training rows (one stratified holdout past
 * HOLDOUT_ROWS), within the time budget (a candidate still running when the search's share is spent is
 * stopped); then greedy ensemble selection over their out-of-fold scores. The chosen members are refitted
 * on all training rows while the budget allows (the first always). Learners are told apart by what they
 * declare (capabilities, auto candidates, refit params), never by name.
 */
export async function autoSelect<M>(candidates: Candidate[], y: Float64Array, objective: AutoObjective<M>, options: AutoOptions, leaderboard: LeaderboardEntry[]): Promise<AutoResult<M>> {
  const { task, labels, metric, budgetMs, started } = options;
  const rows = y.length;
  // Five folds on small data, where the choice is noisiest; three where fits are costly; past HOLDOUT_ROWS,
  // one stratified 20% holdout, so that a big table still sees every family within the budget.
  const big = rows > HOLDOUT_ROWS;
  const groups = options.groups;
  const groupTotal = groups === undefined ? 0 : new Set(Array.from(groups)).size;
  if (groups !== undefined && groupTotal < 2) throw new HyperplaneError(`auto scores candidates on folds that keep groups whole, and the training rows hold ${groupTotal} group`, { field: 'group' });
  const folds = big ? 1 : Math.min(rows <= 5000 ? 5 : 3, groups === undefined ? Infinity : groupTotal);
  // The folds are fixed here (the same as the objective would draw), so each candidate's score is known by fold.
  const assignment = groups === undefined ? (big ? holdoutAssignment(y, task, options.seed) : kFolds(y, folds, options.seed, task !== 'regression')) : big ? groupHoldoutAssignment(groups, options.seed) : groupFolds(groups, folds);
  const evalRows = assignment === undefined || !big ? undefined : Int32Array.from({ length: rows }, (_, i) => i).filter((i) => assignment[i]! >= 0);
  const k = labels.length || 1;
  const yEval = evalRows === undefined ? y : Float64Array.from(evalRows, (i) => y[i]!);
  const evalScores = (s: Float64Array): Float64Array => (evalRows === undefined ? s : pickScores(s, evalRows, k));
  // Each fold's rows among the scored ones (a holdout: five interleaved parts of it), for the score's spread.
  const parts = big ? 5 : folds;
  const partRows = Array.from({ length: parts }, (_, f) => Int32Array.from({ length: yEval.length }, (_, i) => i).filter((i) => (big ? i % 5 : assignment[i]!) === f));
  const byPart = (s: Float64Array): number[] => partRows.map((rows) => (rows.length === 0 ? NaN : metricOf(metric, task, Float64Array.from(rows, (i) => yEval[i]!), pickScores(s, rows, k), labels)));
  const partScores = new Map<LeaderboardEntry, number[]>();
  // Fits per candidate, and the share of the rows each sees: to foresee a refit on all of them.
  const trainShare = big ? 0.8 : (folds - 1) / folds;
  const n = rows.toLocaleString('en-US');
  const g = groupTotal.toLocaleString('en-US');
  const plan =
    groups === undefined
      ? big
        ? `a stratified 20% holdout of the ${n} training rows; the models kept are those fitted on the other 80%`
        : `${folds}-fold cross-validation on the training rows`
      : big
        ? `a holdout of whole groups, about 20% of the ${n} training rows (${g} groups); the models kept are those fitted on the other groups`
        : `${folds}-fold group cross-validation on the ${g} groups of training rows`;
  const oof = new Map<LeaderboardEntry, Float64Array>();
  // Each scored candidate's first fitted member, until its cost is measured.
  const unmeasured = new Map<LeaderboardEntry, M>();
  // Big tables: the models fitted on the 80% are kept as they are — refitting on every row would cost
  // as much again as the search, for a sliver of data.
  const trained = new Map<LeaderboardEntry, M>();
  let slowest = 0;
  // Keep room for the final fit: about as long as one fit, scaled to all rows.
  const overBudget = (): boolean => performance.now() - started + slowest / trainShare > budgetMs * 0.8;
  /** Scores a candidate onto the leaderboard: its entry, or undefined when it failed or was stopped (noted there). */
  const scoreOne = async (candidate: Candidate): Promise<LeaderboardEntry | undefined> => {
    const elapsed = performance.now() - started;
    const t0 = performance.now();
    // When the search's share of the budget is spent, step-by-step learners keep what they have (anytime);
    // a candidate still running a little later is stopped. Big tables keep the search's models but still
    // score, check and package them on many rows.
    const deadline = started + budgetMs * (big ? 0.6 : 0.75);
    const abortMs = Math.max(1, Math.round(budgetMs * (big ? 0.7 : 0.85) - elapsed));
    const signal = AbortSignal.timeout(abortMs);
    let scored: Awaited<ReturnType<AutoObjective<M>['score']>>;
    try {
      scored = await objective.score(candidate, { folds, ...(assignment !== undefined ? { assignment } : {}), signal, deadline, abortAt: performance.now() + abortMs });
      // A learner that stopped itself on the folds (early stopping, the deadline): the refit gets the params it gives.
      // A big table keeps the search's models as they are, and so their params.
      if (scored.refitParams !== undefined && !big) candidate.params = scored.refitParams;
    } catch (e) {
      // A learner that cannot take this data (LearnError) is dropped with its reason on the
      // leaderboard; the others still compete. Errors in the settings (a bad recipe) still stop the run.
      const note = e instanceof TrainingAborted ? 'stopped: time budget' : e instanceof LearnError ? `failed: ${e.message}` : undefined;
      if (note === undefined) throw e;
      leaderboard.push({ ...candidate, score: NaN, seconds: (performance.now() - t0) / 1000, note });
      return undefined;
    }
    const scores = evalScores(scored.scores);
    const seconds = (performance.now() - t0) / 1000;
    slowest = Math.max(slowest, (seconds * 1000) / folds);
    const parted = byPart(scores);
    const entry: LeaderboardEntry = { ...candidate, score: metricOf(metric, task, yEval, scores, labels), seconds, interpretability: interpretabilityOf(candidate.learner), spread: sd(parted) };
    leaderboard.push(entry);
    if (scored.models[0] !== undefined) unmeasured.set(entry, scored.models[0]);
    oof.set(entry, scores);
    partScores.set(entry, parted);
    if (big && scored.models[0] !== undefined) trained.set(entry, scored.models[0]);
    return entry;
  };
  // The portfolio: each learner's declared candidates, best guesses first, while the budget lasts.
  let next = 0;
  let done = 0;
  await runConcurrently(
    options.concurrency ?? 1,
    undefined,
    () => {
      // Past the budget, the rest are listed as skipped; the first always runs.
      while (next > 0 && next < candidates.length && overBudget()) leaderboard.push({ ...candidates[next++]!, score: NaN, seconds: 0, note: 'skipped: time budget' });
      return next < candidates.length ? candidates[next++] : undefined;
    },
    async (candidate) => {
      options.onProgress?.({ step: 'auto', detail: candidate.learner, done, total: candidates.length, unit: 'candidates' });
      await scoreOne(candidate);
      done++;
    },
  );
  options.onProgress?.({ step: 'auto', done: candidates.length, total: candidates.length, unit: 'candidates' });
  if ((options.refine ?? 0) > 0) await refine(options.refine!, leaderboard, metric, options.seed, overBudget, scoreOne, options.onProgress);
  // Each candidate's cost in production, measured once the search is over: timed beside other candidates' fits
  // (scored at once), one row's latency would be the machine's load as much as the model's.
  for (const [entry, member] of unmeasured) Object.assign(entry, objective.measure?.(member) ?? {});
  unmeasured.clear();
  const ranked = leaderboard.filter((e) => !Number.isNaN(e.score)).sort((a, b) => (better(metric, a.score, b.score) ? -1 : better(metric, b.score, a.score) ? 1 : 0));
  if (ranked.length === 0) throw nothingScored(leaderboard);
  // Greedy ensemble selection over the out-of-fold scores; members are refitted on all training rows,
  // the heaviest first, while the budget allows (the first always).
  // A reference (the baseline) joins no ensemble: its constants differ by fold, which only shifts pooled scores.
  const pool = isReference(ranked[0]!.learner) ? ranked.slice(0, 1) : ranked.filter((e) => !isReference(e.learner));
  const weights = explainableWithinNoise(selectEnsemble(pool, oof, metric, task, yEval, labels), pool, (members) => selectEnsemble(members, oof, metric, task, yEval, labels), (w) => byPart(blend(w, oof, yEval.length * k)), metric);
  let preference: string | undefined;
  const chosen = [...weights].sort((a, b) => b[1] - a[1]);
  if (chosen.length > 1) {
    const sum = new Float64Array(yEval.length * k);
    let total = 0;
    for (const [e, w] of chosen) {
      const s = oof.get(e)!;
      for (let j = 0; j < sum.length; j++) sum[j] += w * s[j]!;
      total += w;
    }
    const averaged = sum.map((v) => v / total);
    const score = metricOf(metric, task, yEval, averaged, labels);
    const parted = byPart(averaged);
    const costs = chosen.map(([e]) => e);
    const known = costs.every((e) => e.latencyUs !== undefined && e.bytes !== undefined);
    const ensemble: LeaderboardEntry = { learner: ensembleName(chosen), params: {}, score, seconds: chosen.reduce((t, [e]) => t + e.seconds, 0), interpretability: 'ensemble', spread: sd(parted), ...(known ? { latencyUs: costs.reduce((t, e) => t + e.latencyUs!, 0), bytes: costs.reduce((t, e) => t + e.bytes!, 0) } : {}) };
    leaderboard.push(ensemble);
    partScores.set(ensemble, parted);
    if (options.prefer === 'simple') preference = preferSimple(ensemble, ranked, partScores, metric, (picked) => chosen.splice(0, chosen.length, [picked, 1]));
  } else if (options.prefer === 'simple') preference = preferSimple(chosen[0]![0], ranked, partScores, metric, (picked) => chosen.splice(0, chosen.length, [picked, 1]));
  const members: M[] = [];
  for (const [e, w] of chosen) {
    const kept = trained.get(e);
    if (kept !== undefined) {
      members.push(objective.weighted(kept, w));
      continue;
    }
    const refitMs = (e.seconds * 1000) / folds / trainShare;
    if (members.length > 0 && performance.now() - started + refitMs > budgetMs) break;
    members.push(objective.weighted(await objective.fit({ learner: e.learner, params: e.params }), w));
  }
  const kept = chosen.slice(0, members.length);
  const keptScores = new Float64Array(yEval.length * k);
  const keptTotal = kept.reduce((t, [, w]) => t + w, 0);
  for (const [e, w] of kept) {
    const s = oof.get(e)!;
    for (let j = 0; j < keptScores.length; j++) keptScores[j] += (w / keptTotal) * s[j]!;
  }
  leaderboard.sort((a, b) => (Number.isNaN(a.score) ? 1 : Number.isNaN(b.score) ? -1 : better(metric, a.score, b.score) ? -1 : better(metric, b.score, a.score) ? 1 : 0));
  const name = kept.length === 1 ? kept[0]![0].learner : ensembleName(kept);
  const keptCandidates = kept.map(([e, w]) => ({ learner: e.learner, params: e.params, weight: w }));
  return { members, candidates: keptCandidates, name, params: kept.length === 1 ? kept[0]![0].params : { members: keptCandidates }, plan, ...(preference !== undefined ? { preference } : {}), outOfFold: { scores: keptScores, ...(evalRows !== undefined ? { rows: evalRows } : {}) } };
}

/** Out-of-fold scores of a weighted blend of candidates. */
function blend(weights: ReadonlyMap<LeaderboardEntry, number>, oof: ReadonlyMap<LeaderboardEntry, Float64Array>, length: number): Float64Array {
  const sum = new Float64Array(length);
  let total = 0;
  for (const [e, w] of weights) {
    const s = oof.get(e)!;
    for (let j = 0; j < length; j++) sum[j] += w * s[j]!;
    total += w;
  }
  return sum.map((v) => v / total);
}

/**
 * Opaque models (nearest neighbours, kernels) cannot explain their answers, and explanations are half of what a
 * served model is asked for: a selection that holds one gives way to the best selection without them when that
 * is within the folds' noise of it (paired by fold, as --prefer simple judges), and stands only when it is
 * clearly better.
 */
export function explainableWithinNoise(weights: Map<LeaderboardEntry, number>, pool: readonly LeaderboardEntry[], select: (pool: LeaderboardEntry[]) => Map<LeaderboardEntry, number>, parts: (weights: ReadonlyMap<LeaderboardEntry, number>) => number[], metric: MetricName): Map<LeaderboardEntry, number> {
  const opaque = (e: LeaderboardEntry): boolean => e.interpretability === 'opaque';
  if (![...weights.keys()].some(opaque)) return weights;
  const clear = pool.filter((e) => !opaque(e));
  if (clear.length === 0) return weights;
  const alternative = select(clear);
  const sign = better(metric, 1, 0) ? 1 : -1;
  const theirs = parts(alternative);
  const paired = parts(weights).map((b, f) => [sign * b, sign * theirs[f]!] as const).filter(([b, a]) => !Number.isNaN(b) && !Number.isNaN(a));
  return withinNoise(paired.map(([b]) => b), paired.map(([, a]) => a)).within ? alternative : weights;
}

function sd(values: readonly number[]): number {
  const v = values.filter((x) => !Number.isNaN(x));
  if (v.length < 2) return 0;
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  return Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / (v.length - 1));
}

/**
 * `--prefer simple`: the simplest scored candidate (by kind, then by measured latency) whose score is within the
 * folds' noise of `best`'s, paired by fold; `choose` is told of it when it is not `best`. Says in words what it gave
 * up and what it gained, or that nothing simpler was within noise.
 */
function preferSimple(best: LeaderboardEntry, ranked: readonly LeaderboardEntry[], parts: ReadonlyMap<LeaderboardEntry, number[]>, metric: MetricName, choose: (picked: LeaderboardEntry) => void): string {
  const sign = better(metric, 1, 0) ? 1 : -1;
  const rank = (e: LeaderboardEntry): number => SIMPLICITY.indexOf(e.interpretability ?? 'trees');
  const simplest = [...ranked].sort((a, b) => rank(a) - rank(b) || (a.latencyUs ?? Infinity) - (b.latencyUs ?? Infinity));
  const bestParts = parts.get(best)!;
  for (const e of simplest) {
    if (rank(e) >= rank(best)) break;
    const mine = parts.get(e)!;
    const paired = bestParts.map((b, f) => [sign * b, sign * mine[f]!] as const).filter(([b, m]) => !Number.isNaN(b) && !Number.isNaN(m));
    const { within, gap, noise } = withinNoise(paired.map(([b]) => b), paired.map(([, m]) => m));
    if (!within) continue;
    choose(e);
    const gained = [`a model read as ${e.interpretability} rather than ${best.interpretability}`];
    if (e.latencyUs !== undefined && best.latencyUs !== undefined && e.latencyUs < best.latencyUs) gained.push(`${(best.latencyUs / e.latencyUs).toFixed(1)}× faster a row (${e.latencyUs.toFixed(0)} µs against ${best.latencyUs.toFixed(0)} µs)`);
    if (e.bytes !== undefined && best.bytes !== undefined && e.bytes < best.bytes) gained.push(`${(best.bytes / e.bytes).toFixed(1)}× smaller (${kb(e.bytes)} against ${kb(best.bytes)})`);
    // In words, the pooled scores as the leaderboard shows them; the test above is on the paired folds.
    const given = sign * (best.score - e.score);
    const lost = given > 0 ? `gave up ${given.toFixed(4)} ${metric} in cross-validation, within the folds' noise (a mean gap of ${Math.max(0, gap).toFixed(4)} a fold against ${noise.toFixed(4)})` : `gave up nothing: it scored as well in cross-validation`;
    return `--prefer simple: ${e.learner} (${metric} ${e.score.toFixed(4)}) instead of ${best.learner} (${best.score.toFixed(4)}): ${lost}; gained ${gained.join(', ')}`;
  }
  return `--prefer simple: nothing simpler than ${best.learner} (${best.interpretability}) is within the folds' noise of its ${metric}; kept it`;
}

const kb = (bytes: number): string => (bytes < 1024 ? `${bytes} B` : bytes < 1024 ** 2 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 ** 2).toFixed(1)} MB`);

/**
 * The refinement: the best-scoring learner that declares a search space and a budget, its best candidate's
 * params as the base, `trials` random points of its space raced by ASHA over the budget; every evaluation is a
 * leaderboard entry (and so an ensemble candidate). Starts nothing once the time budget is spent.
 */
async function refine(
  trials: number,
  leaderboard: readonly LeaderboardEntry[],
  metric: MetricName,
  seed: number,
  overBudget: () => boolean,
  scoreOne: (candidate: Candidate) => Promise<LeaderboardEntry | undefined>,
  onProgress: AutoOptions['onProgress'],
): Promise<void> {
  const ranked = leaderboard.filter((e) => !Number.isNaN(e.score)).sort((a, b) => (better(metric, a.score, b.score) ? -1 : better(metric, b.score, a.score) ? 1 : 0));
  for (const lead of ranked) {
    const learner = LEARNERS.get(lead.learner);
    const budget = learner === undefined ? undefined : declaredBudget(learner);
    const space = learner === undefined || budget === undefined ? [] : declaredSpace(learner).filter((d) => d.name !== budget.name);
    if (budget === undefined || space.length === 0) continue;
    // ASHA keeps the higher scores: a lower-is-better metric is negated.
    const sign = better(metric, 1, 0) ? 1 : -1;
    let done = 0;
    // Distinct points: a small whole-number range drawn at random repeats itself, and a repeat teaches nothing.
    const seen = new Set<string>();
    const points = randomPoints(space, trials * 10, seed).filter((p) => !seen.has(JSON.stringify(p)) && seen.add(JSON.stringify(p)) !== undefined).slice(0, trials);
    await asha(points, { trials, minBudget: budget.low, maxBudget: budget.high, stop: overBudget }, async (point, at) => {
      onProgress?.({ step: 'auto', detail: `${lead.learner} (refining)`, done: done++, total: trials, unit: 'evaluations' });
      const entry = await scoreOne({ learner: lead.learner, params: { ...lead.params, ...point, [budget.name]: at } });
      return entry === undefined ? -Infinity : sign * entry.score;
    });
    return;
  }
}

/** Why nothing could be scored: every candidate failed (each family's first reason), or the budget ran out. */
function nothingScored(leaderboard: readonly LeaderboardEntry[]): HyperplaneError {
  const failed = leaderboard.filter((e) => e.note?.startsWith('failed: ') === true);
  if (failed.length > 0 && failed.length === leaderboard.filter((e) => e.note !== 'skipped: time budget').length) {
    // The variants of one family fail alike.
    const reasons = new Map<string, string>();
    for (const e of failed) if (!reasons.has(e.learner)) reasons.set(e.learner, e.note!.slice('failed: '.length));
    return new HyperplaneError(`auto: every candidate failed: ${[...reasons.values()].join('; ')}`);
  }
  return new HyperplaneError('auto: no candidate could be scored within the time budget; raise --time-budget', { field: 'time-budget' });
}

/** −1 for rows always trained on, 0 for the 20% validation rows (stratified for classification). */
function holdoutAssignment(y: Float64Array, task: Task, seed: number): Int32Array {
  const split = holdout(y, 0.2, seed, task !== 'regression');
  const assignment = new Int32Array(y.length).fill(-1);
  for (const i of split.test) assignment[i] = 0;
  return assignment;
}

/** −1 for rows always trained on, 0 for the rows of whole groups drawn until about 20% of the rows. */
function groupHoldoutAssignment(groups: ArrayLike<number>, seed: number): Int32Array {
  const split = groupHoldout(groups, 0.2, seed);
  const assignment = new Int32Array(groups.length).fill(-1);
  for (const i of split.test) assignment[i] = 0;
  return assignment;
}

