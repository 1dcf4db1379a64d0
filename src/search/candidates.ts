import type { AutoSize, Learner, Task } from '../learn/contract.js';
import { LEARNERS } from '../learn/registry.js';

export interface Candidate {
  learner: string;
  params: Record<string, unknown>;
  /** In an ensemble: this member's weight (1 by default). */
  weight?: number;
}

/**
 * What `auto` tries, from what each learner declares (`Learner.auto`): every learner that does the task,
 * its first candidate first, in rank order, so a tight time budget still compares families; then the
 * variants. The team's own candidates (rules written in the config) come right after the references:
 * with them, what ML must beat.
 */
export function candidatesFor(task: Task, size: number | AutoSize, team: readonly Candidate[] = [], learners: Iterable<Learner> = LEARNERS.values()): Candidate[] {
  const rows = typeof size === 'number' ? size : size.rows;
  const taking = [...learners].filter((l) => l.auto !== undefined && l.capabilities.tasks.includes(task)).sort((a, b) => a.auto!.rank - b.auto!.rank);
  const lists = taking.map((l) => ({ learner: l, params: typeof size === 'number' ? l.auto!.candidates(task, rows) : l.auto!.candidates(task, rows, size) }));
  const first = lists.filter((e) => e.params.length > 0).map((e): Candidate => ({ learner: e.learner.name, params: e.params[0]! }));
  const references = taking.filter((l) => l.capabilities.reference === true).length;
  const variants = lists.flatMap((e) => e.params.slice(1).map((params): Candidate => ({ learner: e.learner.name, params })));
  return [...first.slice(0, references), ...team, ...first.slice(references), ...variants];
}

/** Whether a candidate is a reference (scored, never an ensemble member unless nothing beats it). */
export function isReference(learner: string, learners: ReadonlyMap<string, Learner> = LEARNERS): boolean {
  return learners.get(learner)?.capabilities.reference === true;
}

/** The reference learner for a task (the baseline): what a model's test score is set against. */
export function referenceFor(task: Task, learners: Iterable<Learner> = LEARNERS.values()): string | undefined {
  return [...learners].find((l) => l.capabilities.reference === true && l.capabilities.tasks.includes(task))?.name;
}
