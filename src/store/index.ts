/** The store: tracking, registry, artifacts and serving tables on SQLite (default) or PostgreSQL. */
export { openStore, osUser, storeTarget, STORE_DIR, STORE_ENV, type Store, type SqlStore, type OpenStoreOptions, type StoreTarget } from './store.js';
export type {
  Tracking,
  Experiment,
  NewRun,
  Run,
  RunSummary,
  RunRecord,
  RunStatus,
  RunOwner,
  RunQuery,
  RunFilter,
  RunOrder,
  RunPage,
  RunWarning,
  RunNote,
  RunArtifact,
  RunEnvironment,
  GitState,
  DataInput,
  MetricInput,
  MetricPoint,
  MetricCondition,
  MetricOp,
  SortDirection,
  StaleRunOptions,
} from './tracking.js';
export { RUN_STATUSES, METRIC_OPS, MAX_NOTE_CHARS } from './tracking.js';
export { checkNoteText } from './notes.js';
export type { Registry, ModelInfo, ModelVersion, NewVersion, AliasMove, ModelRef, ResolvedModel } from './registry.js';
export { parseModelRef } from './sql/registry.js';
export { parseMetricCondition } from './sql/run-query.js';
export { UnknownRunFieldError } from './unknown-field.js';
export { sha256Hex, type Artifacts, type ArtifactInfo } from './artifacts.js';
export { FileArtifacts } from './fs/file-artifacts.js';
export type { GarbageCollector, GcOptions, GcResult } from './gc.js';
export type {
  Deployments,
  Deployment,
  PredictionLog,
  Prediction,
  EncodedPrediction,
  PredictionRecord,
  PredictionQuery,
  PredictionWithFeedback,
  WindowCount,
  FeedbackLog,
  Feedback,
  FeedbackInput,
  FeedbackQuery,
  RewardTally,
  TimeWindow,
  ApiKeys,
  ApiKey,
  ApiScope,
  NewKeyOptions,
} from './serving.js';
export type { AuditLog, AuditEntry, AuditRecord, AuditQuery, AuditAction, ChangeOptions } from './audit.js';
export { AUDIT_ACTIONS } from './audit.js';
export type { Alert, AlertEvidence, AlertQuery, AlertState, AlertStore } from './alerts.js';
export { ALERT_STATES } from './alerts.js';
export type { MonitorWindows, WindowPart, StoredWindow, SegmentParts, WindowQuery, Leases } from './monitor-windows.js';
export { API_SCOPES, decodePrediction, isEncoded } from './serving.js';
export type { JsonValue } from './json.js';
export { currentEnvironment, gitState, currentOwner, processAlive } from './provenance.js';
export { LATEST_MIGRATION } from './migrations/index.js';
export type { Database, Dialect } from './db/schema.js';
export { listenForChanges } from './db/postgres-listen.js';
