import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PredictionLog } from '../serving.js';
import { JOURNAL_DIR } from './segment-files.js';
import { Shipper, type ShipFold } from './shipper.js';

/** The journal root of a store's servers: beside a SQLite file, or `.hyperplane/journal` for PostgreSQL. */
export function journalRoot(store: { dialect: 'sqlite' | 'postgres'; location: string }): string {
  return store.dialect === 'sqlite' ? join(dirname(store.location), 'journal') : join('.hyperplane', 'journal');
}

/**
 * Ships what stopped servers left in their journals (a kill -9, a stop that could not reach the store),
 * so a reader of the log sees every answered prediction without waiting for the next server to start.
 * Live servers' journals are theirs to ship and are left alone. With `fold`, they reach the monitor's
 * window aggregates too. Returns the records shipped.
 */
export async function shipLeftovers(root: string, log: Pick<PredictionLog, 'insert'>, fold?: ShipFold): Promise<number> {
  if (!existsSync(root) || !readdirSync(root).some((name) => JOURNAL_DIR.test(name))) return 0;
  const shipper = new Shipper({ root, log, ...(fold !== undefined ? { fold } : {}) });
  try {
    return await shipper.shipAvailable();
  } finally {
    await shipper.stop(false);
  }
}
