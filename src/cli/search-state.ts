import type { ReadOptions } from '../data/read/options.js';
import { HyperplaneError } from '../errors.js';
import type { Budget } from '../search/index.js';
import type { JsonValue, Run, Store } from '../store/index.js';

/** What `search` records on its run: everything a resume needs to draw the same trials and score them the same way. */
export interface SearchSettings {
  kind: 'search';
  source: string;
  read: ReadOptions;
  target: string;
  task?: 'binary' | 'multiclass' | 'regression';
  learner: string;
  strategy: 'random' | 'grid' | 'asha';
  /** The --space text, or null for the learner's declared space. */
  space: string | null;
  trials: number;
  steps: number;
  folds: number;
  /** Group k-fold on this column. */
  group?: string;
  /** One time split instead of folds. */
  time?: { column: string; cutoff: number };
  seed: number;
  budget: Budget | null;
  eta: number;
  metric: string;
  experiment: string;
}

/** The search settings recorded on a run, or an error saying why this run cannot be resumed. */
export function recordedSearch(run: Run): SearchSettings {
  const c = run.config as Record<string, JsonValue> | null;
  const ok = c !== null && typeof c === 'object' && !Array.isArray(c) && typeof c['source'] === 'string' && typeof c['learner'] === 'string' && typeof c['strategy'] === 'string' && typeof c['seed'] === 'number' && typeof c['folds'] === 'number' && run.tags['search'] !== undefined;
  if (!ok) throw new HyperplaneError(`run ${run.id} is not a search: only runs recorded by \`hyperplane search\` can be resumed`, { field: 'resume' });
  // Searches recorded before read options were kept read their data with the defaults.
  return { kind: 'search', read: {}, experiment: 'Default', ...(c as unknown as Partial<SearchSettings>) } as SearchSettings;
}

/** A trial as its run records it: its scores by budget (0 without one), or why it failed. */
export interface RecordedTrial {
  index: number;
  run: string;
  scores: Map<number, number>;
  failed?: string;
}

/**
 * The search's trials so far, from its child runs: each trial's scores are the metric points logged after each
 * evaluation ended (one evaluation cut short by a kill logged nothing), so they are exactly what was finished.
 */
export async function recordedTrials(store: Store, parent: string, metric: string): Promise<Map<number, RecordedTrial>> {
  const out = new Map<number, RecordedTrial>();
  let cursor: string | undefined;
  do {
    const page = await store.tracking.listRuns({ parent, limit: 10_000, ...(cursor !== undefined ? { cursor } : {}) });
    for (const r of page.runs) {
      if (r.tags['search_role'] !== 'trial') continue;
      const index = Number(r.tags['trial']) - 1;
      if (!Number.isInteger(index) || index < 0) continue;
      const scores = new Map<number, number>();
      for (const p of await store.tracking.metricHistory(r.id, metric)) if (!Number.isNaN(p.value)) scores.set(p.step, p.value);
      const failed = r.tags['failed'];
      out.set(index, { index, run: r.id, scores, ...(failed !== undefined ? { failed } : {}) });
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return out;
}
