import { readFileSync } from 'node:fs';
import { openStore } from '../src/store/index.js';
import { fixture } from './helpers.js';

/** The credit card data's rows as a client sends them: numbers as numbers, yes/no as text, no target. */
export function creditRequests(): Record<string, string | number>[] {
  const [head, ...lines] = readFileSync(fixture('credit_card.csv'), 'utf8').trimEnd().split('\n');
  const names = head!.split(',');
  return lines.map((line) => {
    const row: Record<string, string | number> = {};
    line.split(',').forEach((v, j) => {
      if (names[j] !== 'declined') row[names[j]!] = v === 'yes' || v === 'no' ? v : Number(v);
    });
    return row;
  });
}

/** Registers a package file as a finished run's model version (as a tracked train would), optionally under an alias; gives the version. */
export async function registerPackage(uri: string, model: string, file: string, alias?: string): Promise<number> {
  const store = await openStore({ uri });
  try {
    const run = await store.tracking.createRun({ experiment: model });
    await store.tracking.attachArtifact(run.id, 'model', await store.artifacts.put(readFileSync(file)));
    await store.tracking.setStatus(run.id, 'finished');
    const v = await store.registry.createVersion(model, { runId: run.id });
    if (alias !== undefined) await store.registry.setAlias(model, alias, v.version);
    return v.version;
  } finally {
    await store.close();
  }
}
