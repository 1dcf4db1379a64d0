import { Random } from '../../synth/random.js';
import type { Matrix } from '../contract.js';
import { throwIfAborted, yieldToEventLoop } from '../errors.js';
import { featureRow } from './rbf-svm-predict.js';

// The random Fourier feature map shared by the kernel learners (rbf-svm.ts, one-class-svm.ts): fit time only.

/** Milliseconds of work between yields to the event loop (where an abort is seen). */
const YIELD_MS = 20;
/** Most random-feature values cached (Float32, 4 bytes each); rows past it are recomputed on each pass. */
export const CACHE_VALUES = 64 * 1024 * 1024;

/** The RBF kernel's width as the params give it: 'scale' = 1 / (features × variance of all standardised values), 'auto' = 1 / features, or a number. */
export type Gamma = 'scale' | 'auto' | number;

/**
 * The random features' W (D × d) and b, with the standardisation folded in: W'_rj = W_rj / σ_j and
 * b'_r = b_r − Σ_j W_rj μ_j / σ_j, so W'x + b' = W x_std + b and predict needs no separate scaling.
 */
export function featureMap(X: Matrix, s: Float64Array, kernelWidth: Gamma, D: number, rng: Random): { W: Float64Array; b: Float64Array; gamma: number } {
  const { n, d, data } = X;
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += s[i]!;
    for (let j = 0; j < d; j++) mean[j] += s[i]! * data[i * d + j]!;
  }
  for (let j = 0; j < d; j++) mean[j] /= total;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const e = data[i * d + j]! - mean[j]!;
      sd[j] += s[i]! * e * e;
    }
  }
  // Variance of every standardised value (SVC's X.var() for gamma='scale'): 1 per varying column, 0 per constant one.
  let varying = 0;
  for (let j = 0; j < d; j++) {
    const v = Math.sqrt(sd[j]! / total);
    // A column constant up to rounding is left unscaled (centred to 0), as StandardScaler does.
    if (v > 1e-12 * Math.max(1, Math.abs(mean[j]!))) {
      sd[j] = v;
      varying++;
    } else sd[j] = 1;
  }
  const gamma = kernelWidth === 'scale' ? (varying > 0 ? 1 / varying : 1) : kernelWidth === 'auto' ? 1 / d : kernelWidth;
  const W = new Float64Array(D * d);
  const b = new Float64Array(D);
  const spread = Math.sqrt(2 * gamma);
  for (let r = 0; r < D; r++) {
    let shift = 2 * Math.PI * rng.uniform();
    for (let j = 0; j < d; j++) {
      const w = (spread * rng.normal()) / sd[j]!;
      W[r * d + j] = w;
      shift -= w * mean[j]!;
    }
    b[r] = shift;
  }
  return { W, b, gamma };
}

/** Yields to the event loop every few milliseconds of work, and throws there if the fit was aborted. */
export class Clock {
  private last = performance.now();
  constructor(private readonly signal: AbortSignal | undefined) {
    throwIfAborted(signal);
  }

  async tick(): Promise<void> {
    if (performance.now() - this.last < YIELD_MS) return;
    await yieldToEventLoop();
    throwIfAborted(this.signal);
    this.last = performance.now();
  }
}

/** The random features of the first rows, as many as CACHE_VALUES holds (all of them, below ~30k rows at D = 2000). */
export async function featureCache(X: Matrix, W: Float64Array, b: Float64Array, clock: Clock): Promise<Float32Array> {
  const D = b.length;
  const rows = Math.min(X.n, Math.floor(CACHE_VALUES / D));
  const Z = new Float32Array(rows * D);
  const z = new Float64Array(D);
  for (let i = 0; i < rows; i++) {
    featureRow(X.data, i * X.d, X.d, W, b, z, 0);
    Z.set(z, i * D);
    if ((i & 31) === 31) await clock.tick();
  }
  return Z;
}
