import type { JsonValue } from './json.js';

export type RunStatus = 'running' | 'finished' | 'failed' | 'killed';
export const RUN_STATUSES: readonly RunStatus[] = ['running', 'finished', 'failed', 'killed'];

/** One data set a run read, so `reproduce` can refuse when the data changed. */
export interface DataInput {
  /** What the data was for: 'train', 'test', 'reference'… */
  role: string;
  source: string;
  /** sha256 of the typed values (data/fingerprint.ts). */
  fingerprint: string;
  rows: number;
}

export interface GitState {
  commit: string;
  dirty: boolean;
}

export interface RunEnvironment {
  node: string;
  /** Package name → version, e.g. hyperplane and its dependencies. */
  packages: Record<string, string>;
  os: string;
  cpu: string;
}

/** The process that owns a running run: how a dead run is told from a slow one. */
export interface RunOwner {
  pid: number;
  hostname: string;
}

export interface Experiment {
  id: string;
  name: string;
  createdAt: number;
}

export interface NewRun {
  /** Experiment name, created when new; 'Default' when absent. */
  experiment?: string;
  name?: string;
  params?: Record<string, JsonValue>;
  tags?: Record<string, string>;
  seed?: number;
  config?: JsonValue;
  inputs?: DataInput[];
  git?: GitState;
  environment?: RunEnvironment;
  /** Epoch milliseconds; now when absent. */
  startTime?: number;
  /** This process when absent. */
  owner?: RunOwner;
  /** The run this one is part of (a search's trial: the search's run); it must exist. */
  parent?: string;
}

export interface MetricInput {
  name: string;
  value: number;
  /** 0 when absent. */
  step?: number;
  /** Epoch milliseconds; now when absent. */
  timestamp?: number;
}

export interface MetricPoint {
  name: string;
  /** NaN is stored as NULL by SQLite, so it is stored that way everywhere and read back as NaN. */
  value: number;
  step: number;
  timestamp: number;
}

export interface RunWarning {
  message: string;
  time: number;
}

/** A lab-notebook entry: why a run was made, or what was learned from it. */
export interface RunNote {
  text: string;
  /** Who wrote it, named as the audit trail names an actor (`cli:<os user>`). */
  author: string;
  /** Epoch milliseconds. */
  time: number;
}

/** The longest note kept, in characters: a notebook entry, not a document. */
export const MAX_NOTE_CHARS = 10_000;

export interface RunArtifact {
  name: string;
  sha256: string;
}

export interface RunSummary {
  id: string;
  experimentId: string;
  name: string;
  status: RunStatus;
  startTime: number;
  endTime: number | null;
  /** The latest value of each metric (highest step, then latest timestamp). */
  metrics: Record<string, number>;
  tags: Record<string, string>;
  /** The params a listing asked for (RunQuery.params); a run's full record has them all. */
  params?: Record<string, JsonValue>;
}

export interface Run extends RunSummary {
  params: Record<string, JsonValue>;
  seed: number | null;
  config: JsonValue | null;
  /** Sorted by role, then source. */
  inputs: DataInput[];
  git: GitState | null;
  environment: RunEnvironment | null;
  owner: RunOwner | null;
  heartbeatAt: number | null;
  /** The run this one is part of (a search's run, for a trial), or null. */
  parentId: string | null;
  warnings: RunWarning[];
  artifacts: RunArtifact[];
  /** Oldest first. */
  notes: RunNote[];
}

/** A complete run for bulk import (from another store, or a test that needs thousands). */
export interface RunRecord extends NewRun {
  id?: string;
  status?: RunStatus;
  endTime?: number;
  metrics?: MetricInput[];
  warnings?: string[];
}

export type MetricOp = '>' | '>=' | '<' | '<=' | '=' | '!=';
export const METRIC_OPS: readonly MetricOp[] = ['>=', '<=', '!=', '>', '<', '='];

/** `auc > 0.9`: compares each run's latest value of the metric. */
export interface MetricCondition {
  metric: string;
  op: MetricOp;
  value: number;
}

export interface RunFilter {
  experiment?: string;
  status?: RunStatus | readonly RunStatus[];
  /** Every key must be set to exactly this value. */
  tags?: Record<string, string>;
  metrics?: readonly MetricCondition[];
  /** Only the runs under this run (its full id). */
  parent?: string;
}

export type SortDirection = 'asc' | 'desc';

/** Runs without the sort metric come last in either direction. */
export type RunOrder = { by: 'startTime'; direction?: SortDirection } | { by: 'metric'; metric: string; direction?: SortDirection };

export interface RunQuery extends RunFilter {
  /** Newest first when absent. */
  orderBy?: RunOrder;
  /** 100 when absent, at most 10,000. */
  limit?: number;
  /** `nextCursor` of the previous page: pages stay stable while new runs arrive. */
  cursor?: string;
  /** These params of each run on the page, in its summary's `params` (one query for the page, not a read per run). */
  params?: readonly string[];
}

export interface RunPage {
  runs: RunSummary[];
  nextCursor: string | null;
}

export interface StaleRunOptions {
  /** A run owned by another host is stale when its heartbeat is older than this; 1 hour when absent. */
  staleAfterMs?: number;
}

/** Experiments and runs: what was trained, on what, with what outcome. */
export interface Tracking {
  createExperiment(name: string): Promise<Experiment>;
  getExperiment(name: string): Promise<Experiment | undefined>;
  listExperiments(): Promise<Experiment[]>;

  createRun(run: NewRun): Promise<Run>;
  /** By full id, or by a unique prefix of at least 6 characters. */
  getRun(idOrPrefix: string): Promise<Run | undefined>;
  /**
   * A filter or sort on a metric or tag that no run has is an UnknownRunFieldError listing the known
   * ones (a typo would otherwise match nothing); a cursor this store did not hand out is a HyperplaneError.
   */
  listRuns(query?: RunQuery): Promise<RunPage>;
  countRuns(filter?: RunFilter): Promise<number>;
  /** Permanent: the run, its params, metrics, tags and artifact links. Refused while a model version comes from it. */
  deleteRun(id: string): Promise<void>;
  /** Whole runs in one transaction, in batches: thousands per second. Returns their ids. */
  importRuns(runs: readonly RunRecord[]): Promise<string[]>;

  logMetrics(runId: string, metrics: readonly MetricInput[]): Promise<void>;
  metricHistory(runId: string, name?: string): Promise<MetricPoint[]>;
  setTags(runId: string, tags: Record<string, string>): Promise<void>;
  addWarnings(runId: string, messages: readonly string[]): Promise<void>;
  /** Finished, failed and killed also set the end time. */
  setStatus(runId: string, status: RunStatus, time?: number): Promise<void>;
  heartbeat(runId: string): Promise<void>;
  /** A stopped run taken up again (a resumed search): `running`, no end time, owned by this process (or `owner`). */
  reopenRun(runId: string, owner?: RunOwner): Promise<void>;
  /** Adds a note to the run (after its others); empty, whitespace-only or over MAX_NOTE_CHARS text is refused. */
  addNote(runId: string, text: string, author: string, time?: number): Promise<RunNote>;
  /** The newest note of each of these runs that has one, by run id: one query for a listing's page. */
  latestNotes(runIds: readonly string[]): Promise<Map<string, RunNote>>;
  /** Links a stored artifact to the run under a name such as 'model'; the blob must exist. */
  attachArtifact(runId: string, name: string, sha256: string): Promise<void>;

  /**
   * Runs still `running` whose process is gone become `failed`: on this host when the pid is dead,
   * on other hosts when the heartbeat is stale. Returns their ids.
   */
  markStaleRunsFailed(options?: StaleRunOptions): Promise<string[]>;
}
