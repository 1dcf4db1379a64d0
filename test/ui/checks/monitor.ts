import type { Checks } from '../dashboard-suite.js';

/** the monitoring page: to be written. */
export const monitorChecks: Checks = () => {};
