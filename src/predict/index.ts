/**
 * `hyperplane/predict`: prediction without Node. Loads a model package from its bytes and answers rows with
 * the same recipe and model code the server runs, in a browser, an edge worker or Node. Nothing here (or
 * below it) imports a Node module; test/predict checks the import graph, a browser and a bare V8 context.
 *
 *   import { loadPipeline } from 'hyperplane/predict';
 *   const pipeline = loadPipeline(new Uint8Array(await (await fetch('/model.hpkg')).arrayBuffer()));
 *   pipeline.predict([{ age: 41, plan: 'pro' }]); // [{ label, probabilities, … }]
 */
import { decodePackage, type ModelPackage } from '../pipeline/package.js';
import { Pipeline } from '../pipeline/pipeline.js';

export { Pipeline, type PipelineSpec, type TargetSpec, type Member } from '../pipeline/pipeline.js';
export { decodePackage, PACKAGE_VERSION, type ModelPackage, type PackageInfo } from '../pipeline/package.js';
export { InvalidRowsError, type Prediction } from '../pipeline/prediction.js';
export type { FieldProblem, ValidationOptions } from '../pipeline/validate-rows.js';
export { modelSignature, type ModelSignature } from '../pipeline/signature.js';
export { HyperplaneError, isHyperplaneError } from '../errors.js';

/** A model package's bytes (a `.hpkg` file as fetched or read), checked whole; `name` is what errors call it. */
export function readPackageBytes(bytes: Uint8Array | ArrayBuffer, name = 'model package'): ModelPackage {
  return decodePackage(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), name);
}

/** The pipeline a package holds, ready to `predict` rows (as the server answers them) or `scoreRows` (bare scores). */
export function loadPipeline(bytes: Uint8Array | ArrayBuffer, name = 'model package'): Pipeline {
  return new Pipeline(readPackageBytes(bytes, name).pipeline);
}
