import { HyperplaneError } from '../errors.js';
import type { JsonValue, RewardTally } from '../store/index.js';
import { checkDeployment } from './deployments.js';

/**
 * A deployment's traffic policy as stored: which model references answer a request for the deployment,
 * and, for classifiers, the top class probability below which an answer is marked abstained.
 */
export type PolicySpec = (
  | { kind: 'fixed'; ref: string }
  | { kind: 'split'; arms: { ref: string; weight: number }[] }
  | { kind: 'shadow'; ref: string; shadow: string }
  | { kind: 'bandit'; arms: string[] }
) & { abstainBelow?: number };

/** Which arm answers a request, and which arms get a copy whose answers are logged, never returned. */
export interface Route {
  arm: string;
  shadows: readonly string[];
}

/** One traffic policy: picks the arm for each request; a bandit also learns from rewards. */
export interface Policy {
  readonly spec: PolicySpec;
  /** Every model reference the policy may use (loaded before it serves). */
  readonly refs: readonly string[];
  /** `key`: the request's sticky key (X-Request-Key), when it has one. */
  choose(key: string | undefined, random: () => number): Route;
  /** Rewards so far, summed per arm (from the store, so every replica agrees). */
  observe?(tallies: readonly RewardTally[]): void;
}

/** A key's place in [0, 1): FNV-1a, so the same key always lands on the same arm, on every replica. */
export function keyFraction(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 2 ** 32;
}

class Fixed implements Policy {
  readonly refs: string[];
  constructor(readonly spec: Extract<PolicySpec, { kind: 'fixed' }>) {
    this.refs = [spec.ref];
  }
  choose(): Route {
    return { arm: this.spec.ref, shadows: [] };
  }
}

class Split implements Policy {
  readonly refs: string[];
  private readonly cumulative: number[];
  constructor(readonly spec: Extract<PolicySpec, { kind: 'split' }>) {
    this.refs = spec.arms.map((a) => a.ref);
    const total = spec.arms.reduce((s, a) => s + a.weight, 0);
    let sum = 0;
    this.cumulative = spec.arms.map((a) => (sum += a.weight / total));
  }
  choose(key: string | undefined, random: () => number): Route {
    const u = key === undefined ? random() : keyFraction(key);
    const at = this.cumulative.findIndex((c) => u < c);
    return { arm: this.refs[at === -1 ? this.refs.length - 1 : at]!, shadows: [] };
  }
}

class Shadow implements Policy {
  readonly refs: string[];
  constructor(readonly spec: Extract<PolicySpec, { kind: 'shadow' }>) {
    this.refs = [spec.ref, spec.shadow];
  }
  choose(): Route {
    return { arm: this.spec.ref, shadows: [this.spec.shadow] };
  }
}

/** A standard normal draw (Box–Muller). */
function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Gamma(shape, 1) by Marsaglia and Tsang; shapes below 1 by the boost u^(1/shape). */
function gamma(shape: number, random: () => number): number {
  if (shape < 1) return gamma(shape + 1, random) * (1 - random()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normal(random);
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = 1 - random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

export function betaSample(a: number, b: number, random: () => number): number {
  const x = gamma(a, random);
  return x / (x + gamma(b, random));
}

/**
 * Thompson sampling: each arm's reward rate has a Beta(1 + rewards, 1 + misses) posterior; each
 * request goes to the arm whose posterior draw is highest, so traffic moves to the better arm as
 * evidence comes in and never quite stops exploring.
 */
class Bandit implements Policy {
  readonly refs: string[];
  private readonly wins: number[];
  private readonly losses: number[];
  constructor(readonly spec: Extract<PolicySpec, { kind: 'bandit' }>) {
    this.refs = [...spec.arms];
    this.wins = spec.arms.map(() => 0);
    this.losses = spec.arms.map(() => 0);
  }
  choose(_key: string | undefined, random: () => number): Route {
    let best = 0;
    let bestDraw = -1;
    this.refs.forEach((_, i) => {
      const draw = betaSample(1 + this.wins[i]!, 1 + this.losses[i]!, random);
      if (draw > bestDraw) {
        bestDraw = draw;
        best = i;
      }
    });
    return { arm: this.refs[best]!, shadows: [] };
  }
  observe(tallies: readonly RewardTally[]): void {
    this.refs.forEach((ref, i) => {
      const { successes, failures } = armTally(tallies, ref);
      this.wins[i] = successes;
      this.losses[i] = failures;
    });
  }
}

/** A bandit arm's rewards, summed over the versions it answered with: successes (rewards) and failures (the rest of the rewarded predictions). */
export function armTally(tallies: readonly RewardTally[], arm: string): { successes: number; failures: number } {
  const mine = tallies.filter((t) => t.arm === arm);
  const successes = mine.reduce((s, t) => s + t.total, 0);
  return { successes, failures: mine.reduce((s, t) => s + t.count, 0) - successes };
}

export function policyFrom(spec: PolicySpec): Policy {
  switch (spec.kind) {
    case 'fixed':
      return new Fixed(spec);
    case 'split':
      return new Split(spec);
    case 'shadow':
      return new Shadow(spec);
    case 'bandit':
      return new Bandit(spec);
  }
}

/** An arm as the CLI writes it, for model `name`: v3 or 3 → name/3, production or @production → name@production. */
function armRef(name: string, text: string): string {
  const t = text.trim();
  if (/^v?\d+$/.test(t)) return `${name}/${t.replace(/^v/, '')}`;
  if (/^@?[A-Za-z][\w-]*$/.test(t)) return `${name}@${t.replace(/^@/, '')}`;
  throw new HyperplaneError(`'${t}': expected a version (v3 or 3) or an alias (production) of '${name}'`, { field: 'policy' });
}

/**
 * `--policy` text for model `name`: `fixed [ARM]` (production by default), `split v3=90,v4=10`,
 * `shadow v4` (production answers, v4 gets a copy) or `shadow v3,v4`, `bandit v3,v4`.
 */
export function parsePolicy(name: string, text: string): PolicySpec {
  const [kind = '', rest = ''] = text.trim().split(/\s+(.*)/s);
  const items = rest.split(',').map((s) => s.trim()).filter((s) => s !== '');
  switch (kind) {
    case 'fixed':
      if (items.length > 1) break;
      return { kind: 'fixed', ref: armRef(name, items[0] ?? 'production') };
    case 'split': {
      if (items.length < 2) break;
      const arms = items.map((item) => {
        const [arm, weight] = item.split('=');
        const w = Number(weight);
        if (arm === undefined || weight === undefined || !(w > 0)) throw new HyperplaneError(`split arm '${item}': expected ARM=WEIGHT, e.g. v3=90`, { field: 'policy' });
        return { ref: armRef(name, arm), weight: w };
      });
      return { kind: 'split', arms };
    }
    case 'shadow':
      if (items.length === 1) return { kind: 'shadow', ref: `${name}@production`, shadow: armRef(name, items[0]!) };
      if (items.length === 2) return { kind: 'shadow', ref: armRef(name, items[0]!), shadow: armRef(name, items[1]!) };
      break;
    case 'bandit': {
      if (items.length < 2) break;
      const arms = items.map((i) => armRef(name, i));
      // Rewards are tallied by the version that answered, so a bandit's arms are versions, not aliases that move.
      if (arms.some((a) => a.includes('@'))) throw new HyperplaneError('bandit arms are versions (v3,v4): an alias can move under the rewards gathered for it', { field: 'policy' });
      return { kind: 'bandit', arms };
    }
  }
  throw new HyperplaneError(`policy '${text}': expected 'fixed [v3]', 'split v3=90,v4=10', 'shadow v4' or 'bandit v3,v4'`, { field: 'policy' });
}

/** A stored policy, checked by the schema `deploy` and the API use: what they wrote, or an error naming the deployment and the field. */
export function policySpecOf(name: string, policy: JsonValue): PolicySpec {
  try {
    return checkDeployment(name, policy).spec;
  } catch (e) {
    if (e instanceof HyperplaneError) throw new HyperplaneError(`deployment '${name}' has a policy this Hyperplane does not take: ${e.message}`);
    throw e;
  }
}
