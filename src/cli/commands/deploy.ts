import { Command } from 'commander';
import { HyperplaneError } from '../../errors.js';
import { checkDeployment, resolveDeployment } from '../../serve/deployments.js';
import { parsePolicy } from '../../serve/policies.js';
import type { JsonValue } from '../../store/index.js';
import { withStore } from '../store.js';

/**
 * `hyperplane deploy NAME --policy …`: how a server answers requests for NAME. Servers pick the change
 * up on their next reload (every 2 s by default), after loading every version the policy names.
 */
export function deployCommand(): Command {
  return new Command('deploy')
    .description("set a model's traffic policy: fixed, split (sticky by X-Request-Key), shadow, or a Thompson-sampling bandit")
    .argument('[name]', 'the model (requests to /v1/models/NAME/predict follow the policy); none: list deployments')
    .option('--policy <policy>', "'fixed [v3]', 'split v3=90,v4=10', 'shadow v4' (production answers, v4 gets a copy), 'bandit v3,v4'")
    .option('--delete', 'remove the deployment (NAME then means NAME@production again)')
    .action(async (name: string | undefined, flags: { policy?: string; delete?: boolean }) => {
      await withStore(async (store) => {
        if (name === undefined) {
          const list = await store.deployments.list();
          if (list.length === 0) process.stdout.write('no deployments: a request for NAME is answered by NAME@production\n');
          for (const d of list) process.stdout.write(`${d.name}  ${JSON.stringify(d.policy)}\n`);
          return;
        }
        if (flags.delete === true) {
          if (!(await store.deployments.delete(name))) throw new HyperplaneError(`no deployment '${name}'`, { field: 'deployment' });
          process.stdout.write(`deleted deployment ${name}\n`);
          return;
        }
        if (flags.policy === undefined) {
          const d = await store.deployments.get(name);
          if (d === undefined) throw new HyperplaneError(`no deployment '${name}': give --policy to create it`, { field: 'deployment' });
          process.stdout.write(`${d.name}  ${JSON.stringify(d.policy)}\n`);
          return;
        }
        // The same checks as PUT /v1/admin/deployments/NAME: the schema, then every arm resolves now, not later on a server.
        const { spec } = checkDeployment(name, parsePolicy(name, flags.policy));
        await resolveDeployment(store.registry, spec);
        await store.deployments.put(name, spec as unknown as JsonValue);
        process.stdout.write(`${name}: ${JSON.stringify(spec)}\n`);
      });
    });
}
