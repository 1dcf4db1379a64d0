import type { ChangeOptions } from './audit.js';
import type { JsonValue } from './json.js';

export interface ModelInfo {
  name: string;
  description: string | null;
  createdAt: number;
  updatedAt: number;
  latestVersion: number | null;
  /** Alias → version. */
  aliases: Record<string, number>;
}

export interface NewVersion {
  /** The run it came from: its 'model' artifact and latest metrics are the defaults. */
  runId?: string;
  /** sha256 of the model package; must already be stored. */
  artifact?: string;
  metrics?: Record<string, number>;
  schema?: JsonValue;
  signature?: JsonValue;
  fingerprint?: string;
  description?: string;
}

export interface ModelVersion {
  model: string;
  version: number;
  runId: string | null;
  artifact: string;
  metrics: Record<string, number>;
  schema: JsonValue | null;
  signature: JsonValue | null;
  fingerprint: string | null;
  description: string | null;
  createdAt: number;
  aliases: string[];
}

/** One alias move; `from` is null when the alias was created, `to` when it was deleted. */
export interface AliasMove {
  model: string;
  alias: string;
  from: number | null;
  to: number | null;
  at: number;
}

/** What a model reference names: `name@alias`, `name/3`, `name/latest`, or a run id. */
export type ModelRef =
  | { kind: 'alias'; model: string; alias: string }
  | { kind: 'version'; model: string; version: number }
  | { kind: 'latest'; model: string }
  | { kind: 'run'; runId: string };

export interface ResolvedModel {
  model: string | null;
  version: number | null;
  runId: string | null;
  /** sha256 of the model package. */
  artifact: string;
}

/** Models, their numbered versions, and aliases such as production / staging / champion. */
export interface Registry {
  createModel(name: string, options?: { description?: string }): Promise<ModelInfo>;
  getModel(name: string): Promise<ModelInfo | undefined>;
  listModels(): Promise<ModelInfo[]>;
  /** Permanent: the model, its versions, aliases and their history (the audit trail keeps `model.delete`). */
  deleteModel(name: string, options?: ChangeOptions): Promise<void>;

  /** Numbered 1, 2, 3… per model in a transaction; the model is created when new. */
  createVersion(model: string, version: NewVersion): Promise<ModelVersion>;
  getVersion(model: string, version: number): Promise<ModelVersion | undefined>;
  listVersions(model: string): Promise<ModelVersion[]>;
  /** Refused while an alias points at it; its number is never reused. Audited as `version.delete`. */
  deleteVersion(model: string, version: number, options?: ChangeOptions): Promise<void>;

  /** Creates or moves the alias in a transaction, recorded in the history and audited as `alias.set`; the version's artifact must exist. */
  setAlias(model: string, alias: string, version: number, options?: ChangeOptions): Promise<AliasMove>;
  /** Audited as `alias.delete`. */
  deleteAlias(model: string, alias: string, options?: ChangeOptions): Promise<AliasMove>;
  /** Oldest first. */
  aliasHistory(model: string, alias?: string): Promise<AliasMove[]>;

  resolve(ref: string): Promise<ResolvedModel>;
}
