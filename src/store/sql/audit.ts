import type { Selectable } from 'kysely';
import { HyperplaneError } from '../../errors.js';
import type { AuditEntry, AuditLog, AuditQuery, AuditRecord, ChangeOptions } from '../audit.js';
import type { Database } from '../db/schema.js';
import { fromJson, toJson } from '../json.js';
import { checkInteger, checkLimit } from '../validate.js';
import type { Db } from './run-rows.js';

const ACTION = /^[a-z][a-z0-9_.-]{0,63}$/;

/** An actor is a short printable label: `cli:alice`, `key:deployer`. */
export function checkActor(actor: string): string {
  if (typeof actor !== 'string' || actor.trim() === '' || actor.length > 200 || /[\u0000-\u001f\u007f]/.test(actor)) {
    throw new HyperplaneError(`an actor must be a non-empty, printable string of at most 200 characters, got ${JSON.stringify(actor)}`, { field: 'actor' });
  }
  return actor;
}

/** Writes one entry with `db`: the caller's transaction, so the entry commits or rolls back with the change. */
export async function writeAudit(db: Db, entry: AuditRecord): Promise<AuditEntry> {
  checkActor(entry.actor);
  if (typeof entry.action !== 'string' || !ACTION.test(entry.action)) {
    throw new HyperplaneError(`an audit action is lower case letters, digits and '._-', starting with a letter (e.g. alias.set), got ${JSON.stringify(entry.action)}`, { field: 'action' });
  }
  if (typeof entry.target !== 'string' || entry.target.length > 500) throw new HyperplaneError('an audit target is a string of at most 500 characters', { field: 'target' });
  const row = { at: Date.now(), actor: entry.actor, action: entry.action, target: entry.target, before: toJson(entry.before ?? null), after: toJson(entry.after ?? null) };
  const { id } = await db.insertInto('audit_log').values(row).returning('id').executeTakeFirstOrThrow();
  return toEntry({ id: Number(id), ...row });
}

export class SqlAuditLog implements AuditLog {
  constructor(private readonly db: Db) {}

  record(entry: AuditRecord): Promise<AuditEntry> {
    return writeAudit(this.db, entry);
  }

  async list(query: AuditQuery = {}): Promise<AuditEntry[]> {
    const limit = checkLimit(query.limit, 100, 10_000);
    let q = this.db.selectFrom('audit_log').selectAll();
    if (query.actor !== undefined) q = q.where('actor', '=', query.actor);
    if (query.action !== undefined) q = q.where('action', '=', query.action);
    if (query.target !== undefined) q = q.where('target', '=', query.target);
    if (query.since !== undefined) q = q.where('at', '>=', query.since);
    if (query.until !== undefined) q = q.where('at', '<', query.until);
    if (query.beforeId !== undefined) q = q.where('id', '<', checkInteger(query.beforeId, 'beforeId'));
    // Ids follow the order the changes were written in, whatever the clocks of the writers say.
    const rows = await q.orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toEntry);
  }
}

/** The actor a change is recorded with: the call's, else the store's. */
export const actorFor = (options: ChangeOptions | undefined, fallback: string): string => checkActor(options?.actor ?? fallback);

const toEntry = (r: Selectable<Database['audit_log']>): AuditEntry => ({
  id: Number(r.id),
  at: Number(r.at),
  actor: r.actor,
  action: r.action,
  target: r.target,
  before: fromJson(r.before),
  after: fromJson(r.after),
});
