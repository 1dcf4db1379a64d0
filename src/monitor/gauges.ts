import type { MonitorRun } from './run.js';

/** A monitoring pass in the numbers Prometheus shows per model version (and column). */
export interface MonitorGauges {
  model: string;
  version: number;
  /** Epoch ms of the pass. */
  at: number;
  rows: number;
  driftShare: number;
  columns: { column: string; effect: number; drifted: boolean }[];
  /** The prediction score's drift effect over the range. */
  predictionDrift: number | null;
  alertsFiring: number;
  /** The latest window's values: realized from outcomes, estimated by CBPE. */
  quality: { metric: string; source: 'realized' | 'estimated'; value: number }[];
}

export function monitorGauges(run: MonitorRun, at = Date.now()): MonitorGauges {
  const r = run.report;
  const quality: MonitorGauges['quality'] = [];
  const realized = [...r.quality].reverse().find((q) => q.labelled > 0);
  for (const [metric, value] of Object.entries(realized?.metrics ?? {})) quality.push({ metric, source: 'realized', value });
  const estimated = r.estimated.at(-1);
  if (estimated !== undefined) {
    quality.push({ metric: 'accuracy', source: 'estimated', value: estimated.accuracy });
    if (estimated.auc !== null) quality.push({ metric: 'auc', source: 'estimated', value: estimated.auc });
  }
  return {
    model: r.model,
    version: r.version,
    at,
    rows: r.rows,
    driftShare: r.driftShare,
    columns: r.columns.map((c) => ({ column: c.column, effect: c.effect, drifted: c.drifted })),
    predictionDrift: r.prediction[0]?.effect ?? null,
    alertsFiring: run.alerts.length,
    quality,
  };
}
