import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // CLI tests spawn the built binary; two cores are all a CI machine has.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
