// Writes docs/api.md and the typed client's types (src/client/api.ts) from the server's OpenAPI document
// (run after changing a route or its doc, then build again):
//   npm run build && npm run api-docs
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiMarkdown } from '../dist/serve/api-docs.js';
import { buildServer } from '../dist/serve/server.js';
import { clientTypes } from './client-types.mjs';
import { openStore } from '../dist/store/index.js';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dir = mkdtempSync(join(tmpdir(), 'hyperplane-api-docs-'));
const store = await openStore({ uri: `sqlite:${join(dir, 'hyperplane.db')}` });
const server = await buildServer({ store, reloadMs: 0 });
await server.app.ready();
writeFileSync(join(root, 'docs', 'api.md'), apiMarkdown(server.app.swagger()));
writeFileSync(join(root, 'src', 'client', 'api.ts'), await clientTypes(server.app.swagger()));
await server.close();
await store.close();
rmSync(dir, { recursive: true, force: true });
console.log('docs/api.md and src/client/api.ts written');
