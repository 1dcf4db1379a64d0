import { Command } from 'commander';
import { HyperplaneError } from '../../errors.js';
import { AUDIT_ACTIONS } from '../../store/audit.js';
import type { AuditEntry, AuditQuery, JsonValue } from '../../store/index.js';
import { textTable } from '../render/format.js';
import { withStore } from '../store.js';
import { parseSince, utcMinute } from '../when.js';

// audit.js holds only types and this list: importing it does not load the store's code (Kysely, SQLite).
const ACTIONS: readonly string[] = AUDIT_ACTIONS;
const SIDE_WIDTH = 60;

interface AuditFlags {
  actor?: string;
  action?: string;
  target?: string;
  since?: string;
  until?: string;
  limit: string;
  json?: boolean;
}

/** One side of a change, short: a version number, `key=value` pairs (times as UTC minutes), or '–' for nothing. */
function side(value: JsonValue | null): string {
  if (value === null) return '–';
  if (typeof value !== 'object' || Array.isArray(value)) return JSON.stringify(value);
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'version') return String(value['version']);
  const text = Object.entries(value)
    .map(([k, v]) => `${k}=${k.endsWith('At') && typeof v === 'number' ? utcMinute(v) : v === null ? '–' : Array.isArray(v) ? v.join(',') : typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return text.length > SIDE_WIDTH ? `${text.slice(0, SIDE_WIDTH - 1)}…` : text;
}

const changeText = (e: AuditEntry): string => `${side(e.before)} → ${side(e.after)}`;

/** `hyperplane audit`: who moved an alias, changed a deployment or made or revoked a key, and when. */
export function auditCommand(): Command {
  return new Command('audit')
    .description('who changed what: alias moves, version and model deletes, deployments and API keys, newest first')
    .option('--actor <actor>', 'only changes by this actor (cli:<user>, key:<name>)')
    .option('--action <action>', `only this action (${ACTIONS.join(', ')})`)
    .option('--target <target>', 'only changes to this (model@alias, model/3, a model or deployment name, a key id)')
    .option('--since <when>', 'only changes since then: a duration ago (7d, 12h, 30m) or a UTC date (2027-01-31)')
    .option('--until <when>', 'only changes before then, as --since')
    .option('--limit <n>', 'at most this many (at most 10,000)', '50')
    .option('--json', 'print the entries as JSON')
    .exitOverride()
    .action(async (flags: AuditFlags) => {
      const limit = Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new HyperplaneError(`--limit ${flags.limit}: expected a whole number from 1 to 10,000`);
      const query: AuditQuery = {
        ...(flags.actor !== undefined ? { actor: flags.actor } : {}),
        ...(flags.action !== undefined ? { action: flags.action } : {}),
        ...(flags.target !== undefined ? { target: flags.target } : {}),
        ...(flags.since !== undefined ? { since: parseSince(flags.since) } : {}),
        ...(flags.until !== undefined ? { until: parseSince(flags.until, Date.now(), '--until') } : {}),
        limit,
      };
      await withStore(async (store) => {
        const entries = await store.audit.list(query);
        // Actions the server records itself are allowed; a misspelt one of the store's is named.
        if (entries.length === 0 && flags.action !== undefined && !ACTIONS.includes(flags.action)) {
          throw new HyperplaneError(`--action '${flags.action}': expected one of ${ACTIONS.join(', ')}`);
        }
        if (flags.json === true) process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
        else if (entries.length === 0) process.stdout.write('no audit entries match\n');
        else process.stdout.write(`${textTable(['time (UTC)', 'actor', 'action', 'target', 'change'], entries.map((e) => [utcMinute(e.at), e.actor, e.action, e.target, changeText(e)]))}\n`);
      });
    });
}
