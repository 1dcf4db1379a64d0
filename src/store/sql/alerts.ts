import type { Kysely } from 'kysely';
import type { Alert, AlertEvidence, AlertQuery, AlertState, AlertStore } from '../alerts.js';
import type { Database } from '../db/schema.js';

type Row = Database['alerts'];

export class SqlAlertStore implements AlertStore {
  constructor(private readonly db: Kysely<Database>) {}

  async save(alerts: readonly Alert[]): Promise<void> {
    if (alerts.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      // Resolutions first: a rule's resolved episode must leave the one-firing index before a new one of the same rule opens.
      const ordered = [...alerts].sort((a, b) => Number(a.state === 'firing') - Number(b.state === 'firing'));
      for (const alert of ordered) {
        const row = toRow(alert);
        await trx
          .insertInto('alerts')
          .values(row)
          .onConflict((oc) => oc.column('id').doUpdateSet({ state: row.state, resolved_at: row.resolved_at, updated_at: row.updated_at, silenced_until: row.silenced_until, webhook: row.webhook, evidence: row.evidence }))
          .execute();
      }
    });
  }

  async latest(model: string, version: number): Promise<Alert[]> {
    const rows = await this.db.selectFrom('alerts').selectAll().where('model', '=', model).where('version', '=', version).orderBy('fired_at', 'desc').orderBy('id', 'desc').execute();
    const newest = new Map<string, Row>();
    for (const r of rows) if (!newest.has(r.rule)) newest.set(r.rule, r);
    return [...newest.values()].map(toAlert);
  }

  async list(query: AlertQuery = {}): Promise<Alert[]> {
    let q = this.db.selectFrom('alerts').selectAll();
    if (query.model !== undefined) q = q.where('model', '=', query.model);
    if (query.all !== true) q = q.where('state', '=', 'firing');
    const rows = await q.orderBy('fired_at', 'desc').orderBy('id', 'desc').limit(query.limit ?? 1000).execute();
    return rows.map(toAlert);
  }

  async get(id: string): Promise<Alert | undefined> {
    const row = await this.db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toAlert(row);
  }

  async silence(id: string, until: number): Promise<Alert | undefined> {
    const row = await this.db.updateTable('alerts').set({ silenced_until: until }).where('id', '=', id).returningAll().executeTakeFirst();
    return row === undefined ? undefined : toAlert(row);
  }
}

const toRow = (a: Alert): Row => ({
  id: a.id,
  model: a.model,
  version: a.version,
  rule: a.rule,
  condition: a.condition,
  state: a.state,
  fired_at: a.firedAt,
  resolved_at: a.resolvedAt,
  updated_at: a.updatedAt,
  silenced_until: a.silencedUntil,
  webhook: a.webhook,
  evidence: JSON.stringify(a.evidence),
});

const toAlert = (r: Row): Alert => ({
  id: r.id,
  model: r.model,
  version: r.version,
  rule: r.rule,
  condition: r.condition,
  state: r.state as AlertState,
  firedAt: r.fired_at,
  resolvedAt: r.resolved_at,
  updatedAt: r.updated_at,
  silencedUntil: r.silenced_until,
  webhook: r.webhook,
  evidence: JSON.parse(r.evidence) as AlertEvidence,
});
