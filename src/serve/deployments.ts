import { z } from 'zod';
import { HyperplaneError } from '../errors.js';
import { decodePackage } from '../pipeline/package.js';
import type { Registry, Store } from '../store/index.js';
import { ALIAS_NAME, MODEL_NAME } from '../store/validate.js';
import type { PolicySpec } from './policies.js';

/** Large enough for any share people write (90/10, 1/1000), small enough that the weights' sum stays finite and exact. */
export const MAX_WEIGHT = 1_000_000;
/** More arms than this is a mistake, not an experiment. */
const MAX_ARMS = 32;

const NAME = new RegExp(MODEL_NAME.source.slice(1, -1));
const ALIAS = new RegExp(ALIAS_NAME.source.slice(1, -1));
const ALIAS_REF = new RegExp(`^${NAME.source}@${ALIAS.source}$`);
const VERSION_REF = new RegExp(`^${NAME.source}/[1-9][0-9]{0,8}$`);

const ref = z.string().refine((r) => ALIAS_REF.test(r) || VERSION_REF.test(r), { message: 'expected a model reference, name@alias or name/3' });
const versionRef = z.string().refine((r) => VERSION_REF.test(r), { message: 'expected a version, name/3: a bandit tallies rewards by version, and an alias can move under them' });
/**
 * A classifier's answers whose top class probability is below it are answered with `abstained: true`
 * (probabilities still given). In (0, 1]: 1 abstains on every answer short of certainty.
 */
const abstainBelow = z
  .number({ message: 'expected a probability above 0 and at most 1' })
  .finite()
  .gt(0, { message: 'expected a probability above 0 and at most 1' })
  .max(1, { message: 'expected a probability above 0 and at most 1' })
  .optional()
  .describe("Classifiers: an answer whose predicted class's probability is below this is marked abstained (0 < p ≤ 1); regression models refuse it");
const weight = z.number({ message: 'expected a number' }).finite().gt(0, { message: 'expected a weight above 0' }).max(MAX_WEIGHT, { message: `expected a weight of at most ${MAX_WEIGHT}` });

/** A traffic policy, as `hyperplane deploy` writes it and `PUT /v1/admin/deployments/NAME` takes it. */
export const policySpecSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('fixed'), ref, abstainBelow }),
    z.strictObject({ kind: z.literal('split'), arms: z.array(z.strictObject({ ref, weight })).min(2, { message: 'expected at least 2 arms' }).max(MAX_ARMS), abstainBelow }),
    z.strictObject({ kind: z.literal('shadow'), ref, shadow: ref, abstainBelow }),
    z.strictObject({ kind: z.literal('bandit'), arms: z.array(versionRef).min(2, { message: 'expected at least 2 arms' }).max(MAX_ARMS), abstainBelow }),
  ],
  { error: () => "expected 'fixed', 'split', 'shadow' or 'bandit'" },
);

/** A deployment's name is a model name: requests for /v1/models/NAME follow its policy. */
export const deploymentNameSchema = z.string().regex(MODEL_NAME, { message: "expected a model name: a letter or digit, then letters, digits, '_', '.', '-'" });

/** `policy.arms[0].weight` from zod's path. */
function fieldOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>((at, p) => (typeof p === 'number' ? `${at}[${p}]` : `${at}.${String(p)}`), 'policy');
}

/** A deployment checked: its name and policy, or a HyperplaneError naming the first field that is wrong. */
export function checkDeployment(name: unknown, policy: unknown): { name: string; spec: PolicySpec } {
  const n = deploymentNameSchema.safeParse(name);
  if (!n.success) throw new HyperplaneError(`'${String(name).slice(0, 80)}': ${n.error.issues[0]!.message}`, { field: 'deployment name' });
  if (policy === undefined) throw new HyperplaneError('missing: expected { "kind": "fixed" | "split" | "shadow" | "bandit", … }', { field: 'policy' });
  const p = policySpecSchema.safeParse(policy);
  if (!p.success) {
    const issue = p.error.issues[0]!;
    // An unknown kind is reported at the union; it is the kind that is wrong.
    const path = issue.code === 'invalid_union' && issue.path.length === 0 ? ['kind'] : issue.path;
    throw new HyperplaneError(issue.message, { field: fieldOf(path) });
  }
  const spec = p.data as PolicySpec;
  const refs = refsOf(spec);
  if (new Set(refs.map((r) => r.ref)).size !== refs.length) throw new HyperplaneError('each arm must be a different reference', { field: 'policy' });
  return { name: n.data, spec };
}

/** Every reference a policy names, with the field it came from. */
export function refsOf(spec: PolicySpec): { ref: string; field: string }[] {
  switch (spec.kind) {
    case 'fixed':
      return [{ ref: spec.ref, field: 'policy.ref' }];
    case 'shadow':
      return [
        { ref: spec.ref, field: 'policy.ref' },
        { ref: spec.shadow, field: 'policy.shadow' },
      ];
    case 'split':
      return spec.arms.map((a, i) => ({ ref: a.ref, field: `policy.arms[${i}].ref` }));
    case 'bandit':
      return spec.arms.map((ref, i) => ({ ref, field: `policy.arms[${i}]` }));
  }
}

/** Every reference must resolve in the registry now, not fail later on a server. */
export async function resolveDeployment(registry: Registry, spec: PolicySpec): Promise<void> {
  for (const { ref, field } of refsOf(spec)) {
    try {
      await registry.resolve(ref);
    } catch (e) {
      if (e instanceof HyperplaneError) throw new HyperplaneError(`'${ref}': ${e.message.replace(/^field '[^']*': /, '')}`, { field });
      throw e;
    }
  }
}

/** Why a deployment with `abstainBelow` cannot have a version: a regression model's answer is a value, with no class probability. */
export const REGRESSION_CANNOT_ABSTAIN = 'is a regression model: its answers are values with no class probability to abstain on';

/**
 * A policy with `abstainBelow` names classifiers only: each reference is resolved and its package's
 * task read now, so a regression model is refused before the deployment is stored (field `policy.abstainBelow`).
 */
export async function checkAbstention(store: Pick<Store, 'registry' | 'artifacts'>, spec: PolicySpec): Promise<void> {
  if (spec.abstainBelow === undefined) return;
  for (const { ref } of refsOf(spec)) {
    const resolved = await store.registry.resolve(ref);
    const pkg = decodePackage(await store.artifacts.get(resolved.artifact), ref);
    if (pkg.pipeline.target.task === 'regression') throw new HyperplaneError(`'${ref}' ${REGRESSION_CANNOT_ABSTAIN}`, { field: 'policy.abstainBelow' });
    if (pkg.pipeline.target.task === 'anomaly') throw new HyperplaneError(`'${ref}' is an anomaly model: its answers are flags by a score threshold, with no class probability to abstain on`, { field: 'policy.abstainBelow' });
    if (pkg.pipeline.target.task === 'cluster') throw new HyperplaneError(`'${ref}' is a clustering: its answers are clusters, with no class probability to abstain on`, { field: 'policy.abstainBelow' });
  }
}
