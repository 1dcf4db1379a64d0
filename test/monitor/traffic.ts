import type { MonitorReference } from '../../src/monitor/reference.js';
import { categoricalReference, numericReference } from '../../src/monitor/sketch.js';
import type { PredictionWithFeedback } from '../../src/store/serving.js';
import { Random } from '../../src/synth/random.js';

export const LABELS = ['no', 'yes'];
export const COUNTRIES = ['FR', 'DE', 'ES'];

/** A row as a client sends it: a country (one of three, in turn), an income and an age. */
export function row(rng: Random, i: number): { country: string; income: number; age: number } {
  return { country: COUNTRIES[i % 3]!, income: 50 + 10 * rng.normal(), age: 40 + 12 * rng.normal() };
}

/** The reference of 6,000 such rows, with scores drawn uniform as the traffic's are. */
export function reference(seed = 1): MonitorReference {
  const rng = new Random(seed);
  const rows = Array.from({ length: 6000 }, (_, i) => row(rng, i));
  const scores = Float64Array.from(rows, () => rng.uniform());
  return {
    version: 1,
    rows: rows.length,
    columns: {
      country: categoricalReference(rows.map((r) => r.country)),
      income: numericReference(Float64Array.from(rows, (r) => r.income)),
      age: numericReference(Float64Array.from(rows, (r) => r.age)),
    },
    prediction: { source: 'held-out', score: numericReference(scores), labels: categoricalReference(Array.from(scores, (s) => (s >= 0.5 ? 'yes' : 'no'))) },
  };
}

/** A logged answer: P(yes) drawn uniform, the label at 0.5, no feedback yet. */
export function answer(rng: Random, id: string, timestamp: number, request: Record<string, string | number>, arm?: string): PredictionWithFeedback {
  const yes = rng.uniform();
  return { id, model: 'm', version: 1, timestamp, request, response: { prediction: yes >= 0.5 ? 'yes' : 'no', probabilities: { no: 1 - yes, yes } }, latencyMs: 0.1, ...(arm !== undefined ? { arm } : {}), feedback: null };
}

/** Feedback `delayMs` after the answer: its own label when `right`, the other one otherwise. */
export function withOutcome(p: PredictionWithFeedback, right: boolean, delayMs = 60_000): PredictionWithFeedback {
  const answered = (p.response as { prediction: string }).prediction;
  return { ...p, feedback: { id: 0, outcome: right ? answered : answered === 'yes' ? 'no' : 'yes', reward: null, timestamp: p.timestamp + delayMs } };
}
