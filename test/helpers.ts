import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { Store } from '../src/store/index.js';

export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'data');
export const fixture = (name: string): string => join(FIXTURES, name);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The store CLI tests record into unless they name one: a SQLite file of this test process's own, so
 * tests never write into the repository's `.hyperplane/` and test files don't share runs.
 */
let testStore: string | undefined;
export function testStoreUri(): string {
  testStore ??= `sqlite:${join(mkdtempSync(join(tmpdir(), 'hyperplane-store-')), 'hyperplane.db')}`;
  return testStore;
}

/**
 * No progress lines from the CLI under test unless a test asks for them: a command refused at once prints
 * none, but on a loaded machine one that took past the default second (1 s) printed `train: …` before its
 * error, and a test of one clear error line saw two.
 */
const QUIET_PROGRESS = { HYPERPLANE_PROGRESS_AFTER_MS: '600000' };

/** Runs the built `hyperplane` binary, as a user would. */
export function runCli(args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): CliResult {
  const result = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...QUIET_PROGRESS, HYPERPLANE_STORE: testStoreUri(), ...options.env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * The built CLI without blocking this process (spawnSync starved vitest's own messages on a busy
 * machine), killed after `limit` ms: a bad input must fail fast, never hang or die by a signal.
 */
export function runCliAsync(args: readonly string[], limit = 30_000, options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), ...args], { cwd: options.cwd ?? ROOT, env: { ...process.env, ...QUIET_PROGRESS, HYPERPLANE_STORE: testStoreUri(), ...options.env }, timeout: limit });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** A bad input refused: exit code 2, one line `hyperplane: error: …` matching `pattern`, nothing on stdout, no stack, within `limit` ms. */
export async function expectRefused(args: readonly string[], pattern: RegExp, limit = 30_000): Promise<void> {
  const r = await runCliAsync(args, limit);
  expect(r.signal, `killed: it ran past ${limit} ms`).toBeNull();
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^hyperplane: error: /);
  expect(lines[0]).toMatch(pattern);
}

export function tempDir(prefix = 'hyperplane-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** The PostgreSQL the tests use: 127.0.0.1:5432 on every developer and CI machine. */
export const PG_URL = process.env['HYPERPLANE_TEST_PG'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Why PostgreSQL can't be used, or undefined when it can. */
export async function postgresUnreachable(url = PG_URL): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Drops a PostgreSQL schema a test made for its store (and everything in it). */
export async function dropPgSchema(schema: string, url = PG_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

/**
 * Server options for tests in this process: no shedding by event-loop delay. The tests train models
 * with runCli, which blocks this process's event loop for seconds; the sampler then reads that as
 * overload and the next second's requests would get 503s. Overload has its own tests.
 */
export const IN_TEST = { maxEventLoopDelayMs: 0 } as const;

/** The ids a client was answered with that the store's prediction log lacks (empty when nothing was lost), and how many it holds. */
export async function missingFromLog(store: Store, model: string, ids: readonly string[]): Promise<{ missing: string[]; logged: number }> {
  const { predictions } = await store.predictions.list({ model, limit: 100_000 });
  const logged = new Set(predictions.map((p) => p.id));
  return { missing: ids.filter((id) => !logged.has(id)), logged: logged.size };
}

/** `hyperplane serve --port 0` (or `ui`) in `dir`, once it listens: its address, its exit code to come, and what it has written on stderr so far. */
export async function serveOnFreePort(dir: string, env: Record<string, string>, args: readonly string[] = [], command: 'serve' | 'ui' = 'serve'): Promise<{ server: ChildProcess; address: string; exited: Promise<number | null>; stderr: () => string }> {
  const server = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), command, '--port', '0', ...args], { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const address = await new Promise<string>((resolve, reject) => {
    server.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /listening on (http:\/\/[\d.:]+)/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    server.once('exit', () => reject(new Error(`${command} exited: ${stderr}`)));
  });
  const exited = new Promise<number | null>((r) => server.once('exit', (code) => r(code)));
  return { server, address, exited, stderr: () => stderr };
}

/** A CLI call refused as bad input: exit 2 and one line, `hyperplane: error: …`, matching `pattern`. */
export function expectCleanError(args: string[], pattern: RegExp): void {
  const r = runCli(args);
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^hyperplane: error: /);
  expect(lines[0]).toMatch(pattern);
}

/**
 * As runCli, without blocking this process: vitest's worker answers its runner while the CLI runs (a
 * test of many spawnSync calls blocked it past the runner's fixed 60 s reply timeout on a busy machine).
 */
export function cli(args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return runCliAsync(args, 300_000, options).then((r) => ({ code: r.code ?? -1, stdout: r.stdout, stderr: r.stderr }));
}

/**
 * Whether a test's store opens. SQLite always does; PostgreSQL may be missing outside CI, and then the
 * test is skipped with the reason printed (`what` names it); in CI a missing one fails the test.
 */
export async function storeReachable(uri: string, what: string): Promise<boolean> {
  const { openStore } = await import('../src/store/index.js');
  try {
    await (await openStore({ uri })).close();
    return true;
  } catch (e) {
    if (process.env['CI'] === 'true') throw e;
    console.warn(`${what} skipped: ${(e as Error).message}`);
    return false;
  }
}
