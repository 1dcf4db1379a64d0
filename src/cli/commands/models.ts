import { Command } from 'commander';
import { HyperplaneError } from '../../errors.js';
import { decodePackage } from '../../pipeline/package.js';
import { modelSignature } from '../../pipeline/signature.js';
import type { JsonValue, ModelInfo, Store } from '../../store/index.js';
import { textTable } from '../render/format.js';
import { runOrFail, withStore } from '../store.js';

const when = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 16);
const metricText = (metrics: Record<string, number>): string =>
  Object.entries(metrics)
    .filter(([k]) => !k.startsWith('train_'))
    .slice(0, 4)
    .map(([k, v]) => `${k} ${Number(v.toPrecision(4))}`)
    .join(', ');

async function modelOrFail(store: Store, name: string): Promise<ModelInfo> {
  const model = await store.registry.getModel(name);
  if (model === undefined) throw new HyperplaneError(`no model named '${name}' in ${store.location}`, { field: 'model' });
  return model;
}

/** NAME@ALIAS, split. */
function aliasRef(text: string): { model: string; alias: string } {
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) throw new HyperplaneError(`'${text}': expected NAME@ALIAS, e.g. churn@production`);
  return { model: text.slice(0, at), alias: text.slice(at + 1) };
}

function versionNumber(text: string): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < 1) throw new HyperplaneError(`version '${text}': expected a version number (1, 2, …)`);
  return v;
}

/** `hyperplane models register|list|show|alias|delete`: the registry of versioned models and their aliases. */
export function modelsCommand(): Command {
  const models = new Command('models').description('the model registry: versions from runs, aliases such as production and staging');

  models
    .command('register')
    .description("make a run's model a new version of a named model")
    .argument('<run>', 'a run id or prefix')
    .requiredOption('--name <name>', 'the model to add a version to (created when new)')
    .option('--alias <alias>', 'point this alias (e.g. production) at the new version')
    .option('--description <text>', "the version's description")
    .exitOverride()
    .action(async (ref: string, flags: { name: string; alias?: string; description?: string }) => {
      await withStore(async (store) => {
        const run = await runOrFail(store, ref);
        if (run.status !== 'finished') throw new HyperplaneError(`run ${run.id} is ${run.status}, not finished: only a finished run's model can be registered`, { field: 'run' });
        // The version carries the model's schema and signature, read from its package, for serving to validate against.
        const sha = run.artifacts.find((a) => a.name === 'model')?.sha256;
        if (sha === undefined) throw new HyperplaneError(`run ${run.id} has no model to register`, { field: 'run' });
        const pkg = decodePackage(await store.artifacts.get(sha), `run ${run.id}'s model`);
        const version = await store.registry.createVersion(flags.name, {
          runId: run.id,
          schema: pkg.pipeline.schema as unknown as JsonValue,
          signature: modelSignature(pkg) as unknown as JsonValue,
          fingerprint: pkg.info.fingerprint,
          ...(flags.description !== undefined ? { description: flags.description } : {}),
        });
        process.stdout.write(`registered ${version.model}/${version.version} from run ${run.id}\n`);
        if (flags.alias !== undefined) {
          await store.registry.setAlias(version.model, flags.alias, version.version);
          process.stdout.write(`${version.model}@${flags.alias} → ${version.version}\n`);
        }
      });
    });

  models
    .command('list')
    .description('every model with its latest version and aliases')
    .option('--json', 'print as JSON')
    .exitOverride()
    .action(async (flags: { json?: boolean }) => {
      await withStore(async (store) => {
        const list = await store.registry.listModels();
        if (flags.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        else if (list.length === 0) process.stdout.write('no models registered (hyperplane models register RUN --name NAME)\n');
        else {
          const rows = list.map((m) => [m.name, m.latestVersion === null ? '–' : String(m.latestVersion), Object.entries(m.aliases).map(([a, v]) => `${a}→${v}`).join(' '), when(m.updatedAt)]);
          process.stdout.write(`${textTable(['model', 'latest', 'aliases', 'updated (UTC)'], rows, new Set([1]))}\n`);
        }
      });
    });

  models
    .command('show')
    .description("a model's versions (run, metrics, aliases) and the history of its aliases")
    .argument('<name>', 'the model')
    .option('--json', 'print as JSON')
    .exitOverride()
    .action(async (name: string, flags: { json?: boolean }) => {
      await withStore(async (store) => {
        const model = await modelOrFail(store, name);
        const versions = await store.registry.listVersions(name);
        const history = await store.registry.aliasHistory(name);
        if (flags.json) {
          process.stdout.write(`${JSON.stringify({ ...model, versions, aliasHistory: history }, null, 2)}\n`);
          return;
        }
        const lines = [`model ${model.name}${model.description !== null ? `: ${model.description}` : ''}`, ''];
        lines.push(textTable(['version', 'aliases', 'run', 'created (UTC)', 'metrics'], versions.map((v) => [String(v.version), v.aliases.join(' '), v.runId?.slice(0, 8) ?? '–', when(v.createdAt), metricText(v.metrics)]), new Set([0])));
        if (history.length > 0) {
          lines.push('', 'alias history:');
          for (const h of history) lines.push(`  ${when(h.at)}  ${h.alias}: ${h.from ?? '(new)'} → ${h.to ?? '(deleted)'}`);
        }
        process.stdout.write(`${lines.join('\n')}\n`);
      });
    });

  models
    .command('alias')
    .description('point NAME@ALIAS at a version (created or moved in one transaction), or --delete it')
    .argument('<ref>', 'NAME@ALIAS, e.g. churn@production')
    .argument('[version]', 'the version number')
    .option('--delete', 'remove the alias')
    .exitOverride()
    .action(async (refText: string, versionText: string | undefined, flags: { delete?: boolean }) => {
      const { model, alias } = aliasRef(refText);
      await withStore(async (store) => {
        await modelOrFail(store, model);
        if (flags.delete === true) {
          const move = await store.registry.deleteAlias(model, alias);
          process.stdout.write(`${model}@${alias} deleted (it pointed at ${move.from})\n`);
          return;
        }
        if (versionText === undefined) throw new HyperplaneError(`give the version ${model}@${alias} should point at (or --delete)`);
        const move = await store.registry.setAlias(model, alias, versionNumber(versionText));
        process.stdout.write(`${model}@${alias} → ${move.to}${move.from !== null ? ` (was ${move.from})` : ''}\n`);
      });
    });

  models
    .command('delete')
    .description('delete a model (all its versions and aliases), or one version (refused while an alias points at it), permanently')
    .argument('<model>', 'NAME, or NAME/N for one version')
    .option('--version <n>', 'only this version (the same as NAME/N)')
    .option('--yes', 'confirm (deleting is permanent)')
    .exitOverride()
    .action(async (ref: string, flags: { version?: string; yes?: boolean }) => {
      const slash = ref.lastIndexOf('/');
      const name = slash > 0 ? ref.slice(0, slash) : ref;
      const fromRef = slash > 0 ? versionNumber(ref.slice(slash + 1)) : undefined;
      const fromFlag = flags.version === undefined ? undefined : versionNumber(flags.version);
      if (fromRef !== undefined && fromFlag !== undefined && fromRef !== fromFlag) throw new HyperplaneError(`'${ref}' and --version ${flags.version} name different versions; give one`);
      const version = fromRef ?? fromFlag;
      await withStore(async (store) => {
        await modelOrFail(store, name);
        const what = version === undefined ? `model '${name}' and all its versions` : `${name}/${version}`;
        if (flags.yes !== true) throw new HyperplaneError(`deleting ${what} is permanent: add --yes to confirm`);
        if (version === undefined) await store.registry.deleteModel(name);
        else await store.registry.deleteVersion(name, version);
        process.stdout.write(`deleted ${what} (hyperplane gc frees blobs nothing references any more)\n`);
      });
    });

  return models;
}
