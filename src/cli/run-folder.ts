import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Creates and returns a run folder of its own under `parent`: `<yyyymmdd-hhmmss>-<label>`, then `-2`,
 * `-3`… when another process took that name in the same second. mkdir without `recursive` fails on an
 * existing folder, so the claim is atomic: trainings started together never write into one folder.
 */
export function claimRunFolder(parent: string, at: Date, label: string): string {
  mkdirSync(parent, { recursive: true });
  const base = `${at.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-')}-${label.replace(/[^\w.-]/g, '_')}`;
  for (let n = 1; ; n++) {
    const folder = join(parent, n === 1 ? base : `${base}-${n}`);
    try {
      mkdirSync(folder);
      return folder;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}
