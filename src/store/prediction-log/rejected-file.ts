import { mkdirSync } from 'node:fs';
import { appendFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { EncodedPrediction } from '../serving.js';
import { REJECTED_DIR } from './segment-files.js';

/** A record the store refused as invalid, and the store's reason. */
export interface RefusedRecord {
  record: EncodedPrediction;
  error: string;
}

/**
 * Appends refused records, one JSON line each, to `<root>/rejected/<pid>.ndjson`, and fsyncs the file:
 * their segment is deleted next, so this is their only copy.
 */
export async function appendRejected(root: string, refused: readonly RefusedRecord[]): Promise<void> {
  const dir = join(root, REJECTED_DIR);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${process.pid}.ndjson`);
  await appendFile(file, refused.map((r) => `${JSON.stringify(r)}\n`).join(''));
  const handle = await open(file, 'r+');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}
