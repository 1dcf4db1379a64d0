import { HyperplaneError } from '../errors.js';
import type { ApiKey, AuditQuery } from '../store/index.js';

/** Who a server-made change is recorded as: the admin key that asked for it. */
export const actorOf = (key: ApiKey | undefined): string => (key === undefined ? 'server' : `key:${key.name}`);

const TEXT_FIELDS = ['actor', 'action', 'target'] as const;
const NUMBER_FIELDS = { since: 'since', until: 'until', before: 'beforeId', limit: 'limit' } as const;

/**
 * `GET /v1/admin/audit?actor=&action=&target=&since=&until=&before=&limit=`: times are epoch milliseconds,
 * `before` is the last id of the previous page. A parameter it does not know is a 400, not ignored.
 */
export function auditQuery(query: Record<string, string | undefined>): AuditQuery {
  const out: AuditQuery = {};
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if ((TEXT_FIELDS as readonly string[]).includes(name)) {
      out[name as (typeof TEXT_FIELDS)[number]] = value;
      continue;
    }
    const key = NUMBER_FIELDS[name as keyof typeof NUMBER_FIELDS];
    if (key === undefined) throw new HyperplaneError(`unknown query parameter; expected one of ${[...TEXT_FIELDS, ...Object.keys(NUMBER_FIELDS)].join(', ')}`, { field: name });
    if (!/^\d{1,15}$/.test(value)) throw new HyperplaneError(`expected a whole number, got '${value.slice(0, 40)}'`, { field: name });
    out[key] = Number(value);
  }
  return out;
}
