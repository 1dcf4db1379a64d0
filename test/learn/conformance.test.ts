import type { Learner, Task } from '../../src/learn/contract.js';
import { LEARNERS } from '../../src/learn/registry.js';
import { describeLearner, type ConformanceOptions } from './conformance.js';

/** Known exceptions, as data: learner → check → reason. */
const EXPECTED_FAILURES: Record<string, ConformanceOptions['expectedFailures']> = {
  forest: {
    'weights-as-duplicates': 'bootstrap draws n rows: duplicating rows changes n and so every draw, unlike a weight',
  },
};

for (const learner of LEARNERS.values()) {
  for (const task of learner.capabilities.tasks) {
    describeLearner(() => ({ learner: learner as Learner, task: task as Task, params: learner.params.parse({}) as { [key: string]: unknown } }), {
      expectedFailures: EXPECTED_FAILURES[learner.name] ?? {},
    });
  }
}
