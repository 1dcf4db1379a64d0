/**
 * A seeded store and a server on it, to look at the dashboard by hand or take its screenshots:
 *   npx jiti test/ui/dev-server.ts [DIR] [PORT]
 * DIR (default a new temp folder) keeps the SQLite store; an existing one is served as it is.
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServer } from '../../src/serve/server.js';
import { openStore } from '../../src/store/index.js';
import { seedDashboard } from './seed.js';

const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'hyperplane-ui-'));
const port = Number(process.argv[3] ?? 8090);
mkdirSync(dir, { recursive: true });
const uri = `sqlite:${join(dir, 'hyperplane.db')}`;
if (!existsSync(join(dir, 'hyperplane.db'))) {
  const seeded = await seedDashboard(uri, dir);
  process.stderr.write(`seeded ${dir}: ${JSON.stringify(seeded)}\n`);
}
const store = await openStore({ uri });
const server = await buildServer({ store, reloadMs: 0, maxEventLoopDelayMs: 0 });
const url = await server.app.listen({ port, host: '127.0.0.1' });
process.stderr.write(`dashboard: ${url}/ui/  (store ${uri})\n`);
const stop = async (): Promise<void> => {
  await server.close();
  await store.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
