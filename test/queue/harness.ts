import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { checkRedis } from '../../src/queue/connection.js';
import { parseQueueUrl } from '../../src/queue/url.js';
import { ROOT } from '../helpers.js';

/** The Redis the queue tests use: 127.0.0.1:6379 on every developer and CI machine. */
export const REDIS_URL = process.env['HYPERPLANE_TEST_REDIS'] ?? 'redis://127.0.0.1:6379';
export const REDIS = parseQueueUrl(REDIS_URL);

/** Why Redis can't be used, or undefined when it can. */
export async function redisUnreachable(): Promise<string | undefined> {
  try {
    await checkRedis(REDIS, 2000);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Skip only on a developer's machine without Redis; in CI (CI=true) a missing Redis fails the tests. */
export async function skipWithoutRedis(what: string): Promise<boolean> {
  const unreachable = await redisUnreachable();
  const skip = unreachable !== undefined && process.env['CI'] !== 'true';
  if (skip) console.warn(`skipping ${what}: ${unreachable}`);
  return skip;
}

/** A key prefix of the test file's own, so test files and runs never see each other's jobs. */
export function testPrefix(name: string): string {
  return `hyperplane-test-${name}-${process.pid}-${Date.now().toString(36)}`;
}

/** Deletes every key under the prefix. */
export async function dropPrefix(prefix: string): Promise<void> {
  const client = new Redis({ host: REDIS.host, port: REDIS.port, db: REDIS.db, lazyConnect: true });
  await client.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) await client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

/** Counts the keys under the prefix (a test's leftovers). */
export async function jobKeys(prefix: string, match = '*'): Promise<string[]> {
  const client = new Redis({ host: REDIS.host, port: REDIS.port, db: REDIS.db, lazyConnect: true });
  await client.connect();
  try {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:${match}`, 'COUNT', 500);
      found.push(...keys);
      cursor = next;
    } while (cursor !== '0');
    return found;
  } finally {
    client.disconnect();
  }
}

/** A small binary table: 300 rows, a signal in two columns; the same bytes every time. */
export function writeCsv(dir: string, rows = 300): string {
  let state = 7;
  const rand = (): number => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const lines = ['a,b,c,label'];
  for (let i = 0; i < rows; i++) {
    const a = rand() * 4 - 2;
    const b = rand() * 4 - 2;
    const c = rand();
    lines.push(`${a.toFixed(4)},${b.toFixed(4)},${c.toFixed(4)},${a + 0.5 * b + (rand() - 0.5) > 0 ? 'yes' : 'no'}`);
  }
  const file = join(dir, 'data.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** A child process of the built CLI, its stderr collected, so a test can wait for a line and kill it. */
export interface Child {
  process: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves when stderr has a line matching `pattern` (rejects after `limit` ms). */
  waitFor: (pattern: RegExp, limit?: number) => Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startCli(args: readonly string[], options: { cwd: string; env: Record<string, string> }): Child {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), ...args], { cwd: options.cwd, env: { ...process.env, ...options.env } });
  let stdout = '';
  let stderr = '';
  const watchers: (() => void)[] = [];
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    for (const w of [...watchers]) w();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return {
    process: child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitFor: (pattern, limit = 20_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${limit} ms (exit code ${child.exitCode}); stderr:\n${stderr}`)), limit);
        const check = (): void => {
          if (!pattern.test(stderr)) return;
          clearTimeout(timer);
          watchers.splice(watchers.indexOf(check), 1);
          resolve();
        };
        watchers.push(check);
        check();
        // A child that exits without the line fails at once, with what it said.
        void exited.then(({ code }) => {
          if (pattern.test(stderr)) return;
          clearTimeout(timer);
          reject(new Error(`exited (code ${code}) with no line matching ${pattern}; stderr:\n${stderr}`));
        });
      }),
  };
}

/** Stops a child and waits for it (a test never leaves a worker behind). */
export async function stop(child: Child, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill(signal);
  await child.exited;
}
