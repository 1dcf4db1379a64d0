import { describe, it } from 'vitest';
import { PG_URL, postgresHarness, postgresUnreachable } from './harness.js';
import { describeStore } from './store-suite.js';

const unreachable = await postgresUnreachable();
if (unreachable === undefined) {
  describeStore(postgresHarness());
} else if (process.env['CI'] === 'true') {
  // CI has PostgreSQL: its absence is a failure, never a silent skip.
  describe('store on PostgreSQL', () => {
    it('reaches the test database', () => {
      throw new Error(`PostgreSQL at ${PG_URL} is unreachable: ${unreachable}`);
    });
  });
} else {
  console.warn(`skipping the PostgreSQL store suite: ${PG_URL} is unreachable (${unreachable}); set HYPERPLANE_TEST_PG to point at one`);
  describe.skip('store on PostgreSQL (unreachable)', () => {
    it('runs the shared suite', () => undefined);
  });
}
