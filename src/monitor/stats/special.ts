/**
 * Special functions behind the p-values of the drift tests: the regularized upper incomplete gamma
 * (chi-square tails, erfc), the normal tail and the limiting Kolmogorov distribution.
 * Written here rather than taken from a library: no maintained JS package covers them to ~1e-12.
 */

/** Relative step below which the series and the continued fraction stop. */
const CONVERGED = 1e-16;
const MAX_ITERATIONS = 10_000;
/** Stands in for 0 in the continued fraction so no denominator vanishes. */
const TINY = 1e-300;

/** Lanczos approximation (g = 7, 9 terms): ln Γ(x) to about 1e-15 relative for x > 0. */
const LANCZOS_G = 7;
const LANCZOS_COEFFICIENTS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

export function logGamma(x: number): number {
  if (x < 0.5) {
    // Reflection keeps the Lanczos sum in the range where it is accurate.
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  }
  const shifted = x - 1;
  let sum = LANCZOS_COEFFICIENTS[0];
  for (let k = 1; k < LANCZOS_COEFFICIENTS.length; k++) sum += LANCZOS_COEFFICIENTS[k] / (shifted + k);
  const t = shifted + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (shifted + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** x^a e^-x / Γ(a), in logs so large x and a neither overflow nor underflow early. */
function gammaPrefactor(a: number, x: number): number {
  return Math.exp(a * Math.log(x) - x - logGamma(a));
}

/** P(a, x) by its power series; converges fast for x < a + 1. */
function lowerGammaSeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < MAX_ITERATIONS; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * CONVERGED) break;
  }
  return sum * gammaPrefactor(a, x);
}

/**
 * Q(a, x) by its continued fraction, evaluated with the modified Lentz method; converges fast
 * for x >= a + 1 and gives Q itself, so tiny tails keep their relative accuracy.
 */
function upperGammaContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let fraction = d;
  for (let i = 1; i < MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const step = d * c;
    fraction *= step;
    if (Math.abs(step - 1) < CONVERGED) break;
  }
  return fraction * gammaPrefactor(a, x);
}

/** Regularized upper incomplete gamma Q(a, x) = Γ(a, x) / Γ(a), for a > 0 and x >= 0. */
export function regularizedGammaQ(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) throw new RangeError(`regularizedGammaQ needs a > 0 and x >= 0, got a=${a}, x=${x}`);
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  return x < a + 1 ? 1 - lowerGammaSeries(a, x) : upperGammaContinuedFraction(a, x);
}

/** P(X >= x) for X ~ chi-square with `dof` degrees of freedom. */
export function chiSquareSf(x: number, dof: number): number {
  if (x <= 0) return 1;
  return regularizedGammaQ(dof / 2, x / 2);
}

/** Complementary error function, via erfc(x) = Q(1/2, x²) for x >= 0. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const tail = regularizedGammaQ(0.5, x * x);
  return x >= 0 ? tail : 2 - tail;
}

/** P(Z > z) for a standard normal Z, accurate far into the upper tail (no 1 - cdf cancellation). */
export function normalSf(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/**
 * P(K > x) for the limiting Kolmogorov distribution K = lim sqrt(n) D_n.
 * Below x = 1 the alternating series converges slowly, so the theta-function form of the CDF is used.
 */
export function kolmogorovSf(x: number): number {
  if (!(x > 0)) return 1;
  if (x < 1) {
    const w = (Math.PI * Math.PI) / (8 * x * x);
    let cdf = 0;
    for (let k = 1; k < 50; k++) {
      const term = Math.exp(-(2 * k - 1) * (2 * k - 1) * w);
      cdf += term;
      if (term < cdf * CONVERGED) break;
    }
    return 1 - (Math.sqrt(2 * Math.PI) / x) * cdf;
  }
  let sf = 0;
  for (let k = 1; k < 100; k++) {
    const term = Math.exp(-2 * k * k * x * x);
    sf += k % 2 === 1 ? term : -term;
    if (term < Math.abs(sf) * CONVERGED) break;
  }
  return Math.min(1, Math.max(0, 2 * sf));
}
