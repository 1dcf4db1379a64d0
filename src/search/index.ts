/** The search layer: what auto tries (from the learners' declarations), how it scores and ensembles them. */
export { autoSelect, HOLDOUT_ROWS, type AutoObjective, type AutoOptions, type AutoResult, type ScoringPlan } from './auto.js';
export { candidatesFor, isReference, referenceFor, type Candidate } from './candidates.js';
export { ensembleName, selectEnsemble, type LeaderboardEntry } from './ensemble.js';
export { declaredBudget, declaredSpace, parseBudget, parseSpace, valueAt, type Budget, type Choice, type Dimension, type Point, type Range, type SearchMeta, type Space } from './space.js';
export { asha, grid, MAX_GRID, randomPoints, rungBudgets, runConcurrently, type AshaOptions, type Trial } from './strategies.js';
export { ablate, checkGroups, parseGroups, tInterval, t975, BAND, type AblatedGroup, type Ablation, type AblationObjective, type AblationOptions } from './ablate.js';
