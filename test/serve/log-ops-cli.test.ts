import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { fixture, ROOT, runCli, tempDir } from '../helpers.js';

const KEY = 'the-operators-own-secret';
const DAY = 86_400_000;

describe('hyperplane serve --log-redact, --log-hash, --log-keep', () => {
  it('logs rows with the named fields redacted and hashed, and removes predictions older than --log-keep at its start', async () => {
    const dir = tempDir('hyperplane-log-ops-');
    const env = { HYPERPLANE_STORE: `sqlite:${join(dir, 'hyperplane.db')}`, HYPERPLANE_LOG_HASH_KEY: KEY };
    const train = runCli(['train', fixture('penguins.json'), '--target', 'Species', '--learner', 'logistic', '--json'], { cwd: dir, env });
    expect(train.code, train.stderr).toBe(0);
    expect(runCli(['models', 'register', JSON.parse(train.stdout).run, '--name', 'penguins', '--alias', 'production'], { cwd: dir, env }).code).toBe(0);
    const before = await openStore({ uri: env.HYPERPLANE_STORE });
    const record = (id: string, ageMs: number) => ({ id, model: 'penguins', version: 1, timestamp: Date.now() - ageMs, requestJson: '{}', responseJson: '{}', latencyMs: 1 });
    await before.predictions.insert([record('old', 40 * DAY), record('recent', 2 * DAY)]);
    await before.close();

    const server = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'serve', '--port', '0', '--log-redact', 'Sex', '--log-hash', 'Island', '--log-keep', '30d'], { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const exited = new Promise<number | null>((r) => server.once('exit', (code) => r(code)));
    const address = await new Promise<string>((resolve, reject) => {
      server.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /listening on (http:\/\/[\d.:]+)/.exec(stderr);
        if (m) resolve(m[1]!);
      });
      void exited.then(() => reject(new Error(`serve exited: ${stderr}`)));
    });
    const row = (JSON.parse(readFileSync(fixture('penguins.json'), 'utf8')) as Record<string, unknown>[])[0]!;
    const answer = (await (await fetch(`${address}/v1/models/penguins/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(row) })).json()) as { id: string };
    // The sweep at start runs on the shipper thread, beside serving: wait for it to have removed the old record.
    const watching = await openStore({ uri: env.HYPERPLANE_STORE });
    for (let i = 0; i < 100 && (await watching.predictions.get('old')) !== undefined; i++) await new Promise((r) => setTimeout(r, 100));
    await watching.close();
    server.kill('SIGTERM');
    expect(await exited, stderr).toBe(0);

    const store = await openStore({ uri: env.HYPERPLANE_STORE });
    try {
      expect(await store.predictions.get('old')).toBeUndefined();
      expect(await store.predictions.get('recent')).toBeDefined();
      const logged = (await store.predictions.get(answer.id))!.request as Record<string, unknown>;
      expect(logged).not.toHaveProperty('Sex');
      expect(logged['Island']).toBe(createHmac('sha256', KEY).update(String(row['Island'])).digest('hex'));
      expect(logged['Body Mass (g)']).toBe(row['Body Mass (g)']);
    } finally {
      await store.close();
    }
  }, 60_000);

  it.each([
    [['--log-keep', '30'], '--log-keep 30: expected a whole number and a unit, s, m, h or d (e.g. 30d), above 0'],
    [['--log-keep', '0d'], '--log-keep 0d: expected a whole number and a unit, s, m, h or d (e.g. 30d), above 0'],
    [['--log-hash', 'customer_id'], '--log-hash needs a secret key of at least 16 characters in HYPERPLANE_LOG_HASH_KEY (no key was given)'],
    [['--log-redact', 'email', '--log-hash', 'email'], 'email: both redacted and hashed; choose one'],
    [['--no-log', '--log-redact', 'email'], '--log-redact, --log-hash and --log-keep shape the prediction log, which --no-log turns off'],
  ])('%j is exit 2 with a line that says why', (args, message) => {
    const dir = tempDir('hyperplane-log-ops-flags-');
    const r = runCli(['serve', '--port', '0', '--workers', '2', ...args], { cwd: dir, env: { HYPERPLANE_STORE: `sqlite:${join(dir, 'hyperplane.db')}`, HYPERPLANE_LOG_HASH_KEY: '' } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`hyperplane: error: ${message}`);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
