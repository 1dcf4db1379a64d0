import { HyperplaneError } from '../errors.js';

/** Where the queue's Redis is: what BullMQ's connection needs, and the URL as the user wrote it for messages. */
export interface QueueLocation {
  url: string;
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
}

/** The environment variable that chooses the queue when `--queue` is not given. */
export const QUEUE_ENV = 'HYPERPLANE_QUEUE';
/** Keys of every queue start with this (BullMQ's prefix); tests and teams sharing one Redis give each their own. */
export const QUEUE_PREFIX_ENV = 'HYPERPLANE_QUEUE_PREFIX';
export const DEFAULT_QUEUE_PREFIX = 'hyperplane';

/** `redis://[user:password@]HOST:PORT[/DB]`, or a HyperplaneError naming where the value came from (`--queue`, `$HYPERPLANE_QUEUE`). */
export function parseQueueUrl(text: string, from = '--queue'): QueueLocation {
  const expected = `${from} '${text}': expected redis://HOST:PORT (e.g. redis://127.0.0.1:6379)`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new HyperplaneError(expected);
  }
  if (url.protocol !== 'redis:' || url.hostname === '') throw new HyperplaneError(expected);
  const port = url.port === '' ? 6379 : Number(url.port);
  const path = url.pathname.replace(/^\//, '');
  const db = path === '' ? 0 : Number(path);
  if (!Number.isInteger(db) || db < 0) throw new HyperplaneError(`${expected}; the path, if any, is a database number (/0)`);
  return {
    url: `redis://${url.hostname}:${port}${db !== 0 ? `/${db}` : ''}`,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port,
    db,
    ...(url.username !== '' ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password !== '' ? { password: decodeURIComponent(url.password) } : {}),
  };
}

/** The queue named by the flag, else by $HYPERPLANE_QUEUE, else none. */
export function chosenQueue(flag: string | undefined): QueueLocation | undefined {
  if (flag !== undefined) return parseQueueUrl(flag, '--queue');
  const env = process.env[QUEUE_ENV];
  return env !== undefined && env !== '' ? parseQueueUrl(env, `$${QUEUE_ENV}`) : undefined;
}

export function queuePrefix(): string {
  const env = process.env[QUEUE_PREFIX_ENV];
  return env !== undefined && env !== '' ? env : DEFAULT_QUEUE_PREFIX;
}
