/**
 * Alerts raised by monitoring rules. One row per episode of a rule on a model version: it opens firing
 * and ends resolved; the next time the rule holds a new row opens, so the history stays.
 */
export const ALERT_STATES = ['firing', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** What made a rule hold (or clear): the value of its metric in each of the windows it looked at. */
export interface AlertEvidence {
  metric: string;
  op: string;
  threshold: number;
  /** The last N windows of the report, oldest first; null where the window had no value (no labelled rows, say). */
  windows: { version: number; start: string; end: string; value: number | null }[];
}

export interface Alert {
  id: string;
  model: string;
  version: number;
  /** The rule's name (its `when` text unless named). */
  rule: string;
  /** The rule's condition as written, kept with the alert so a renamed or edited rule does not rewrite history. */
  condition: string;
  state: AlertState;
  firedAt: number;
  resolvedAt: number | null;
  /** When an evaluation last looked at it. */
  updatedAt: number;
  /** No notification is due before then; evaluation goes on. */
  silencedUntil: number | null;
  /** The name of the webhook to notify (from the config), if any. */
  webhook: string | null;
  evidence: AlertEvidence;
}

export interface AlertQuery {
  model?: string;
  /** Resolved alerts too (default: firing only). */
  all?: boolean;
  limit?: number;
}

export interface AlertStore {
  /** Inserts new alerts and updates known ones (by id), in one transaction. */
  save(alerts: readonly Alert[]): Promise<void>;
  /** The newest alert of each rule of a model version: what the next evaluation continues from. */
  latest(model: string, version: number): Promise<Alert[]>;
  /** Newest first. */
  list(query?: AlertQuery): Promise<Alert[]>;
  get(id: string): Promise<Alert | undefined>;
  /** Silences an alert until a time; undefined when there is no such alert. */
  silence(id: string, until: number): Promise<Alert | undefined>;
}
