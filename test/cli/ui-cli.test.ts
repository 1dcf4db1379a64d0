import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { serveOnFreePort, tempDir } from '../helpers.js';

describe('hyperplane ui', () => {
  const dir = tempDir('hyperplane-ui-cli-');
  const env = { HYPERPLANE_STORE: `sqlite:${join(dir, 'hyperplane.db')}` };
  let ui: Awaited<ReturnType<typeof serveOnFreePort>>;
  let runId = '';

  beforeAll(async () => {
    const store = await openStore({ uri: env.HYPERPLANE_STORE });
    const run = await store.tracking.createRun({ experiment: 'ui', name: 'tracked' });
    runId = run.id;
    await store.close();
    ui = await serveOnFreePort(dir, env, [], 'ui');
  });

  afterAll(() => {
    if (ui?.server.exitCode === null) ui.server.kill('SIGKILL');
  });

  it('serves the dashboard and its read APIs on the store, and says where', async () => {
    await expect.poll(() => ui.stderr()).toContain(`dashboard: ${ui.address}/ui/`);
    const page = await fetch(`${ui.address}/ui/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');
    const runs = (await (await fetch(`${ui.address}/v1/runs`)).json()) as { runs: { id: string }[] };
    expect(runs.runs.map((r) => r.id)).toEqual([runId]);
    expect((await fetch(`${ui.address}/`, { redirect: 'manual' })).headers.get('location')).toBe('/ui/');
  });

  it('serves no model, and is ready without one', async () => {
    const r = await fetch(`${ui.address}/v1/models/credit/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(r.status).toBe(404);
    expect(((await r.json()) as { message: string }).message).toContain('is not served here');
    expect((await fetch(`${ui.address}/readyz`)).status).toBe(200);
  });

  it('stops on SIGTERM with exit 0', async () => {
    ui.server.kill('SIGTERM');
    expect(await ui.exited).toBe(0);
  });
});
