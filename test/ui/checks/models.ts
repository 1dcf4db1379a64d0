import type { Checks } from '../dashboard-suite.js';

/** the models page: to be written. */
export const modelsChecks: Checks = () => {};
