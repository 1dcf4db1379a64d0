import type { Migration, MigrationProvider } from 'kysely';
import type { Dialect } from '../db/schema.js';
import { initial } from './0001_initial.js';
import { heartbeatAndIndexes } from './0002_heartbeat_and_indexes.js';
import { auditAndKeyExpiry } from './0003_audit_and_key_expiry.js';
import { feedbackOnce } from './0004_feedback_once.js';
import { alerts } from './0005_alerts.js';
import { monitorWindows } from './0006_monitor_windows.js';
import { runParent } from './0007_run_parent.js';
import { runNotes } from './0008_run_notes.js';

/** Code, not files read at run time, so migrations work from dist/ and from a bundle. Never edit one that shipped: add the next. */
export function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001_initial': initial(dialect),
    '0002_heartbeat_and_indexes': heartbeatAndIndexes(),
    '0003_audit_and_key_expiry': auditAndKeyExpiry(dialect),
    '0004_feedback_once': feedbackOnce(dialect),
    '0005_alerts': alerts(),
    '0006_monitor_windows': monitorWindows(),
    '0007_run_parent': runParent(),
    '0008_run_notes': runNotes(dialect),
  };
}

export const LATEST_MIGRATION = '0008_run_notes';

export function migrationProvider(dialect: Dialect): MigrationProvider {
  return { getMigrations: async () => migrations(dialect) };
}
