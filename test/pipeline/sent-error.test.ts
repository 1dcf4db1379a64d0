import { describe, expect, it } from 'vitest';
import { HyperplaneError } from '../../src/errors.js';
import { LearnError, TrainingAborted } from '../../src/learn/errors.js';
import { receiveError, sendError } from '../../src/pipeline/sent-error.js';

/** Through structured clone, as a worker thread's message or a queue job's JSON result carries it. */
const across = (e: unknown): Error => receiveError(JSON.parse(JSON.stringify(sendError(e))));

describe('errors across a thread or a queue', () => {
  it('come back as the kind raised: a learner refusal, bad input with its place, a fit the budget stopped, a bug', () => {
    expect(across(new LearnError('C must be positive'))).toBeInstanceOf(LearnError);
    const input = across(new HyperplaneError('not a number', { file: 'x.csv', line: 3, column: 'age' }));
    expect(input).toBeInstanceOf(HyperplaneError);
    expect((input as HyperplaneError).location).toEqual({ file: 'x.csv', line: 3, column: 'age' });
    // auto notes a stopped candidate as "stopped: time budget" by this class, wherever it was scored.
    expect(across(new TrainingAborted())).toBeInstanceOf(TrainingAborted);
    const bug = across(new TypeError('x is undefined'));
    expect(bug).not.toBeInstanceOf(HyperplaneError);
    expect(bug).not.toBeInstanceOf(TrainingAborted);
    expect(bug.message).toBe('x is undefined');
  });
});
