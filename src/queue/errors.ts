import { LearnError } from '../learn/errors.js';

/** A trial whose job failed on the worker (its data unreadable, its worker lost too often): the search records it as a failed trial. */
export class TrialJobFailed extends LearnError {
  constructor(
    readonly trial: number,
    reason: string,
  ) {
    super(`the worker failed this trial: ${reason}`);
    this.name = 'TrialJobFailed';
  }
}
