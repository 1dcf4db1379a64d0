import { Command } from 'commander';
import { HyperplaneError } from '../../errors.js';
import type { ApiScope } from '../../store/index.js';
import { textTable } from '../render/format.js';
import { withStore } from '../store.js';
import { parseExpires, utcMinute } from '../when.js';

const SCOPES: readonly ApiScope[] = ['predict', 'feedback', 'read', 'admin'];
const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `hyperplane keys create|list|revoke`: API keys for the server, stored hashed. */
export function keysCommand(): Command {
  const keys = new Command('keys').description('API keys for `hyperplane serve`: once one has been created, requests need a valid key with the route’s scope (revoking them all does not open the server)');
  keys
    .command('create')
    .description('create a key and print it once (only its hash is stored)')
    .argument('<name>', 'who or what the key is for')
    .requiredOption('--scope <scope>', `${SCOPES.join(', ')} (repeatable; admin includes the others)`, collect)
    .option('--expires <when>', 'after which the key is refused: a duration (90d, 12h, 30m, 2w) or a UTC date (2027-01-31, 2027-01-31T12:00)')
    .exitOverride()
    .action(async (name: string, flags: { scope: string[]; expires?: string }) => {
      const scopes = flags.scope.flatMap((s) => s.split(',')).map((s) => s.trim());
      const wrong = scopes.find((s) => !(SCOPES as readonly string[]).includes(s));
      if (wrong !== undefined) throw new HyperplaneError(`--scope '${wrong}': expected ${SCOPES.join(', ')}`);
      const expiresAt = flags.expires === undefined ? null : parseExpires(flags.expires);
      await withStore(async (store) => {
        const { key, info } = await store.apiKeys.create(name, scopes as ApiScope[], { expiresAt });
        process.stdout.write(`${key}\n`);
        const expiry = info.expiresAt === null ? 'never expires' : `expires ${utcMinute(info.expiresAt)} UTC`;
        process.stderr.write(`key ${info.id} '${info.name}' with scope ${info.scopes.join(', ')} (${expiry}): copy it now, it is not shown again\n`);
      });
    });
  keys
    .command('list')
    .description('the keys, without their secrets')
    .exitOverride()
    .action(async () => {
      await withStore(async (store) => {
        const list = await store.apiKeys.list();
        if (list.length === 0) {
          // Auth fails closed once a key was ever made (the audit trail remembers it), deleted or not.
          const everMade = (await store.audit.list({ action: 'key.create', limit: 1 })).length > 0;
          process.stdout.write(everMade ? 'no API keys, but keys were made before: servers refuse predict and feedback until a key is made (or run serve --no-auth)\n' : 'no API keys: the server answers predict and feedback without one\n');
        }
        else {
          const now = Date.now();
          const expiry = (at: number | null): string => (at === null ? '' : `${utcMinute(at)}${at <= now ? ' (expired)' : ''}`);
          const rows = list.map((k) => [k.id, k.name, k.scopes.join(','), utcMinute(k.createdAt), expiry(k.expiresAt), k.revokedAt === null ? '' : utcMinute(k.revokedAt)]);
          process.stdout.write(`${textTable(['id', 'name', 'scopes', 'created (UTC)', 'expires (UTC)', 'revoked'], rows)}\n`);
        }
      });
    });
  keys
    .command('revoke')
    .description('revoke a key (servers stop accepting it within 10 s)')
    .argument('<id>', 'the key id (from keys list)')
    .exitOverride()
    .action(async (id: string) => {
      await withStore(async (store) => {
        if (!(await store.apiKeys.revoke(id))) throw new HyperplaneError(`no active key '${id}'`, { field: 'key' });
        process.stdout.write(`revoked ${id}\n`);
        // Auth fails closed: with no key left, servers refuse every request rather than opening again.
        if ((await store.apiKeys.list()).every((k) => k.revokedAt !== null)) process.stderr.write('no active key is left: servers now refuse predict and feedback until a key is created (or they run with serve --no-auth)\n');
      });
    });
  return keys;
}
