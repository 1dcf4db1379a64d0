import type { Kysely } from 'kysely';
import type { ChangeOptions } from '../audit.js';
import type { Database, Dialect } from '../db/schema.js';
import type { JsonValue } from '../json.js';
import type { Deployment, Deployments } from '../serving.js';
import { checkName } from '../validate.js';
import { actorFor, writeAudit } from './audit.js';

export class SqlDeployments implements Deployments {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    /** Recorded in the audit trail for a change whose call names no actor. */
    private readonly actor: string,
  ) {}

  async put(name: string, policy: JsonValue, options?: ChangeOptions): Promise<Deployment> {
    checkName(name, 'deployment');
    const actor = actorFor(options, this.actor);
    const row = { name, policy: JSON.stringify(policy), updated_at: Date.now() };
    await this.db.transaction().execute(async (trx) => {
      // The row lock (PostgreSQL; SQLite's BEGIN IMMEDIATE locks the database) keeps 'before' the policy this put replaced.
      const previous = await trx
        .selectFrom('deployments')
        .select('policy')
        .where('name', '=', name)
        .$if(this.dialect === 'postgres', (q) => q.forUpdate())
        .executeTakeFirst();
      await trx
        .insertInto('deployments')
        .values(row)
        .onConflict((oc) => oc.column('name').doUpdateSet({ policy: row.policy, updated_at: row.updated_at }))
        .execute();
      const before = previous === undefined ? null : (JSON.parse(previous.policy) as JsonValue);
      await writeAudit(trx, { actor, action: 'deployment.put', target: name, before, after: policy });
    });
    return { name, policy, updatedAt: row.updated_at };
  }

  async get(name: string): Promise<Deployment | undefined> {
    const row = await this.db.selectFrom('deployments').selectAll().where('name', '=', name).executeTakeFirst();
    return row === undefined ? undefined : toDeployment(row);
  }

  async list(): Promise<Deployment[]> {
    return (await this.db.selectFrom('deployments').selectAll().orderBy('name').execute()).map(toDeployment);
  }

  async delete(name: string, options?: ChangeOptions): Promise<boolean> {
    const actor = actorFor(options, this.actor);
    return this.db.transaction().execute(async (trx) => {
      const gone = await trx.deleteFrom('deployments').where('name', '=', name).returning('policy').executeTakeFirst();
      if (gone === undefined) return false;
      await writeAudit(trx, { actor, action: 'deployment.delete', target: name, before: JSON.parse(gone.policy) as JsonValue, after: null });
      return true;
    });
  }
}

const toDeployment = (r: Database['deployments']): Deployment => ({ name: r.name, policy: JSON.parse(r.policy) as JsonValue, updatedAt: r.updated_at });
