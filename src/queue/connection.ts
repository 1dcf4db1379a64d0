import { Redis } from 'ioredis';
import { HyperplaneError } from '../errors.js';
import type { QueueLocation } from './url.js';

/** BullMQ's connection options for a location (workers need maxRetriesPerRequest null to block on the queue). */
export function connectionOptions(location: QueueLocation): { host: string; port: number; db: number; username?: string; password?: string; maxRetriesPerRequest: null } {
  return {
    host: location.host,
    port: location.port,
    db: location.db,
    ...(location.username !== undefined ? { username: location.username } : {}),
    ...(location.password !== undefined ? { password: location.password } : {}),
    maxRetriesPerRequest: null,
  };
}

/**
 * One PING with no retries, so an unreachable Redis is a one-line error naming it instead of a client that
 * retries forever in the background.
 */
export async function checkRedis(location: QueueLocation, timeoutMs = 3000): Promise<void> {
  // disconnectTimeout: a refused connection is closed at once (the default keeps the process 2 s).
  const client = new Redis({ ...connectionOptions(location), lazyConnect: true, connectTimeout: timeoutMs, disconnectTimeout: 50, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  // connect() only says "Connection is closed"; the client's error event has the cause (ECONNREFUSED, ENOTFOUND).
  let cause: Error | undefined;
  client.on('error', (e: Error) => void (cause ??= e));
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    const reason = (cause ?? (e instanceof Error ? e : new Error(String(e)))).message;
    throw new HyperplaneError(`cannot reach the queue's Redis at ${location.url}: ${reason}`);
  } finally {
    client.disconnect();
  }
}
