import type { HeatmapData } from '../../components/heatmap';

/** The monitoring report of GET /v1/monitor/MODEL and the alerts of GET /v1/alerts, as the pages read them. */
export interface ColumnDrift {
  column: string;
  type: string;
  test: string;
  statistic: number;
  pValue?: number;
  effect: number;
  psi: number;
  drifted: boolean;
  rows: number;
}

export interface DataQuality {
  rows: number;
  invalid: number;
  outOfRange: number;
  unknownCategory: number;
  byColumn: { column: string; type: string; invalid: number; outOfRange?: number; below?: number; above?: number; unknownCategory?: number }[];
}

export interface ReportWindow {
  version: number;
  start: string;
  end: string;
  rows: number;
  dataQuality?: DataQuality;
  score?: { mean: number; p10: number; p50: number; p90: number };
  driftShare: number | null;
  drifted: string[];
  driftShareVsPrevious: number | null;
  prediction?: ColumnDrift | null;
}

export interface Quality {
  version: number;
  start: string;
  end: string;
  predictions: number;
  labelled: number;
  labelledShare: number;
  labelDelayMs?: { median: number; p90: number } | null;
  metrics: Record<string, number | null>;
  arms?: { arm: string; predictions: number; labelled: number; metrics: Record<string, number | null> }[];
}

export interface Estimated {
  version: number;
  start: string;
  end: string;
  rows: number;
  [metric: string]: number | string;
}

export interface MonitorReport {
  model: string;
  version: number;
  since: string;
  windowMs: number;
  reference: { rows: number; predictionSource?: string; metrics?: Record<string, number> } | null;
  rows: number;
  windows: ReportWindow[];
  columns: ColumnDrift[];
  driftShare: number | null;
  prediction: ColumnDrift[];
  target: ColumnDrift | null;
  quality: Quality[];
  arms: { arm: string; predictions: number; labelled: number; labelledShare: number; metrics: Record<string, number | null> }[];
  estimated: Estimated[];
  dataQuality: DataQuality | null;
  multivariate: { auc: number; threshold: number; drifted: boolean; rows: number; referenceRows: number; features: string[] } | null;
  heatmap: HeatmapData;
}

export interface Alert {
  id: string;
  model: string;
  version: number | null;
  rule: string;
  condition: string;
  state: string;
  firedAt: number;
  resolvedAt: number | null;
  updatedAt: number;
  silencedUntil: number | null;
  webhook: string | null;
  evidence: { metric: string; op: string; threshold: number; windows: { version: number; start: string; end: string; value: number | null }[] } | null;
}

