import { HyperplaneError } from '../errors.js';

/** Bad input to fit or predict: the message names the row, column or parameter at fault. */
export class LearnError extends HyperplaneError {
  constructor(message: string) {
    super(message);
    this.name = 'LearnError';
  }
}

export class TrainingAborted extends Error {
  constructor() {
    super('training was aborted');
    this.name = 'AbortError';
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new TrainingAborted();
}

/** Lets pending timers and abort signals run; costs a few microseconds, so call it every few ms of work. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
