import { HyperplaneError, type InputLocation } from '../errors.js';
import { LearnError, TrainingAborted } from '../learn/errors.js';

/** An error as it crosses a thread: its kind, so the caller can tell bad input from a learner's refusal, a fit the budget stopped and a bug. */
export interface SentError {
  kind: 'learn' | 'input' | 'aborted' | 'bug';
  message: string;
  reason?: string;
  location?: InputLocation;
  stack?: string;
}

export function sendError(e: unknown): SentError {
  if (e instanceof TrainingAborted) return { kind: 'aborted', message: e.message };
  if (e instanceof LearnError) return { kind: 'learn', message: e.message };
  if (e instanceof HyperplaneError) return { kind: 'input', message: e.message, reason: e.reason, location: e.location };
  return { kind: 'bug', message: e instanceof Error ? e.message : String(e), ...(e instanceof Error && e.stack !== undefined ? { stack: e.stack } : {}) };
}

/** A sent error as the thread or worker that caught it would have raised it here. */
export function receiveError(e: SentError): Error {
  if (e.kind === 'learn') return new LearnError(e.message);
  if (e.kind === 'input') return new HyperplaneError(e.reason ?? e.message, e.location ?? {});
  if (e.kind === 'aborted') return new TrainingAborted();
  const error = new Error(e.message);
  if (e.stack !== undefined) error.stack = e.stack;
  return error;
}
