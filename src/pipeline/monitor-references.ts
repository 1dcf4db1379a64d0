import type { ReferenceLookup } from '../monitor/ship-fold.js';
import type { MonitorReference } from '../monitor/reference.js';
import type { Store } from '../store/index.js';
import { HyperplaneError } from '../errors.js';
import { decodePackage, type ModelPackage } from './package.js';
import type { MonitoredVersion } from '../monitor/run.js';
import { rebuildReference } from './rebuild-reference.js';

type ReferenceStore = Pick<Store, 'registry' | 'artifacts' | 'tracking'>;

/**
 * A model version's monitoring reference: its package's, else one rebuilt from its run's training data
 * (cached in the store); undefined when it has none and none can be rebuilt. With `cachedOnly`, a
 * reference not rebuilt yet is not rebuilt here: the shipper must not stall on reading training data and
 * fitting a model (the hours it leaves out are folded from the raw log by the report until one is).
 */
export function packageReferences(store: ReferenceStore, options: { cachedOnly?: boolean } = {}): ReferenceLookup {
  return async (model, version) => {
    let resolved;
    try {
      resolved = await store.registry.resolve(`${model}/${version}`);
    } catch (e) {
      // A version deleted from the registry (or never there) has nothing to compare with; a store error is thrown on.
      if (e instanceof HyperplaneError) return undefined;
      throw e;
    }
    const pkg = decodePackage(await store.artifacts.get(resolved.artifact), `${model}/${version}`);
    const found = pkg.pipeline.monitor !== undefined ? { reference: pkg.pipeline.monitor } : await rebuildReference(store, model, version, options);
    if ('reason' in found) return undefined;
    const labels = pkg.pipeline.target.labels;
    return { reference: found.reference, ...(labels !== undefined ? { labels } : {}) };
  };
}

/**
 * A registered version as monitoring needs it, with the package's reference (or one given: rebuilt for a
 * package that keeps none); undefined when there is none.
 */
export function monitoredVersion(pkg: ModelPackage, model: string, version: number, reference: MonitorReference | undefined = pkg.pipeline.monitor): MonitoredVersion | undefined {
  if (reference === undefined) return undefined;
  const target = pkg.pipeline.target;
  const trainingMetrics: Record<string, number> = {};
  for (const [k, v] of Object.entries(pkg.info.metrics)) if (typeof v === 'number') trainingMetrics[k] = v;
  return { model, version, reference, task: target.task, trainingMetrics, ...(target.labels !== undefined ? { labels: target.labels } : {}), ...(target.threshold !== undefined ? { threshold: target.threshold } : {}) };
}

/**
 * A registered version as monitoring needs it, its reference rebuilt when its package keeps none, or
 * precisely why it cannot be monitored (its training data gone or changed).
 */
export async function watchedVersion(store: ReferenceStore, model: string, version: number, options: { cachedOnly?: boolean } = {}): Promise<{ watched: MonitoredVersion } | { reason: string }> {
  const resolved = await store.registry.resolve(`${model}/${version}`);
  const pkg = decodePackage(await store.artifacts.get(resolved.artifact), `${model}/${version}`);
  const found = pkg.pipeline.monitor !== undefined ? { reference: pkg.pipeline.monitor } : await rebuildReference(store, model, version, options);
  if ('reason' in found) return found;
  return { watched: monitoredVersion(pkg, model, version, found.reference)! };
}
