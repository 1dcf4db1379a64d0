import type { Prediction } from '../../store/serving.js';
import { columnDrift, DEFAULT_DRIFT, type ColumnDrift, type DriftOptions } from '../drift.js';
import type { MonitorReport } from '../monitor.js';
import type { MonitorReference } from '../reference.js';
import { HOUR_MS, WindowFolder } from '../window.js';
import type { RuleReport, RuleWindow } from './rule.js';

/**
 * Each column's drift in each window, which the report keeps only as the drifted names and the share:
 * column rules (`psi(income) > 0.2`) need the values. The predictions are folded again on the same
 * windows as `monitor` folds them. Once `monitor` puts `columns` on each WindowDrift this goes.
 */
export function withWindowColumns(
  report: Pick<MonitorReport, 'quality' | 'estimated'> & { windows: RuleWindow[] },
  reference: MonitorReference,
  predictions: readonly Prediction[],
  options: { windowMs?: number; drift?: DriftOptions; labels?: readonly string[] } = {},
): RuleReport {
  const folder = new WindowFolder(reference, options.labels, options.windowMs ?? HOUR_MS);
  for (const p of predictions) folder.add(p);
  const byWindow = new Map<string, ColumnDrift[]>();
  for (const w of folder.windows()) {
    const columns = Object.entries(reference.columns).map(([name, sketch]) => columnDrift(name, sketch, w.columns[name]!, options.drift ?? DEFAULT_DRIFT));
    byWindow.set(`${w.version} ${new Date(w.start).toISOString()}`, columns);
  }
  return { ...report, windows: report.windows.map((w) => ({ ...w, columns: w.columns ?? byWindow.get(`${w.version} ${w.start}`) ?? [] })) };
}
