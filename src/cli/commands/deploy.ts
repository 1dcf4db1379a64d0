import { Command } from 'commander';
import { HyperplaneError, isHyperplaneError } from '../../errors.js';
import { checkAbstention, checkDeployment, resolveDeployment } from '../../serve/deployments.js';
import { parsePolicy, policySpecOf, type PolicySpec } from '../../serve/policies.js';
import type { Deployment, JsonValue } from '../../store/index.js';
import { withStore } from '../store.js';

/**
 * `hyperplane deploy NAME --policy …`: how a server answers requests for NAME. Servers pick the change
 * up on their next reload (every 2 s by default), after loading every version the policy names.
 */
export function deployCommand(): Command {
  return new Command('deploy')
    .description("set a model's traffic policy: fixed, split (sticky by X-Request-Key), shadow, or a Thompson-sampling bandit; classifiers can abstain below a top class probability")
    .argument('[name]', 'the model (requests to /v1/models/NAME/predict follow the policy); none: list deployments')
    .option('--policy <policy>', "'fixed [v3]', 'split v3=90,v4=10', 'shadow v4' (production answers, v4 gets a copy), 'bandit v3,v4'")
    .option('--abstain-below <p>', "classifiers: answers whose top class probability is below P (0 < P ≤ 1) say abstained: true, with the reason and the probabilities; 'off' removes it. Kept when only --policy changes")
    .option('--delete', 'remove the deployment (NAME then means NAME@production again)')
    .action(async (name: string | undefined, flags: { policy?: string; abstainBelow?: string; delete?: boolean }) => {
      // A bad value fails before the store is opened.
      const abstain = flags.abstainBelow === undefined ? undefined : abstainOf(flags.abstainBelow);
      await withStore(async (store) => {
        if (name === undefined) {
          const list = await store.deployments.list();
          if (list.length === 0) process.stdout.write('no deployments: a request for NAME is answered by NAME@production\n');
          for (const d of list) process.stdout.write(deploymentLine(d));
          return;
        }
        if (flags.delete === true) {
          if (!(await store.deployments.delete(name))) throw new HyperplaneError(`no deployment '${name}'`, { field: 'deployment' });
          process.stdout.write(`deleted deployment ${name}\n`);
          return;
        }
        const existing = flags.policy === undefined || abstain === undefined ? await store.deployments.get(name) : undefined;
        if (flags.policy === undefined && abstain === undefined) {
          if (existing === undefined) throw new HyperplaneError(`no deployment '${name}': give --policy to create it`, { field: 'deployment' });
          process.stdout.write(deploymentLine(existing));
          return;
        }
        // The policy given, else the deployment's (only its threshold changes), else NAME@production alone.
        let base: PolicySpec;
        if (flags.policy !== undefined) base = parsePolicy(name, flags.policy);
        else if (existing !== undefined) base = policySpecOf(name, existing.policy);
        else if (abstain === null) throw new HyperplaneError(`--abstain-below off: there is no deployment '${name}' to turn it off for`);
        else base = { kind: 'fixed', ref: `${name}@production` };
        const { abstainBelow: _kept, ...policy } = base;
        const kept = flags.policy !== undefined && existing !== undefined && abstain === undefined ? abstainFrom(name, existing) : undefined;
        const threshold = abstain === undefined ? kept : abstain;
        const wanted = threshold === null || threshold === undefined ? policy : { ...policy, abstainBelow: threshold };
        // The same checks as PUT /v1/admin/deployments/NAME: the schema, then every arm resolves now, not later on a server.
        const { spec } = checkDeployment(name, wanted);
        await resolveDeployment(store.registry, spec);
        try {
          await checkAbstention(store, spec);
        } catch (e) {
          if (isHyperplaneError(e)) throw new HyperplaneError(`--abstain-below ${flags.abstainBelow ?? spec.abstainBelow}: ${e.reason}`);
          throw e;
        }
        await store.deployments.put(name, spec as unknown as JsonValue);
        process.stdout.write(`${name}: ${JSON.stringify(spec)}\n`);
      });
    });
}

/** `--abstain-below`'s value: a probability in (0, 1], or null for 'off'. */
function abstainOf(text: string): number | null {
  if (text.trim().toLowerCase() === 'off') return null;
  const p = Number(text);
  if (text.trim() === '' || !Number.isFinite(p) || p <= 0 || p > 1) throw new HyperplaneError(`--abstain-below ${text}: expected a probability above 0 and at most 1 (the predicted class's probability, e.g. 0.7), or 'off'`);
  return p;
}

/** The threshold a stored deployment has (undefined when none, or when its policy is not one this Hyperplane reads). */
function abstainFrom(name: string, d: Deployment): number | undefined {
  try {
    return policySpecOf(name, d.policy).abstainBelow;
  } catch {
    return undefined;
  }
}

/** A deployment in the listing: its name, its policy as stored, and the threshold in words when it has one. */
function deploymentLine(d: Deployment): string {
  const p = d.policy;
  const threshold = p !== null && typeof p === 'object' && !Array.isArray(p) && typeof p['abstainBelow'] === 'number' ? `  (abstains below ${p['abstainBelow']})` : '';
  return `${d.name}  ${JSON.stringify(d.policy)}${threshold}\n`;
}
