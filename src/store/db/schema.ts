import type { Generated } from 'kysely';

/**
 * The tables as Kysely sees them. Times are epoch milliseconds (bigint), JSON is text and booleans
 * are 0/1 integers, so both databases hold the same values and the migrations stay dialect-neutral.
 */
export interface Database {
  experiments: { id: string; name: string; created_at: number };
  runs: {
    id: string;
    experiment_id: string;
    name: string;
    status: string;
    start_time: number;
    end_time: number | null;
    seed: number | null;
    config: string | null;
    git_commit: string | null;
    git_dirty: number | null;
    environment: string | null;
    pid: number | null;
    hostname: string | null;
    heartbeat_at: number | null;
    parent_id: string | null;
  };
  run_params: { run_id: string; key: string; value: string };
  run_tags: { run_id: string; key: string; value: string };
  run_metrics: { id: Generated<number>; run_id: string; name: string; value: number | null; step: number; ts: number };
  run_latest_metrics: { run_id: string; name: string; value: number | null; step: number; ts: number };
  run_inputs: { run_id: string; role: string; source: string; fingerprint: string; rows: number };
  run_warnings: { id: Generated<number>; run_id: string; ts: number; message: string };
  run_artifacts: { run_id: string; name: string; sha256: string };
  run_notes: { id: Generated<number>; run_id: string; ts: number; author: string; text: string };
  models: { name: string; description: string | null; created_at: number; updated_at: number; last_version: Generated<number> };
  model_versions: {
    model: string;
    version: number;
    run_id: string | null;
    artifact: string;
    metrics: string;
    schema: string | null;
    signature: string | null;
    fingerprint: string | null;
    description: string | null;
    created_at: number;
  };
  model_aliases: { model: string; alias: string; version: number; updated_at: number };
  alias_history: { id: Generated<number>; model: string; alias: string; from_version: number | null; to_version: number | null; at: number };
  deployments: { name: string; policy: string; updated_at: number };
  prediction_log: { id: string; model: string; version: number; ts: number; request: string; response: string; latency_ms: number; arm: string | null; request_id: string | null };
  feedback: { id: Generated<number>; prediction_id: string; outcome: string; reward: number | null; ts: number };
  api_keys: { id: string; name: string; key_hash: string; scopes: string; created_at: number; revoked_at: number | null; expires_at: number | null };
  audit_log: { id: Generated<number>; at: number; actor: string; action: string; target: string; before: string | null; after: string | null };
  alerts: {
    id: string;
    model: string;
    version: number;
    rule: string;
    condition: string;
    state: string;
    fired_at: number;
    resolved_at: number | null;
    updated_at: number;
    silenced_until: number | null;
    webhook: string | null;
    evidence: string;
  };
  monitor_windows: { model: string; version: number; window_ms: number; start: number; rows: number; aggregate: string; updated_at: number };
  monitor_folds: { journal: string; seq: number; at: number };
  leases: { name: string; holder: string; expires_at: number };
  artifact_blobs: { sha256: string; size: number; data: Uint8Array; stored_at: number };
}

export type Dialect = 'sqlite' | 'postgres';
