import type { Checks } from '../dashboard-suite.js';

/** the deployments page: to be written. */
export const deploymentsChecks: Checks = () => {};
