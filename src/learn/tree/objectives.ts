/**
 * Objectives only turn scores into gradients and hessians (LightGBM's objective_function seam); trees
 * only turn gradients into splits. Scores are raw margins: n values, or n × k for softmax.
 */
export interface Objective {
  name: string;
  /** Scores per row (k for softmax, 1 otherwise). */
  outputs: number;
  /** Hessians are all 1: the tree learner can skip summing them. */
  constantHessian: boolean;
  /** Bounds on |gradient| and hessian of an unweighted row, where the loss has them: fixed-point scales then need no pass over the gradients. */
  bounds?: { grad: number; hess: number };
  /** The best constant score: the start of boosting. */
  initScore(y: Float64Array, w: Float64Array | undefined): Float64Array;
  /** Gradients and hessians of rows [start, end) (all rows by default): threads each take a range. */
  gradients(y: Float64Array, scores: Float64Array, w: Float64Array | undefined, grad: Float64Array, hess: Float64Array, start?: number, end?: number): void;
  /** Mean loss, for logging and early stopping. */
  loss(y: Float64Array, scores: Float64Array, w: Float64Array | undefined): number;
  /** Scores → predictions: probabilities (n × k) or values. */
  transform(scores: Float64Array, n: number): Float64Array;
}

const weightOf = (w: Float64Array | undefined, i: number): number => (w === undefined ? 1 : w[i]!);

function weightedMean(y: Float64Array, w: Float64Array | undefined): number {
  let s = 0;
  let t = 0;
  for (let i = 0; i < y.length; i++) {
    s += weightOf(w, i) * y[i]!;
    t += weightOf(w, i);
  }
  return s / t;
}

export const binaryLogloss: Objective = {
  name: 'binary',
  outputs: 1,
  constantHessian: false,
  bounds: { grad: 1, hess: 0.25 },
  initScore(y, w) {
    const p = Math.min(Math.max(weightedMean(y, w), 1e-12), 1 - 1e-12);
    return Float64Array.of(Math.log(p / (1 - p)));
  },
  gradients(y, scores, w, grad, hess, start = 0, end = y.length) {
    // The unweighted loop apart: this runs over every row every round.
    if (w === undefined) {
      for (let i = start; i < end; i++) {
        const p = 1 / (1 + Math.exp(-scores[i]!));
        grad[i] = p - y[i]!;
        const h = p * (1 - p);
        hess[i] = h > 1e-16 ? h : 1e-16;
      }
      return;
    }
    for (let i = start; i < end; i++) {
      const p = 1 / (1 + Math.exp(-scores[i]!));
      const wi = w[i]!;
      grad[i] = wi * (p - y[i]!);
      hess[i] = wi * Math.max(p * (1 - p), 1e-16);
    }
  },
  loss(y, scores, w) {
    let s = 0;
    let t = 0;
    for (let i = 0; i < y.length; i++) {
      const z = scores[i]!;
      const wi = weightOf(w, i);
      s += wi * (Math.max(z, 0) - z * y[i]! + Math.log1p(Math.exp(-Math.abs(z))));
      t += wi;
    }
    return s / t;
  },
  transform(scores, n) {
    const out = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-scores[i]!));
      out[2 * i] = 1 - p;
      out[2 * i + 1] = p;
    }
    return out;
  },
};

export function softmax(k: number): Objective {
  return {
    name: 'multiclass',
    outputs: k,
    constantHessian: false,
    initScore(y, w) {
      const freq = new Float64Array(k);
      for (let i = 0; i < y.length; i++) freq[y[i]!] += weightOf(w, i);
      const total = freq.reduce((a, b) => a + b, 0);
      return freq.map((f) => Math.log(Math.max(f / total, 1e-12)));
    },
    gradients(y, scores, w, grad, hess, start = 0, end = y.length) {
      const n = y.length;
      const p = new Float64Array(k);
      for (let i = start; i < end; i++) {
        let max = -Infinity;
        for (let c = 0; c < k; c++) max = Math.max(max, scores[i * k + c]!);
        let sum = 0;
        for (let c = 0; c < k; c++) sum += p[c] = Math.exp(scores[i * k + c]! - max);
        const wi = weightOf(w, i);
        for (let c = 0; c < k; c++) {
          const q = p[c]! / sum;
          // Gradients laid out class-major (grad[c * n + i]) so each class's tree reads a contiguous array.
          grad[c * n + i] = wi * (q - (y[i] === c ? 1 : 0));
          hess[c * n + i] = wi * Math.max((k / (k - 1)) * q * (1 - q), 1e-16);
        }
      }
    },
    loss(y, scores, w) {
      let s = 0;
      let t = 0;
      for (let i = 0; i < y.length; i++) {
        let max = -Infinity;
        for (let c = 0; c < k; c++) max = Math.max(max, scores[i * k + c]!);
        let sum = 0;
        for (let c = 0; c < k; c++) sum += Math.exp(scores[i * k + c]! - max);
        const wi = weightOf(w, i);
        s += wi * (Math.log(sum) + max - scores[i * k + y[i]!]!);
        t += wi;
      }
      return s / t;
    },
    transform(scores, n) {
      const out = new Float64Array(n * k);
      for (let i = 0; i < n; i++) {
        let max = -Infinity;
        for (let c = 0; c < k; c++) max = Math.max(max, scores[i * k + c]!);
        let sum = 0;
        for (let c = 0; c < k; c++) sum += out[i * k + c] = Math.exp(scores[i * k + c]! - max);
        for (let c = 0; c < k; c++) out[i * k + c] /= sum;
      }
      return out;
    },
  };
}

function regression(name: string, grad: (r: number) => number, hess: (r: number) => number, loss: (r: number) => number, constantHessian: boolean, init: (y: Float64Array, w: Float64Array | undefined) => number): Objective {
  return {
    name,
    outputs: 1,
    constantHessian,
    initScore: (y, w) => Float64Array.of(init(y, w)),
    gradients(y, scores, w, g, h, start = 0, end = y.length) {
      for (let i = start; i < end; i++) {
        const r = scores[i]! - y[i]!;
        const wi = weightOf(w, i);
        g[i] = wi * grad(r);
        h[i] = wi * hess(r);
      }
    },
    loss(y, scores, w) {
      let s = 0;
      let t = 0;
      for (let i = 0; i < y.length; i++) {
        s += weightOf(w, i) * loss(scores[i]! - y[i]!);
        t += weightOf(w, i);
      }
      return s / t;
    },
    transform: (scores) => scores.slice(),
  };
}

function weightedMedian(y: Float64Array, w: Float64Array | undefined): number {
  const order = Array.from(y.keys()).sort((a, b) => y[a]! - y[b]!);
  const total = order.reduce((s, i) => s + weightOf(w, i), 0);
  let acc = 0;
  for (const i of order) {
    acc += weightOf(w, i);
    if (acc >= total / 2) return y[i]!;
  }
  return 0;
}

export const l2: Objective = regression('l2', (r) => r, () => 1, (r) => 0.5 * r * r, true, weightedMean);
/** L1: the gradient is the sign; a unit hessian makes leaves take a Newton-like step on it. */
export const l1: Objective = regression('l1', (r) => Math.sign(r), () => 1, (r) => Math.abs(r), true, weightedMedian);
export function huber(delta: number): Objective {
  return regression(
    'huber',
    (r) => (Math.abs(r) <= delta ? r : delta * Math.sign(r)),
    () => 1,
    (r) => (Math.abs(r) <= delta ? 0.5 * r * r : delta * (Math.abs(r) - 0.5 * delta)),
    true,
    weightedMedian,
  );
}

/** Poisson deviance on log-scale scores; the hessian uses exp(score + 0.7) for stability, as LightGBM does. */
export const poisson: Objective = {
  name: 'poisson',
  outputs: 1,
  constantHessian: false,
  initScore(y, w) {
    return Float64Array.of(Math.log(Math.max(weightedMean(y, w), 1e-12)));
  },
  gradients(y, scores, w, grad, hess, start = 0, end = y.length) {
    for (let i = start; i < end; i++) {
      const wi = weightOf(w, i);
      grad[i] = wi * (Math.exp(scores[i]!) - y[i]!);
      hess[i] = wi * Math.exp(scores[i]! + 0.7);
    }
  },
  loss(y, scores, w) {
    let s = 0;
    let t = 0;
    for (let i = 0; i < y.length; i++) {
      s += weightOf(w, i) * (Math.exp(scores[i]!) - y[i]! * scores[i]!);
      t += weightOf(w, i);
    }
    return s / t;
  },
  transform(scores) {
    return scores.map(Math.exp);
  },
};

/** Objectives by name, as stored in models and passed to worker threads. */
export const OBJECTIVE_NAMES = ['binary', 'multiclass', 'l2', 'l1', 'huber', 'poisson'] as const;
export type ObjectiveName = (typeof OBJECTIVE_NAMES)[number];

export function objectiveNamed(name: ObjectiveName, classes: number, huberDelta: number): Objective {
  switch (name) {
    case 'binary':
      return binaryLogloss;
    case 'multiclass':
      return softmax(classes);
    case 'l2':
      return l2;
    case 'l1':
      return l1;
    case 'huber':
      return huber(huberDelta);
    case 'poisson':
      return poisson;
  }
}
