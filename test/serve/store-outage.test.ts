import { createServer, connect, type Server as NetServer, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Compiled, as serve runs it: the shipper is a thread started from a .js file beside it.
import { JournalLog } from '../../dist/serve/lifecycle/journal-log.js';
import { buildServer } from '../../src/serve/server.js';
import { openStore } from '../../src/store/index.js';
import { dropPgSchema, fixture, IN_TEST, missingFromLog, PG_URL, postgresUnreachable, runCli, tempDir } from '../helpers.js';

/** A TCP proxy in front of PostgreSQL that the test can take down (every connection cut) and bring back on the same port. */
class Proxy {
  private server: NetServer | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}
  async up(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => this.sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server!.address() as { port: number }).port;
  }
  async down(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

const unreachable = await postgresUnreachable();
const skip = unreachable !== undefined && process.env['CI'] !== 'true';
if (skip) console.warn(`skipping the store outage test: PostgreSQL is unreachable (${unreachable})`);


/** Every answered id in the store's log (and, given, exactly that many penguins predictions), read through a connection of its own. */
async function expectStored(uri: string, ids: readonly string[], count?: number): Promise<void> {
  const check = await openStore({ uri });
  try {
    if (count !== undefined) expect(await check.predictions.count({ model: 'penguins' })).toBe(count);
    expect((await missingFromLog(check, 'penguins', ids)).missing).toEqual([]);
  } finally {
    await check.close();
  }
}
describe.skipIf(skip)('the PostgreSQL store stopped mid-load, then back', () => {
  const schema = `hp_outage_${process.pid}`;
  const target = new URL(PG_URL);
  const proxy = new Proxy({ host: target.hostname, port: Number(target.port || 5432) });

  beforeAll(async () => {
    await proxy.up();
    // A model in the store, registered through the CLI.
    const direct = `${PG_URL}?schema=${schema}`;
    const train = runCli(['train', fixture('penguins.json'), '--target', 'Species', '--learner', 'logistic', '--json'], { cwd: tempDir(), env: { HYPERPLANE_STORE: direct } });
    expect(train.code, train.stderr).toBe(0);
    expect(runCli(['models', 'register', JSON.parse(train.stdout).run, '--name', 'penguins', '--alias', 'production'], { env: { HYPERPLANE_STORE: direct } }).code).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await dropPgSchema(schema);
  });

  it('loses no prediction and stores none twice: the journal holds the records while the store is down, and the shipper stores them when it is back', async () => {
    const viaProxy = `postgres://${target.username}@127.0.0.1:${proxy.port}${target.pathname}?schema=${schema}`;
    const direct = `${PG_URL}?schema=${schema}`;

    const store = await openStore({ uri: direct });
    // The shipper reaches the store through the proxy, which the test takes down mid-load.
    const journal = new JournalLog({ dir: tempDir('hyperplane-journal-'), storeUri: viaProxy, sync: 100, maxBytes: 1024 ** 3 });
    const server = await buildServer({ store, ...IN_TEST, reloadMs: 0, log: journal });
    const rows = JSON.parse(readFileSync(fixture('penguins.json'), 'utf8')) as object[];
    const ids: string[] = [];
    const ask = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) {
        const r = await server.app.inject({ method: 'POST', url: '/v1/models/penguins/predict', payload: rows[i % rows.length]! });
        expect(r.statusCode).toBe(200);
        ids.push(r.json().id);
      }
    };
    try {
      await ask(1000);
      await proxy.down();
      await ask(3000); // the store is gone: answers go on, their records wait in the journal on disk
      await new Promise((r) => setTimeout(r, 1500));
      const { journal: held, shipper } = journal.stats();
      expect(shipper.storeDown || shipper.lastError !== undefined).toBe(true);
      expect(held.bytes).toBeGreaterThan(0);
      await proxy.up();
      await ask(1000);
      // Stopping ships what is left but gives up at the first failure (the rest ships at the next start): on a busy
      // machine the shipper may still be in its backoff, or hold a connection the outage cut, so wait until it has
      // stored every record before stopping.
      await expect.poll(() => journal.stats().shipper.recordsShipped, { timeout: 45_000, interval: 200 }).toBe(5000);
      await journal.close();
    } finally {
      await server.close();
      await store.close();
    }
    await expectStored(direct, ids, 5000);
  }, 60_000);

  it('a server started while its store is down answers from the journal, and its shipper stores every record once the store is back', async () => {
    const viaProxy = `postgres://${target.username}@127.0.0.1:${proxy.port}${target.pathname}?schema=${schema}`;
    const direct = `${PG_URL}?schema=${schema}`;
    const store = await openStore({ uri: direct });
    await proxy.down();
    // The shipper's own connection goes through the proxy: it cannot open the store when it starts.
    const journal = new JournalLog({ dir: tempDir('hyperplane-journal-'), storeUri: viaProxy, sync: 100, maxBytes: 1024 ** 3 });
    const server = await buildServer({ store, ...IN_TEST, reloadMs: 0, log: journal });
    const rows = JSON.parse(readFileSync(fixture('penguins.json'), 'utf8')) as object[];
    const ids: string[] = [];
    try {
      for (let i = 0; i < 200; i++) {
        const r = await server.app.inject({ method: 'POST', url: '/v1/models/penguins/predict', payload: rows[i % rows.length]! });
        expect(r.statusCode).toBe(200);
        ids.push(r.json().id);
      }
      await new Promise((r) => setTimeout(r, 1000));
      expect(journal.stats().shipper.recordsShipped).toBe(0);
      await proxy.up();
      await expect.poll(() => journal.stats().shipper.recordsShipped, { timeout: 45_000, interval: 200 }).toBe(200);
      await journal.close();
    } finally {
      await server.close();
      await store.close();
    }
    await expectStored(direct, ids);
  }, 90_000);
});
