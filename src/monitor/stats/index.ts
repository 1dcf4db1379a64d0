/** Statistics for drift between a training reference and a window of live traffic. Browser-safe: no node: imports. */
export { ksTwoSample, ksBinned, KS_EXACT_MAX_SAMPLE, type KsResult, type TestResult } from './ks.js';
export { chiSquare, chiSquareContingency, type ChiSquareResult } from './chisquare.js';
export { wassersteinDistance, wassersteinBinned } from './wasserstein.js';
export { jensenShannon, psi, PSI_EPSILON } from './divergence.js';
export { twoProportionZ } from './proportion.js';
export { chiSquareSf, erfc, kolmogorovSf, logGamma, normalSf, regularizedGammaQ } from './special.js';
export type { Numbers } from './validate.js';
