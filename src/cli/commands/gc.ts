import { Command } from 'commander';
import { HyperplaneError } from '../../errors.js';
import { textTable } from '../render/format.js';
import type { Store } from '../../store/index.js';
import { withStore } from '../store.js';

export function bytesText(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** Why nothing was collected: every artifact is referenced, or the unreferenced ones are younger than --min-age (say so, or a user who just deleted runs thinks they still hold their blobs). */
async function nothingFound(store: Store, dryRun: boolean, minAge: number): Promise<string> {
  const young = await store.gc.unreferenced({ minAgeMs: 0 });
  if (young.length === 0) return 'nothing to collect: every artifact is referenced';
  const size = bytesText(young.reduce((s, a) => s + a.size, 0));
  const one = young.length === 1;
  const what = `${young.length} unreferenced artifact${one ? '' : 's'} (${size}) ${one ? 'is' : 'are'} younger than --min-age ${minAge} s`;
  return dryRun
    ? `nothing to remove: ${what}; lower it to list ${one ? 'it' : 'them'}, e.g. hyperplane gc --dry-run --min-age 0`
    : `nothing collected: ${what}; lower it to collect ${one ? 'it' : 'them'} now, e.g. hyperplane gc --min-age 0 when no training is under way`;
}

/**
 * `hyperplane gc [--dry-run]`: removes artifacts that no run and no model version references (left by
 * deleted runs and models). Blobs written in the last hour are spared by default: a training process
 * may have stored its model and not linked it yet.
 */
export function gcCommand(): Command {
  return new Command('gc')
    .description('remove artifacts no run or model version references')
    .option('--dry-run', 'only list them, with their sizes')
    .option('--min-age <seconds>', 'spare blobs written less than this long ago', '3600')
    .action(async (flags: { dryRun?: boolean; minAge: string }) => {
      const minAge = Number(flags.minAge);
      if (!(minAge >= 0)) throw new HyperplaneError(`--min-age ${flags.minAge}: expected seconds, 0 or more`);
      await withStore(async (store) => {
        const options = { minAgeMs: minAge * 1000 };
        const found = flags.dryRun === true ? await store.gc.unreferenced(options) : (await store.gc.collect(options)).artifacts;
        const total = found.reduce((s, a) => s + a.size, 0);
        if (found.length === 0) {
          process.stdout.write(`${await nothingFound(store, flags.dryRun === true, minAge)}\n`);
          return;
        }
        process.stdout.write(`${textTable(['sha256', 'size', 'stored (UTC)'], found.map((a) => [a.sha256, bytesText(a.size), new Date(a.storedAt).toISOString().replace('T', ' ').slice(0, 16)]), new Set([1]))}\n`);
        process.stdout.write(`${flags.dryRun === true ? 'would remove' : 'removed'} ${found.length} artifact${found.length > 1 ? 's' : ''}, ${bytesText(total)}\n`);
      });
    });
}
