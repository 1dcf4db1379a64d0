import { Queue, QueueEvents } from 'bullmq';
import { HyperplaneError } from '../errors.js';
import { connectionOptions } from './connection.js';
import type { QueueLocation } from './url.js';

/** A queue the driver adds jobs to, and its events, listening before the first job is added (a quick job's 'completed' must not be missed). */
export interface Producer<D, R> {
  queue: Queue<D, R>;
  events: QueueEvents;
  close(): Promise<void>;
}

/** Opens a queue and its events; an unreachable Redis is a HyperplaneError naming it. */
export async function openProducer<D, R>(name: string, location: QueueLocation, prefix: string): Promise<Producer<D, R>> {
  const connection = connectionOptions(location);
  const queue = new Queue<D, R>(name, { connection, prefix });
  const events = new QueueEvents(name, { connection, prefix });
  const close = async (): Promise<void> => void (await Promise.allSettled([events.close(), queue.close()]));
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  } catch (e) {
    await close();
    throw new HyperplaneError(`cannot reach the queue's Redis at ${location.url}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { queue, events, close };
}
