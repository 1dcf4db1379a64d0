/** Hyperplane's library API: everything the CLI does is available here for a Node app. */
export { HyperplaneError, isHyperplaneError, type InputLocation } from './errors.js';
export type { Table, Column, ColumnKind, NumericColumn, CategoricalColumn, TextColumn, DatetimeColumn } from './data/table.js';
export { columnByName, cellText, isMissing } from './data/table.js';
export { readTable, type ReadResult } from './data/read/source.js';
export type { ReadOptions, SourceFormat, ColumnReadType } from './data/read/options.js';
export { loadData, profileData, type LoadOptions, type LoadedData, type ProfileReport } from './data/load.js';
export { SCHEMA_TYPES, isFeatureType, type Schema, type ColumnSchema, type SchemaType } from './data/schema/schema.js';
export { loadSchemaFile, saveSchemaFile, resolveSchema } from './data/schema/schema-file.js';
export { profileTable, type Profile, type ColumnProfile, type ProfileWarning, type WarningKind } from './data/profile/profile.js';
export { inferTarget, type TargetInfo, type Task, type ClassCount } from './data/profile/target.js';
export { fingerprintTable, TableFingerprint } from './data/fingerprint.js';
export { synthesize, type SynthOptions, type SynthData, type SynthTask } from './synth/generate.js';
export { writeSynthFile } from './synth/write.js';
export type { Learner, Model, Matrix, Task as LearnTask, FitOptions, Capabilities, TrainingLog } from './learn/contract.js';
export { LEARNERS, getLearner, fit, predict, saveModel, loadModel } from './learn/registry.js';
export { allocateMatrix } from './learn/matrix.js';
export { LearnError } from './learn/errors.js';
export { fitRecipe, FittedRecipe, type Recipe, type RecipeFamily, type RecipeOptions, type Step } from './features/recipe.js';
export { evaluateScores, METRICS, type Evaluation, type MetricName } from './evaluate/evaluate.js';
export { rocAuc, averagePrecision, logLoss, brier, thresholdMetrics, chooseThreshold, multiclassMetrics, regressionMetrics, type ThresholdRule } from './evaluate/metrics.js';
export { curves, type Curves } from './evaluate/curves.js';
export { holdout, kFolds, groupFolds, foldSplit, timeSplit, type Split } from './evaluate/splits.js';
export { diagnose, type Diagnostic } from './evaluate/diagnostics.js';
export { Pipeline, type PipelineSpec, type TargetSpec, type Member } from './pipeline/pipeline.js';
export { InvalidRowsError, type Prediction } from './pipeline/prediction.js';
export type { FieldProblem, ValidationOptions } from './pipeline/validate-rows.js';
export { modelSignature, type ModelSignature } from './pipeline/signature.js';
export { encodePackage, decodePackage, type ModelPackage, type PackageInfo } from './pipeline/package.js';
export { savePackage, loadPackage, readForPipeline } from './pipeline/io.js';
export { trainPipeline, type TrainOptions, type TrainResult, type EvaluationPlan, type LeaderboardEntry } from './pipeline/train.js';
// Search: spaces declared on the learners' params, the strategies, trials scored by cross-validation (on worker threads), ablation.
export { declaredSpace, declaredBudget, parseSpace, parseBudget, grid, randomPoints, asha, rungBudgets, type Space, type Dimension, type Point, type Budget, type Trial, type AshaOptions, type Candidate } from './search/index.js';
export { crossValidation, type CrossValidation, type CrossValidationOptions } from './pipeline/cross-validate.js';
export { trialPool, type TrialPool } from './pipeline/trial-pool.js';
// The queue executor: trials as BullMQ jobs on Redis, scored by workers on any machine that reaches the queue and the store.
export { queueTrialPool, startWorker, checkRedis, parseQueueUrl, TrialJobFailed, scoreFilesOnQueue, queueAutoScoring, type QueueAutoOptions, type QueueAutoScoring, type BatchOptions, type FileOutcome, type QueuedBatch, type QueueTrialPool, type QueueTrialPoolOptions, type TrialWorker, type WorkerOptions, type QueueLocation, type SnapshotRef, type TrialJobData, type TrialProgress } from './queue/index.js';
export { ablatePipeline, type PipelineAblation, type PipelineAblationOptions } from './pipeline/ablate.js';
export { defineConfig, loadConfig, trainConfigSchema, type TrainConfig, type TrainConfigInput } from './config/config.js';
export {
  openStore,
  type Store,
  type OpenStoreOptions,
  type Tracking,
  type Registry,
  type Run,
  type RunSummary,
  type RunQuery,
  type ModelVersion,
  type ModelInfo,
  type ResolvedModel,
  type Artifacts,
  type Deployments,
  type PredictionLog,
  type FeedbackLog,
  type ApiKeys,
  type GarbageCollector,
  type AuditLog,
  type AuditEntry,
  type AuditQuery,
  type ChangeOptions,
} from './store/index.js';
// Models that travel: a package as ONNX, models trained elsewhere (ONNX, XGBoost) as packages, and a monitoring
// reference for those from rows like their training data. Prediction without Node is `hyperplane/predict`.
export { exportOnnx, EXPORTABLE_KINDS, EXPORTABLE_STEPS, type OnnxExport } from './onnx/index.js';
export { importOnnx, importOnnxFile, type OnnxImportOptions, type OnnxImported } from './import/onnx.js';
export { importXgboost, importXgboostFile, type ImportOptions as XgboostImportOptions, type Imported as XgboostImported } from './import/xgboost.js';
export { referenceFromRows } from './pipeline/reference-from-rows.js';
