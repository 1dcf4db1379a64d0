import type { Alert, Store } from '../store/index.js';
import type { MonitorTask } from './monitor.js';
import type { MonitorConfig } from './alerts/config.js';
import { raiseAlerts } from './alerts/raise.js';
import type { AlertNotification } from './alerts/state.js';
import type { MonitorReference } from './reference.js';
import { monitorFromStore, type StoredReport } from './stored.js';
import { checkSegments, segmentsFromStore } from './segments.js';
import type { DriftOptions } from './drift.js';
import { withMultivariate } from './monitor.js';
import { multivariateDrift, type MultivariateOptions } from './multivariate.js';

/** What monitoring needs of a registered model version (pipeline/monitor-references.ts reads it from the package). */
export interface MonitoredVersion {
  model: string;
  version: number;
  reference: MonitorReference;
  task: MonitorTask;
  labels?: readonly string[];
  threshold?: number;
  /** Measured at training on held-out rows. */
  trainingMetrics: Record<string, number>;
}

export interface MonitorRunOptions {
  since: number;
  windowMs: number;
  drift?: DriftOptions;
  multivariate?: MultivariateOptions;
  /** Drift and realized quality per level of these categorical inputs, folded from the raw log (the aggregates are not split by segment). */
  segments?: readonly string[];
  /** Evaluate these rules on the report and store the alerts. */
  config?: MonitorConfig;
  now?: number;
}

export interface MonitorRun extends StoredReport {
  /** The version's firing alerts after evaluation (none without a config). */
  alerts: Alert[];
  /** Notifications due to webhooks. */
  notifications: AlertNotification[];
}

/** One monitoring pass over a model version: its report from the store and, with a config, its alerts evaluated and stored. */
export async function runMonitor(store: Pick<Store, 'monitorWindows' | 'predictions' | 'alerts'>, v: MonitoredVersion, options: MonitorRunOptions): Promise<MonitorRun> {
  const segments = [...new Set(options.segments ?? [])];
  // A column the model does not have fails before any traffic is read.
  checkSegments(v.reference, segments, `${v.model}/${v.version}`);
  const stored = await monitorFromStore(store, v.reference, {
    model: v.model,
    version: v.version,
    since: options.since,
    windowMs: options.windowMs,
    task: v.task,
    trainingMetrics: v.trainingMetrics,
    ...(options.drift !== undefined ? { drift: options.drift } : {}),
    ...(v.labels !== undefined ? { labels: v.labels } : {}),
    ...(v.threshold !== undefined ? { threshold: v.threshold } : {}),
  });
  // The domain classifier over the range and the latest windows, on the rows each window sampled.
  let report = withMultivariate(stored.report, await multivariateDrift(v.reference, stored.windows, options.multivariate));
  if (segments.length > 0) {
    const views = await segmentsFromStore(store, v.reference, segments, { model: v.model, version: v.version, since: Date.parse(report.since) }, { task: v.task, ...(v.labels !== undefined ? { labels: v.labels } : {}), ...(v.threshold !== undefined ? { threshold: v.threshold } : {}), ...(options.drift !== undefined ? { drift: options.drift } : {}) });
    report = { ...report, segments: views };
  }
  if (options.config === undefined) return { ...stored, report, alerts: [], notifications: [] };
  const { alerts, notifications } = await raiseAlerts(store, options.config, { report, reference: v.reference, ...(options.now !== undefined ? { now: options.now } : {}) });
  return { ...stored, report: { ...report, alerts }, alerts, notifications };
}
