import type { Checks } from '../dashboard-suite.js';

/** the predictions page: to be written. */
export const predictionsChecks: Checks = () => {};
