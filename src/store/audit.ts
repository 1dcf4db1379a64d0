import type { JsonValue } from './json.js';
import type { TimeWindow } from './serving.js';

/** The changes the store records by itself, each in the transaction that makes it. */
export const AUDIT_ACTIONS = [
  'alias.set',
  'alias.delete',
  'version.delete',
  'model.delete',
  'deployment.put',
  'deployment.delete',
  'key.create',
  'key.revoke',
  'key.delete',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * Who makes a change: `cli:<os user>` from the CLI, `key:<key name>` from the server. Absent, the
 * store's own actor (`OpenStoreOptions.actor`) is recorded.
 */
export interface ChangeOptions {
  actor?: string;
}

/** One recorded change: who, what, when, and the state before and after (null: it did not exist). */
export interface AuditEntry {
  id: number;
  /** Epoch milliseconds. */
  at: number;
  actor: string;
  /** One of AUDIT_ACTIONS for the store's own records; `record` accepts others (e.g. `server.reload`). */
  action: string;
  /** What changed: `model@alias`, `model/3`, a model or deployment name, or an API key's id. */
  target: string;
  before: JsonValue | null;
  after: JsonValue | null;
}

export interface AuditRecord {
  actor: string;
  /** Lower case letters, digits and `._-`, starting with a letter: `alias.set`, `server.reload`. */
  action: string;
  target: string;
  before?: JsonValue | null;
  after?: JsonValue | null;
}

export interface AuditQuery extends TimeWindow {
  actor?: string;
  action?: string;
  target?: string;
  /** Only entries older than this one: pass the last id of a page to get the next. */
  beforeId?: number;
  /** 100 when absent, at most 10,000. */
  limit?: number;
}

/**
 * The audit trail. Alias moves, version and model deletes, deployment changes and API key changes
 * are recorded by the store itself, in the same transaction as the change, with the actor the call
 * passed (`{ actor }`) or the store's. `record` is for changes made outside the store.
 */
export interface AuditLog {
  record(entry: AuditRecord): Promise<AuditEntry>;
  /** Newest first. */
  list(query?: AuditQuery): Promise<AuditEntry[]>;
}
