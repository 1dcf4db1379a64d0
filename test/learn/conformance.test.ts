import type { Learner, Task } from '../../src/learn/contract.js';
import { LEARNERS } from '../../src/learn/registry.js';
import { describeLearner, type ConformanceOptions } from './conformance.js';

/** Known exceptions, as data: learner → check → reason. None so far. */
const EXPECTED_FAILURES: Record<string, ConformanceOptions['expectedFailures']> = {};

for (const learner of LEARNERS.values()) {
  for (const task of learner.capabilities.tasks) {
    describeLearner(() => ({ learner: learner as Learner, task: task as Task, params: learner.params.parse({}) as { [key: string]: unknown } }), {
      expectedFailures: EXPECTED_FAILURES[learner.name] ?? {},
    });
  }
}
