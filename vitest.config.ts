import { defineConfig } from 'vitest/config';

const include = ['src/**/*.test.ts', 'test/**/*.test.ts'];
/**
 * Files that replace a module with vi.mock: a mock applies only where the module is loaded afresh, so these
 * run in a worker of their own. The rest share their worker's modules from file to file: loading the
 * modules again for each of ~170 files cost about a tenth of the suite's time on two cores.
 */
const ownModules = ['test/pipeline/auto-failures.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Pages and servers under a loaded CI machine can take more than expect.poll's default second to settle.
    expect: { poll: { timeout: 10_000 } },
    // CLI tests spawn the built binary; two cores are all a CI machine has.
    maxWorkers: 2,
    minWorkers: 1,
    projects: [
      { extends: true, test: { name: 'shared', include, exclude: ownModules, isolate: false } },
      { extends: true, test: { name: 'isolated', include: ownModules, isolate: true } },
    ],
  },
});
