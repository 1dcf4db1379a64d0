import { existsSync } from 'node:fs';
import { HyperplaneError } from '../errors.js';
import { decodePackage, type ModelPackage } from '../pipeline/package.js';
import { loadPackage } from '../pipeline/io.js';
import { withStore } from './store.js';

/** Looks like a path (has an extension or starts with . or /) rather than name@alias, name/3 or a run id. */
const looksLikeFile = (ref: string): boolean => /\.hpkg$/i.test(ref) || ref.startsWith('.') || ref.startsWith('/') || ref.includes('\\');

export interface LoadedModel {
  pkg: ModelPackage;
  /** What it was: the file, or `name/3` (run …) from the store. */
  label: string;
}

/**
 * A model wherever a command takes one: a package file, or from the store `name@alias`, `name/3`,
 * `name/latest` or a run id. The store checks the package's sha256 as it reads it.
 */
export async function loadModelRef(ref: string): Promise<LoadedModel> {
  if (existsSync(ref) || looksLikeFile(ref)) return { pkg: loadPackage(ref), label: ref };
  return withStore(async (store) => {
    let resolved;
    try {
      resolved = await store.registry.resolve(ref);
    } catch (e) {
      // Named by the reference as given: it is neither a file nor something the store knows.
      if (e instanceof HyperplaneError) throw new HyperplaneError(e.message.replace(/^field 'model': /, ''), { file: ref });
      throw e;
    }
    const label = resolved.model !== null ? `${resolved.model}/${resolved.version}` : `run ${resolved.runId}`;
    const bytes = await store.artifacts.get(resolved.artifact);
    return { pkg: decodePackage(bytes, `${ref} (${label}, artifact ${resolved.artifact.slice(0, 12)})`), label };
  });
}
