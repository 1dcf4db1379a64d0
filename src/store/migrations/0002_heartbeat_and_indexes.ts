import type { Kysely, Migration } from 'kysely';

/** Heartbeats tell a dead run on another host from a slow one; the indexes keep listing fast at 10,000+ runs. */
export function heartbeatAndIndexes(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const s = db.schema;
      await s.alterTable('runs').addColumn('heartbeat_at', 'bigint').execute();
      await s.createIndex('runs_experiment_start').on('runs').columns(['experiment_id', 'start_time']).execute();
      await s.createIndex('runs_start').on('runs').column('start_time').execute();
      await s.createIndex('runs_status').on('runs').column('status').execute();
      await s.createIndex('run_tags_key_value').on('run_tags').columns(['key', 'value']).execute();
      await s.createIndex('run_latest_metrics_name_value').on('run_latest_metrics').columns(['name', 'value']).execute();
      await s.createIndex('run_inputs_fingerprint').on('run_inputs').column('fingerprint').execute();
      await s.createIndex('run_artifacts_sha256').on('run_artifacts').column('sha256').execute();
      await s.createIndex('model_versions_run').on('model_versions').column('run_id').execute();
      await s.createIndex('model_versions_artifact').on('model_versions').column('artifact').execute();
      await s.createIndex('prediction_log_model_ts').on('prediction_log').columns(['model', 'ts']).execute();
      await s.createIndex('prediction_log_ts').on('prediction_log').column('ts').execute();
      await s.createIndex('feedback_prediction').on('feedback').column('prediction_id').execute();
      await s.createIndex('feedback_ts').on('feedback').column('ts').execute();
    },
  };
}
