import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/serve/server.js';
import { openStore } from '../../src/store/index.js';
import { dropPgSchema, fixture, IN_TEST, PG_URL, postgresUnreachable, runCli, tempDir } from '../helpers.js';

const unreachable = await postgresUnreachable();
const skip = unreachable !== undefined && process.env['CI'] !== 'true';
if (skip) console.warn(`skipping the LISTEN/NOTIFY test: PostgreSQL is unreachable (${unreachable})`);

describe.skipIf(skip)('hot reload on PostgreSQL by LISTEN/NOTIFY', () => {
  const schema = `hp_listen_${process.pid}`;
  const uri = `${PG_URL}?schema=${schema}`;
  afterAll(async () => {
    await dropPgSchema(schema);
  });

  it('swaps in the version an alias moves to, with polling off, as soon as another process moves it', async () => {
    const env = { HYPERPLANE_STORE: uri };
    const register = (learner: string, alias?: string): void => {
      const train = runCli(['train', fixture('penguins.json'), '--target', 'Species', '--learner', learner, '--json'], { cwd: tempDir(), env });
      expect(train.code, train.stderr).toBe(0);
      const r = runCli(['models', 'register', JSON.parse(train.stdout).run, '--name', 'penguins', ...(alias !== undefined ? ['--alias', alias] : [])], { env });
      expect(r.code, r.stderr).toBe(0);
    };
    register('logistic', 'production');
    register('baseline');
    const store = await openStore({ uri });
    const server = await buildServer({ store, ...IN_TEST, reloadMs: 0, listen: uri });
    const row = (JSON.parse(readFileSync(fixture('penguins.json'), 'utf8')) as object[])[0]!;
    const version = async (): Promise<number> => (await server.app.inject({ method: 'POST', url: '/v1/models/penguins/predict', payload: row })).json().version;
    try {
      expect(await version()).toBe(1);
      // Another process moves the alias; no poll runs, so only the notification can bring version 2 in.
      expect(runCli(['models', 'alias', 'penguins@production', '2'], { env }).code).toBe(0);
      const until = Date.now() + 10_000;
      while ((await version()) !== 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect(await version()).toBe(2);
    } finally {
      await server.close();
      await store.close();
    }
  });
});
