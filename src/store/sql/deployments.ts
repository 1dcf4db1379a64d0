import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { JsonValue } from '../json.js';
import type { Deployment, Deployments } from '../serving.js';
import { checkName } from '../validate.js';

export class SqlDeployments implements Deployments {
  constructor(private readonly db: Kysely<Database>) {}

  async put(name: string, policy: JsonValue): Promise<Deployment> {
    checkName(name, 'deployment');
    const row = { name, policy: JSON.stringify(policy), updated_at: Date.now() };
    await this.db
      .insertInto('deployments')
      .values(row)
      .onConflict((oc) => oc.column('name').doUpdateSet({ policy: row.policy, updated_at: row.updated_at }))
      .execute();
    return { name, policy, updatedAt: row.updated_at };
  }

  async get(name: string): Promise<Deployment | undefined> {
    const row = await this.db.selectFrom('deployments').selectAll().where('name', '=', name).executeTakeFirst();
    return row === undefined ? undefined : toDeployment(row);
  }

  async list(): Promise<Deployment[]> {
    return (await this.db.selectFrom('deployments').selectAll().orderBy('name').execute()).map(toDeployment);
  }

  async delete(name: string): Promise<boolean> {
    const result = await this.db.deleteFrom('deployments').where('name', '=', name).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}

const toDeployment = (r: Database['deployments']): Deployment => ({ name: r.name, policy: JSON.parse(r.policy) as JsonValue, updatedAt: r.updated_at });
