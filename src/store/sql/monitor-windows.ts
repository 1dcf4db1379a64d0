import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, Dialect } from '../db/schema.js';
import type { Leases, SegmentParts, MonitorWindows, StoredWindow, WindowPart, WindowQuery } from '../monitor-windows.js';

/** Serializes folds on PostgreSQL, where several servers' shippers fold into the same windows (SQLite has one writer anyway). */
const FOLD_LOCK = 0x68706d77; // 'hpmw'

export class SqlMonitorWindows implements MonitorWindows {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  async fold(journal: string, segments: readonly SegmentParts[], merge: (stored: string, part: string) => string): Promise<number> {
    const now = Date.now();
    return this.db.transaction().execute(async (trx) => {
      if (this.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${FOLD_LOCK})`.execute(trx);
      // A write first: on SQLite it takes the write lock before anything is read, so no read goes stale.
      await trx.insertInto('monitor_folds').values({ journal, seq: -1, at: now }).onConflict((oc) => oc.column('journal').doNothing()).execute();
      const mark = await trx.selectFrom('monitor_folds').select('seq').where('journal', '=', journal).executeTakeFirstOrThrow();
      const fresh = segments.filter((s) => s.seq > Number(mark.seq));
      if (fresh.length === 0) return 0;
      for (const part of combine(fresh.flatMap((s) => s.parts), merge)) await this.mergeInto(trx, part, merge, now);
      await trx.updateTable('monitor_folds').set({ seq: Math.max(...fresh.map((s) => s.seq)), at: now }).where('journal', '=', journal).execute();
      return fresh.length;
    });
  }

  private async mergeInto(trx: Transaction<Database>, part: WindowPart, merge: (stored: string, part: string) => string, now: number): Promise<void> {
    const key = { model: part.model, version: part.version, window_ms: part.windowMs, start: part.start };
    const stored = await trx.selectFrom('monitor_windows').select(['rows', 'aggregate']).where('model', '=', key.model).where('version', '=', key.version).where('window_ms', '=', key.window_ms).where('start', '=', key.start).executeTakeFirst();
    if (stored === undefined) {
      await trx.insertInto('monitor_windows').values({ ...key, rows: part.rows, aggregate: part.aggregate, updated_at: now }).execute();
      return;
    }
    await trx
      .updateTable('monitor_windows')
      .set({ rows: Number(stored.rows) + part.rows, aggregate: merge(stored.aggregate, part.aggregate), updated_at: now })
      .where('model', '=', key.model)
      .where('version', '=', key.version)
      .where('window_ms', '=', key.window_ms)
      .where('start', '=', key.start)
      .execute();
  }

  async list(query: WindowQuery): Promise<StoredWindow[]> {
    let q = this.db.selectFrom('monitor_windows').selectAll().where('model', '=', query.model).where('window_ms', '=', query.windowMs);
    if (query.version !== undefined) q = q.where('version', '=', query.version);
    if (query.since !== undefined) q = q.where('start', '>=', query.since);
    if (query.until !== undefined) q = q.where('start', '<', query.until);
    const rows = await q.orderBy('start').orderBy('version').execute();
    return rows.map((r) => ({ model: r.model, version: r.version, start: Number(r.start), windowMs: Number(r.window_ms), rows: Number(r.rows), aggregate: r.aggregate, updatedAt: Number(r.updated_at) }));
  }

  async watched(since: number): Promise<{ model: string; version: number }[]> {
    const rows = await this.db.selectFrom('monitor_windows').select(['model', 'version']).distinct().where('start', '>=', since).orderBy('model').orderBy('version').execute();
    return rows.map((r) => ({ model: r.model, version: r.version }));
  }

  async deleteBefore(before: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const removed = await trx.deleteFrom('monitor_windows').where(sql<boolean>`start + window_ms <= ${before}`).executeTakeFirst();
      await trx.deleteFrom('monitor_folds').where('at', '<', before).execute();
      return Number(removed.numDeletedRows);
    });
  }
}

/** Parts of one window merged first: one read and one write a window, however many segments fed it. */
function combine(parts: readonly WindowPart[], merge: (a: string, b: string) => string): WindowPart[] {
  const byKey = new Map<string, WindowPart>();
  for (const p of parts) {
    const key = `${p.model}\u0000${p.version}\u0000${p.windowMs}\u0000${p.start}`;
    const seen = byKey.get(key);
    byKey.set(key, seen === undefined ? p : { ...seen, rows: seen.rows + p.rows, aggregate: merge(seen.aggregate, p.aggregate) });
  }
  return [...byKey.values()];
}

export class SqlLeases implements Leases {
  constructor(private readonly db: Kysely<Database>) {}

  async acquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    // One statement: a free or expired lease, or the holder's own, is taken; anyone else's is left.
    const taken = await this.db
      .insertInto('leases')
      .values({ name, holder, expires_at: now + ttlMs })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({ holder, expires_at: now + ttlMs })
          .where((eb) => eb.or([eb('leases.expires_at', '<=', now), eb('leases.holder', '=', holder)])),
      )
      .returning('name')
      .executeTakeFirst();
    return taken !== undefined;
  }

  async release(name: string, holder: string): Promise<void> {
    await this.db.deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute();
  }

  async holder(name: string): Promise<{ holder: string; expiresAt: number } | undefined> {
    const row = await this.db.selectFrom('leases').select(['holder', 'expires_at']).where('name', '=', name).executeTakeFirst();
    return row === undefined || Number(row.expires_at) <= Date.now() ? undefined : { holder: row.holder, expiresAt: Number(row.expires_at) };
  }
}
