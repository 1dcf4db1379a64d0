import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hyperplaneClient } from '../../src/client/index.js';
import { decodePackage } from '../../src/pipeline/package.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { buildServer, type Server } from '../../src/serve/server.js';
import { openStore, type Store } from '../../src/store/index.js';
import { fixture, IN_TEST, ROOT, runCli, tempDir } from '../helpers.js';

type Row = Record<string, string | number | null>;
const penguins = (JSON.parse(readFileSync(fixture('penguins.json'), 'utf8')) as Row[]).slice(0, 40);
const PYTHON = '/usr/bin/python3';

/** Whether Debian's python3 can import requests; outside CI a missing one skips the Python client's test, in CI it fails. */
async function pythonRequests(): Promise<string | undefined> {
  try {
    await promisify(execFile)(PYTHON, ['-c', 'import requests']);
    return undefined;
  } catch {
    const reason = `${PYTHON} cannot import requests (apt-get install python3-requests)`;
    if (process.env['CI'] === 'true') throw new Error(reason);
    return reason;
  }
}

describe('clients for other programs: the typed TypeScript client and the Python example (Open Inference Protocol v2)', () => {
  let store: Store;
  let server: Server;
  let url: string;
  let key: string;
  let pipeline: Pipeline;

  beforeAll(async () => {
    store = await openStore({ uri: `sqlite:${join(tempDir('hyperplane-clients-'), 'hyperplane.db')}` });
    const out = tempDir('hyperplane-clients-model-');
    const r = runCli(['train', fixture('penguins.json'), '--target', 'Species', '--learner', 'gbdt', '--n-estimators', '20', '--no-track', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const bytes = readFileSync(join(out, 'model.hpkg'));
    pipeline = new Pipeline(decodePackage(bytes, 'penguins').pipeline);
    const run = await store.tracking.createRun({ experiment: 'clients' });
    await store.tracking.attachArtifact(run.id, 'model', await store.artifacts.put(bytes));
    await store.tracking.setStatus(run.id, 'finished');
    const v = await store.registry.createVersion('penguins', { runId: run.id });
    await store.registry.setAlias('penguins', 'production', v.version);
    key = (await store.apiKeys.create('clients-test', ['predict'])).key;
    server = await buildServer({ store, ...IN_TEST, reloadMs: 0 });
    url = await server.app.listen({ port: 0, host: '127.0.0.1' });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await store?.close();
  });

  it('src/client/api.ts is generated from the server\'s OpenAPI document as it is now', async () => {
    const { clientTypes } = await import('../../scripts/client-types.mjs');
    expect(readFileSync(join(ROOT, 'src', 'client', 'api.ts'), 'utf8'), 'src/client/api.ts is stale: npm run build && npm run api-docs').toBe(await clientTypes(server.app.swagger()));
  });

  it('the TypeScript client predicts one row, a batch and a v2 infer over HTTP, with the answers the library gives', async () => {
    const hp = hyperplaneClient(`${url}/`, { apiKey: key });
    const expected = pipeline.predict(penguins);
    const one = await hp.POST('/v1/models/{model}/predict', { params: { path: { model: 'penguins' } }, body: penguins[3]! });
    expect(one.error, JSON.stringify(one.error)).toBeUndefined();
    expect(one.data).toMatchObject({ model: 'penguins', version: 1, prediction: expected[3]!.prediction, probabilities: expected[3]!.probabilities });

    const batch = await hp.POST('/v1/models/{model}/predict', { params: { path: { model: 'penguins@production' } }, body: { rows: penguins } });
    expect(batch.response.status).toBe(200);
    const answers = (batch.data as { predictions: { prediction: unknown; probabilities: unknown }[] }).predictions;
    expect(answers.map((a) => [a.prediction, a.probabilities])).toEqual(expected.map((e) => [e.prediction, e.probabilities]));

    const columns = Object.keys(penguins[0]!).filter((c) => c !== 'Species');
    const infer = await hp.POST('/v2/models/{model}/infer', {
      params: { path: { model: 'penguins' } },
      body: { id: 'r1', inputs: columns.map((name) => ({ name, shape: [penguins.length], datatype: typeof penguins[0]![name] === 'number' ? ('FP64' as const) : ('BYTES' as const), data: penguins.map((p) => p[name] ?? null) })) },
    });
    expect(infer.error, JSON.stringify(infer.error)).toBeUndefined();
    expect(infer.data?.outputs.find((o) => o.name === 'prediction')?.data).toEqual(expected.map((e) => e.prediction));
  });

  it('the TypeScript client hands back the server\'s refusals as typed errors: no key, an unknown model', async () => {
    const anonymous = await hyperplaneClient(url).POST('/v1/models/{model}/predict', { params: { path: { model: 'penguins' } }, body: penguins[0]! });
    expect(anonymous.response.status).toBe(401);
    expect(anonymous.data).toBeUndefined();
    const unknown = await hyperplaneClient(url, { apiKey: key }).POST('/v1/models/{model}/predict', { params: { path: { model: 'no-such-model' } }, body: penguins[0]! });
    expect(unknown.response.status).toBe(404);
    expect(JSON.stringify(unknown.error)).toMatch(/no-such-model/);
  });

  it('the Python example scores a CSV through /v2 with requests and prints what the library predicts', async () => {
    const missing = await pythonRequests();
    if (missing !== undefined) return console.warn(`Python client test skipped: ${missing}`);
    const columns = Object.keys(penguins[0]!).filter((c) => c !== 'Species');
    const csv = join(tempDir('hyperplane-clients-csv-'), 'penguins.csv');
    writeFileSync(csv, `${columns.join(',')}\n${penguins.map((p) => columns.map((c) => p[c] ?? '').join(',')).join('\n')}\n`);
    const { stdout } = await promisify(execFile)(PYTHON, [join(ROOT, 'examples', 'python', 'oip_client.py'), '--url', url, '--model', 'penguins', '--key', key, csv]);
    const lines = stdout.trimEnd().split('\n').map((l) => l.split(','));
    const expected = pipeline.predict(penguins);
    expect(lines.map((l) => l[0])).toEqual(expected.map((e) => e.prediction));
    // Probabilities in the model's label order, printed with Python's repr (shortest round trip): the same doubles.
    expect(lines.map((l) => l.slice(1).map(Number))).toEqual(expected.map((e) => pipeline.spec.target.labels!.map((label) => e.probabilities![label])));
  });

  it('the Python example names a column the file lacks, and exits non-zero', async () => {
    const missing = await pythonRequests();
    if (missing !== undefined) return console.warn(`Python client test skipped: ${missing}`);
    const csv = join(tempDir('hyperplane-clients-csv-'), 'short.csv');
    writeFileSync(csv, 'Island\nDream\n');
    const failed = await promisify(execFile)(PYTHON, [join(ROOT, 'examples', 'python', 'oip_client.py'), '--url', url, '--model', 'penguins', '--key', key, csv]).catch((e: { code: number; stderr: string }) => e);
    expect('code' in failed && failed.code).toBe(1);
    expect((failed as { stderr: string }).stderr).toMatch(/short\.csv: no column Beak Length \(mm\)/);
  });
});
