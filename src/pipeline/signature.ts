import type { SchemaType } from '../data/schema/schema.js';
import type { ModelPackage } from './package.js';
import { Pipeline, type TargetSpec } from './pipeline.js';

/** What a model takes and gives: the registry keeps it with each version, and serving validates requests against it. */
export interface ModelSignature {
  /** The columns the model reads, with their training types; a missing one is treated as missing. */
  inputs: { name: string; type: SchemaType }[];
  /** The prediction: the target's name, task and class labels. */
  output: Pick<TargetSpec, 'name' | 'task'> & { labels?: string[] };
}

export function modelSignature(pkg: ModelPackage): ModelSignature {
  return new Pipeline(pkg.pipeline).signature;
}
