import type { Budget } from '../../search/index.js';

/** A trial as the leaderboard shows it: its best score (NaN: failed), and for ASHA the budget of that score and the largest it ran at. */
export interface ShownTrial {
  index: number;
  run: string | undefined;
  params: Record<string, unknown>;
  score: number;
  budget?: number;
  reached?: number;
  note?: string;
}

/** A finished search: its settings, the best configuration's run and the trials, best first. */
export interface ShownSearch {
  search: string | undefined;
  strategy: string;
  learner: string;
  metric: string;
  plan: string;
  rows: number;
  folds: number | null;
  /** Trials scored at once: threads here, or jobs kept on the queue. */
  threads: number;
  /** The queue the trials were jobs on (its URL), if any. */
  queue?: string;
  configurations: number;
  notRun: number;
  budget: Budget | undefined;
  best: { run: string | undefined; trial: number; params: Record<string, unknown>; score: number };
  trials: readonly ShownTrial[];
}

/** The leaderboard as `--json` prints it. */
export function searchJson(s: ShownSearch): Record<string, unknown> {
  return {
    search: s.search ?? null,
    metric: s.metric,
    folds: s.folds,
    plan: s.plan,
    strategy: s.strategy,
    threads: s.threads,
    ...(s.queue !== undefined ? { queue: s.queue } : {}),
    configurations: s.configurations,
    notRun: s.notRun,
    best: { ...s.best, run: s.best.run ?? null },
    trials: s.trials.map((r) => ({ trial: r.index + 1, run: r.run ?? null, params: r.params, score: Number.isNaN(r.score) ? null : r.score, ...(r.budget !== undefined ? { budget: r.budget, reached: r.reached } : {}), ...(r.note !== undefined ? { note: r.note } : {}) })),
  };
}

/** The leaderboard for a terminal: the first 20 trials, and how to register the best. */
export function renderSearchText(s: ShownSearch): string {
  const { budget } = s;
  const head = `${s.strategy} search of ${s.learner}: ${s.trials.length} of ${s.configurations} configurations${s.notRun > 0 ? ' (the time budget ran out)' : ''}, ${s.plan} on ${s.rows.toLocaleString('en-US')} rows, ${s.queue !== undefined ? `as jobs on the queue at ${s.queue} (${s.threads} at a time)` : `${s.threads} thread${s.threads === 1 ? '' : 's'}`}, ${s.metric}`;
  const lines = [`${head}${s.search !== undefined ? ` (search run ${s.search})` : ''}`, ''];
  lines.push(`rank  ${s.metric.padEnd(8)}  ${budget !== undefined ? `${`${budget.name} (of)`.padEnd(20)}  ` : ''}trial  params`);
  s.trials.slice(0, 20).forEach((r, i) => {
    const score = Number.isNaN(r.score) ? (r.note ?? 'failed') : r.score.toFixed(4);
    const point = Object.fromEntries(Object.entries(r.params).filter(([k]) => k !== budget?.name));
    lines.push(`${String(i + 1).padStart(4)}  ${score.padEnd(8)}  ${budget !== undefined ? `${`${r.budget ?? ''} (${r.reached ?? ''})`.padEnd(20)}  ` : ''}${String(r.index + 1).padStart(5)}  ${JSON.stringify(point)}`);
  });
  if (s.trials.length > 20) lines.push(`  … ${s.trials.length - 20} more (runs list --parent ${s.search?.slice(0, 8) ?? 'ID'})`);
  const run = s.best.run;
  lines.push('', `best: trial ${s.best.trial}, fitted on every row${run !== undefined ? ` as run ${run}; register it with: hyperplane models register ${run.slice(0, 8)} --name NAME` : ''}`);
  return `${lines.join('\n')}\n`;
}
