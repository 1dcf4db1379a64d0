import type { Alert, Store } from '../../store/index.js';
import type { MonitorReport } from '../monitor.js';
import type { MonitorReference } from '../reference.js';
import type { MonitorConfig } from './config.js';
import { evaluateAlerts, type AlertNotification } from './state.js';

export interface RaiseInput {
  report: MonitorReport;
  reference: MonitorReference;
  now?: number;
}

/**
 * Evaluates the config's rules on a report, continuing from the alerts stored for its model version, and
 * stores the result. Gives the version's firing alerts (what the report's `alerts` carries) and the
 * notifications due, for the webhooks.
 */
export async function raiseAlerts(store: Pick<Store, 'alerts'>, config: MonitorConfig, input: RaiseInput): Promise<{ alerts: Alert[]; notifications: AlertNotification[] }> {
  const { report } = input;
  const previous = await store.alerts.latest(report.model, report.version);
  const result = evaluateAlerts({ model: report.model, version: report.version, rules: config.alerts, report, columns: Object.keys(input.reference.columns), previous, now: input.now ?? Date.now() });
  await store.alerts.save(result.alerts);
  const firing = (await store.alerts.latest(report.model, report.version)).filter((a) => a.state === 'firing');
  return { alerts: firing, notifications: result.notifications };
}
