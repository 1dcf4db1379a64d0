import type { Series } from '../../components/chart';
import type { Point } from '../../components/curves';

/** What the run pages read: the run record of GET /v1/runs/ID and its metric histories, and helpers shared with the compare page. */
export interface Input {
  role: string;
  source: string;
  fingerprint: string;
  rows: number | null;
}

export interface Artifact {
  name: string;
  sha256: string;
  size: number | null;
  file: string;
  contentType: string;
  url: string;
  error?: string;
}

export interface ClassCurve {
  label: string;
  support?: number;
  auc?: number | null;
  ap?: number | null;
  roc?: Point[];
  pr?: Point[];
}

export interface Summary {
  target?: { name: string; task: string; labels?: string[] | null };
  learner?: string;
  params?: Record<string, unknown>;
  metric?: string;
  evaluation?: string;
  fit?: Record<string, unknown> | null;
  test?: Record<string, number | null>;
  train?: Record<string, number | null>;
  leaderboard?: { learner: string; params?: Record<string, unknown>; score: number | null; seconds?: number | null; error?: string }[];
  importance?: { column: string; importance: number }[];
  drivers?: { metric?: string; scale?: string; rows?: number; columns: { column: string; meanAbsContribution?: number | null; permutation?: { drop: number; sd: number } | null }[] } | null;
  diagnostics?: { kind: string; message: string }[];
  warnings?: string[];
  fingerprint?: string;
  curves?: Partial<Record<'roc' | 'pr' | 'calibration' | 'gain', Point[]>> | null;
  classCurves?: ClassCurve[] | null;
}

/** A lab-notebook entry; `author` as the audit trail names an actor (`cli:<os user>`). */
export interface RunNote {
  text: string;
  author: string;
  time: number;
}

export interface RunDetail {
  id: string;
  name: string;
  experiment: string | null;
  status: string;
  startTime: number;
  endTime: number | null;
  params: Record<string, unknown>;
  tags: Record<string, string>;
  metrics: Record<string, number | null>;
  inputs: Input[];
  git: { commit?: string; branch?: string | null; dirty?: boolean; remote?: string | null } | null;
  environment: { node?: string; packages?: Record<string, string>; os?: string; cpu?: string } | null;
  owner: unknown;
  /** The run this one is part of (a search's trial: the search), or null. */
  parentId?: string | null;
  warnings: string[];
  seed: number | null;
  config: unknown;
  artifacts: Artifact[];
  /** Oldest first. */
  notes: RunNote[];
  summary: Summary | null;
  summaryError?: string;
}

export interface History {
  runId: string;
  name: string;
  points: { step: number | null; value: number | null; timestamp: number }[];
}

/** A history as a series: by step, or by its place in the list when steps were not logged. */
export function historySeries(label: string, h: History): Series {
  return { label, x: h.points.map((p, i) => p.step ?? i), y: h.points.map((p) => p.value) };
}

/** `loss` and `val_loss` (or `train_auc` and `auc`) share a chart: one group per metric without its prefix. */
export function metricGroup(name: string): string {
  return name.replace(/^(val_|valid_|validation_|train_|test_)/, '');
}

export const metricPath = (runId: string, name: string): string => `/v1/runs/${encodeURIComponent(runId)}/metrics/${encodeURIComponent(name)}`;

export function statusBadge(status: string) {
  return <span class={`badge ${status === 'failed' ? 'bad' : status === 'finished' ? 'good' : ''}`}>{status}</span>;
}

