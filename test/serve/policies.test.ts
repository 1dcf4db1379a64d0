import { describe, expect, it } from 'vitest';
import { betaSample, keyFraction, parsePolicy, policyFrom, type PolicySpec } from '../../src/serve/policies.js';

/** A seeded generator, so the statistical checks below are reproducible. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const specs: [string, PolicySpec][] = [
  ['fixed', parsePolicy('churn', 'fixed v3')],
  ['split', parsePolicy('churn', 'split v3=90,v4=10')],
  ['shadow', parsePolicy('churn', 'shadow v4')],
  ['bandit', parsePolicy('churn', 'bandit v3,v4')],
];

describe.each(specs)('the %s policy (shared suite)', (_kind, spec) => {
  const policy = policyFrom(spec);

  it('routes only to its own arms, and names every model it needs', () => {
    const random = seeded(1);
    for (let i = 0; i < 1000; i++) {
      const route = policy.choose(i % 2 === 0 ? `user-${i}` : undefined, random);
      expect(policy.refs).toContain(route.arm);
      for (const s of route.shadows) expect(policy.refs).toContain(s);
      expect(route.shadows).not.toContain(route.arm);
    }
  });

  it('is a pure function of its stored spec: a policy rebuilt from the same JSON routes a sticky key the same way', () => {
    const again = policyFrom(JSON.parse(JSON.stringify(spec)) as PolicySpec);
    if (spec.kind === 'bandit') return; // random by design; its sharing is through rewards (below)
    for (let i = 0; i < 200; i++) expect(again.choose(`k${i}`, seeded(i)).arm).toBe(policy.choose(`k${i}`, seeded(i + 1)).arm);
  });
});

describe('policies, each by what it promises', () => {
  it('parses the CLI forms into references of the model', () => {
    expect(parsePolicy('churn', 'fixed')).toEqual({ kind: 'fixed', ref: 'churn@production' });
    expect(parsePolicy('churn', 'split v3=90, 4=10')).toEqual({ kind: 'split', arms: [{ ref: 'churn/3', weight: 90 }, { ref: 'churn/4', weight: 10 }] });
    expect(parsePolicy('churn', 'shadow v4')).toEqual({ kind: 'shadow', ref: 'churn@production', shadow: 'churn/4' });
    expect(parsePolicy('churn', 'shadow staging,v4')).toEqual({ kind: 'shadow', ref: 'churn@staging', shadow: 'churn/4' });
    expect(parsePolicy('churn', 'bandit v3,v4')).toEqual({ kind: 'bandit', arms: ['churn/3', 'churn/4'] });
    expect(() => parsePolicy('churn', 'split v3')).toThrow(/expected 'fixed/);
    expect(() => parsePolicy('churn', 'split v3=x,v4=1')).toThrow(/ARM=WEIGHT/);
    expect(() => parsePolicy('churn', 'bandit production,v4')).toThrow(/bandit arms are versions/);
    expect(() => parsePolicy('churn', 'random v3')).toThrow(/expected 'fixed/);
  });

  it('split: a key always gets the same arm, and keys divide by the weights', () => {
    const policy = policyFrom(parsePolicy('churn', 'split v3=90,v4=10'));
    const random = seeded(7);
    let v4 = 0;
    for (let i = 0; i < 20_000; i++) {
      const arm = policy.choose(`user-${i}`, random).arm;
      expect(policy.choose(`user-${i}`, random).arm).toBe(arm);
      if (arm === 'churn/4') v4++;
    }
    expect(v4 / 20_000).toBeGreaterThan(0.09);
    expect(v4 / 20_000).toBeLessThan(0.11);
    expect(keyFraction('abc')).toBe(keyFraction('abc'));
  });

  it('shadow: the primary answers, the candidate always gets a copy', () => {
    const route = policyFrom(parsePolicy('churn', 'shadow v3,v4')).choose(undefined, Math.random);
    expect(route).toEqual({ arm: 'churn/3', shadows: ['churn/4'] });
  });

  it('bandit: even without evidence, and to the arm whose rewards are better with it', () => {
    const policy = policyFrom(parsePolicy('churn', 'bandit v3,v4'));
    const random = seeded(3);
    const share = (n: number): number => {
      let v4 = 0;
      for (let i = 0; i < n; i++) if (policy.choose(undefined, random).arm === 'churn/4') v4++;
      return v4 / n;
    };
    expect(Math.abs(share(4000) - 0.5)).toBeLessThan(0.05);
    policy.observe!([
      { version: 3, arm: 'churn/3', count: 100, total: 30 },
      { version: 4, arm: 'churn/4', count: 100, total: 70 },
    ]);
    expect(share(4000)).toBeGreaterThan(0.99);
  });

  it('draws Beta variates with the right mean', () => {
    const random = seeded(11);
    let sum = 0;
    for (let i = 0; i < 20_000; i++) sum += betaSample(3, 7, random);
    expect(sum / 20_000).toBeCloseTo(0.3, 2);
    let small = 0;
    for (let i = 0; i < 20_000; i++) small += betaSample(0.5, 0.5, random);
    expect(small / 20_000).toBeCloseTo(0.5, 1);
  });
});
