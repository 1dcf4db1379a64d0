import type { ChangeOptions } from './audit.js';
import type { JsonValue } from './json.js';

export interface Deployment {
  name: string;
  /** The traffic policy (one alias, a split, shadow, a bandit with its state). */
  policy: JsonValue;
  updatedAt: number;
}

/** Changes are recorded in the audit trail (`deployment.put`, `deployment.delete`) with `options.actor`. */
export interface Deployments {
  /** Creates or replaces. */
  put(name: string, policy: JsonValue, options?: ChangeOptions): Promise<Deployment>;
  get(name: string): Promise<Deployment | undefined>;
  list(): Promise<Deployment[]>;
  delete(name: string, options?: ChangeOptions): Promise<boolean>;
}

export interface Prediction {
  /** Given by the server and returned to the client, which sends it back with feedback. */
  id: string;
  model: string;
  version: number;
  timestamp: number;
  request: JsonValue;
  response: JsonValue;
  latencyMs: number;
  /** The deployment policy's arm that answered ('shadow' for a shadow's copy), when a policy routed it. */
  arm?: string | null;
  /** The client's request id (X-Request-Id), to find a call's predictions. */
  requestId?: string | null;
}

/**
 * A prediction whose request and response are JSON text already: the server encodes each once, for
 * its answer and for the log, and the store keeps the text as given. It must be valid JSON (it is
 * not parsed again); it reads back as a `Prediction`.
 */
export interface EncodedPrediction extends Omit<Prediction, 'request' | 'response'> {
  requestJson: string;
  responseJson: string;
}

/** What the log takes: a prediction with its request and response as values or as JSON text. */
export type PredictionRecord = Prediction | EncodedPrediction;

export const isEncoded = (p: PredictionRecord): p is EncodedPrediction => 'requestJson' in p;

/** A record as the log reads it back: encoded text parsed. */
export function decodePrediction(p: PredictionRecord): Prediction {
  if (!isEncoded(p)) return p;
  const { requestJson, responseJson, ...rest } = p;
  return { ...rest, request: JSON.parse(requestJson) as JsonValue, response: JSON.parse(responseJson) as JsonValue };
}

export interface TimeWindow {
  /** Inclusive, epoch milliseconds. */
  since?: number;
  /** Exclusive, epoch milliseconds. */
  until?: number;
}

export interface PredictionQuery extends TimeWindow {
  model?: string;
  version?: number;
  /** The deployment arm that answered (as logged: 'churn/3', 'shadow'). */
  arm?: string;
  /** 1,000 when absent. */
  limit?: number;
  cursor?: string;
  /** listWithFeedback: only predictions with feedback. */
  labelled?: boolean;
}

/** countByWindow's rows; `arm` only when counted by arm. */
export interface WindowCount {
  start: number;
  rows: number;
  arm?: string | null;
}

export interface PredictionLog {
  /** Ids already stored are skipped, so a batch replayed after an outage is not counted twice. */
  insert(batch: readonly PredictionRecord[]): Promise<void>;
  get(id: string): Promise<Prediction | undefined>;
  /** Oldest first. */
  list(query?: PredictionQuery): Promise<{ predictions: Prediction[]; nextCursor: string | null }>;
  /** As `list`, each prediction with its latest feedback (null when none); the cursors are the same as `list`'s. */
  listWithFeedback(query?: PredictionQuery): Promise<{ predictions: PredictionWithFeedback[]; nextCursor: string | null }>;
  count(query?: Omit<PredictionQuery, 'limit' | 'cursor'>): Promise<number>;
  /**
   * Predictions per window of `windowMs` (windows start at multiples of it), oldest first; empty windows left out.
   * `byArm`: per window and arm (null: no arm), arms in order within a window.
   */
  countByWindow(query: Omit<PredictionQuery, 'limit' | 'cursor' | 'labelled'>, windowMs: number, options?: { byArm?: boolean }): Promise<WindowCount[]>;
  /** The models that have predictions in the log, by name. */
  models(): Promise<string[]>;
  /** Retention: removes entries older than `before`; returns how many. */
  deleteBefore(before: number, model?: string): Promise<number>;
}

export interface FeedbackInput {
  predictionId: string;
  /** The true outcome: a label, a number, a reward. */
  outcome: JsonValue;
  /** The outcome as a reward in [0, 1] (1: the prediction was right), when it can be scored. */
  reward?: number | null;
  timestamp?: number;
}

export interface Feedback {
  id: number;
  predictionId: string;
  outcome: JsonValue;
  reward: number | null;
  timestamp: number;
}

/** A logged prediction and the latest feedback on it: a corrected outcome replaces the first. */
export interface PredictionWithFeedback extends Prediction {
  feedback: Omit<Feedback, 'predictionId'> | null;
}

export interface FeedbackQuery extends TimeWindow {
  predictionId?: string;
  /** Feedback on this model's predictions (joined through the prediction log). */
  model?: string;
  limit?: number;
}

/** Rewards summed per version and arm of a model's logged predictions: a bandit's state, shared by every replica. */
export interface RewardTally {
  version: number;
  arm: string | null;
  count: number;
  total: number;
}

export interface FeedbackLog {
  insert(batch: readonly FeedbackInput[]): Promise<void>;
  /** Feedback with a reward, joined to the prediction log, summed by version and arm; each prediction counts once, by its latest rewarded feedback. */
  rewards(model: string, since?: number): Promise<RewardTally[]>;
  /** Oldest first. */
  list(query?: FeedbackQuery): Promise<Feedback[]>;
  deleteBefore(before: number): Promise<number>;
}

/** `read`: the dashboard's read APIs (runs, registry, deployments, predictions, monitoring); `admin` includes every scope. */
export type ApiScope = 'predict' | 'feedback' | 'read' | 'admin';
export const API_SCOPES: readonly ApiScope[] = ['predict', 'feedback', 'read', 'admin'];

export interface ApiKey {
  id: string;
  name: string;
  scopes: ApiScope[];
  createdAt: number;
  revokedAt: number | null;
  /** Epoch milliseconds from which `verify` refuses the key; null: it never expires. */
  expiresAt: number | null;
}

export interface NewKeyOptions extends ChangeOptions {
  /** Epoch milliseconds, in the future; absent or null: the key never expires. */
  expiresAt?: number | null;
}

/** Creation, revocation and deletion are recorded in the audit trail (`key.*`, target: the key's id) with `options.actor`; never the secret. */
export interface ApiKeys {
  /** The plain key is returned once; only its hash is stored. */
  create(name: string, scopes: readonly ApiScope[], options?: NewKeyOptions): Promise<{ key: string; info: ApiKey }>;
  list(): Promise<ApiKey[]>;
  revoke(id: string, options?: ChangeOptions): Promise<boolean>;
  delete(id: string, options?: ChangeOptions): Promise<boolean>;
  /** The key's record when it is valid, not revoked, not expired, and has `scope` (admin has every scope). */
  verify(key: string, scope?: ApiScope): Promise<ApiKey | undefined>;
}
