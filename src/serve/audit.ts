import { HyperplaneError } from '../errors.js';
import type { ApiKey, AuditQuery } from '../store/index.js';
import { auditQuerySchema } from './schemas/requests.js';

/** Who a server-made change is recorded as: the admin key that asked for it. */
export const actorOf = (key: ApiKey | undefined): string => (key === undefined ? 'server' : `key:${key.name}`);

/**
 * `GET /v1/admin/audit?actor=&action=&target=&since=&until=&before=&limit=`, by the schema the document's
 * query parameters are generated from: times are epoch milliseconds, `before` is the last id of the
 * previous page. A parameter it does not know is a 400, not ignored.
 */
export function auditQuery(query: Record<string, string | undefined>): AuditQuery {
  const parsed = auditQuerySchema.safeParse(query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') throw new HyperplaneError(`unknown query parameter; expected one of ${Object.keys(auditQuerySchema.shape).join(', ')}`, { field: issue.keys[0]! });
    throw new HyperplaneError(issue.message, { field: String(issue.path[0]) });
  }
  const { before, ...rest } = parsed.data;
  const out: AuditQuery = {};
  for (const [key, value] of Object.entries({ ...rest, beforeId: before })) if (value !== undefined) Object.assign(out, { [key]: value });
  return out;
}
