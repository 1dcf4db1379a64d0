import type { ReferenceLookup } from '../monitor/ship-fold.js';
import type { Store } from '../store/index.js';
import { HyperplaneError } from '../errors.js';
import { decodePackage, type ModelPackage } from './package.js';
import type { MonitoredVersion } from '../monitor/run.js';

/** A model version's monitoring reference, read from its package in the store (undefined when it keeps none). */
export function packageReferences(store: Pick<Store, 'registry' | 'artifacts'>): ReferenceLookup {
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
    const reference = pkg.pipeline.monitor;
    if (reference === undefined) return undefined;
    const labels = pkg.pipeline.target.labels;
    return { reference, ...(labels !== undefined ? { labels } : {}) };
  };
}

/** A registered version as monitoring needs it; undefined when its package keeps no monitoring reference (trained before packages did). */
export function monitoredVersion(pkg: ModelPackage, model: string, version: number): MonitoredVersion | undefined {
  const reference = pkg.pipeline.monitor;
  if (reference === undefined) return undefined;
  const target = pkg.pipeline.target;
  const trainingMetrics: Record<string, number> = {};
  for (const [k, v] of Object.entries(pkg.info.metrics)) if (typeof v === 'number') trainingMetrics[k] = v;
  return { model, version, reference, task: target.task, trainingMetrics, ...(target.labels !== undefined ? { labels: target.labels } : {}), ...(target.threshold !== undefined ? { threshold: target.threshold } : {}) };
}
