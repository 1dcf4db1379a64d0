import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { HyperplaneError } from '../errors.js';
import type { ModelPackage } from '../pipeline/package.js';
import { convertGraph } from './onnx-graph.js';
import { readOnnx } from './onnx-read.js';

/**
 * An ONNX model (a tree ensemble or linear model as skl2onnx and onnxmltools write them) turned into a
 * Hyperplane package holding our own gbdt, forest, linear or logistic model, with its preprocessing as
 * recipe steps: our predict, explain, serve and monitoring code then runs on it unchanged.
 */

export interface OnnxImportOptions {
  /** Names of the numeric input columns in order (default: the input's name, or name_0, name_1, …). */
  features?: string[];
  /** Class labels in the model's class order (default: the model's classlabels). */
  labels?: string[];
  /** The target's name in the package (default "target"). */
  name?: string;
  /** Where the model came from, for the package's info. */
  source?: string;
}

export interface OnnxImported {
  pkg: ModelPackage;
  /** The Hyperplane model kind: gbdt, forest, linear or logistic. */
  kind: string;
  /** Trees in the ONNX model (0 for linear models). */
  trees: number;
  features: number;
  /** How the model's outputs are read, e.g. "3 classes, softmax of the summed margins (gbdt)". */
  summary: string;
}

/** Reads and imports an .onnx file; every problem with it is a HyperplaneError naming the file. */
export function importOnnxFile(file: string, options: OnnxImportOptions = {}): OnnxImported {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new HyperplaneError(code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, expected an .onnx model' : `cannot read it (${code ?? String(e)})`, { file });
  }
  try {
    return importOnnx(bytes, { source: file, ...options });
  } catch (e) {
    if (e instanceof HyperplaneError && e.location.file === undefined) throw new HyperplaneError(e.message, { file });
    throw e;
  }
}

/** Above 0.5 by the least step: ONNX Runtime labels a binary row positive only when its probability is over 0.5. */
const STRICTLY_OVER_HALF = 0.5000000000000001;

/** An .onnx file's bytes as a package. */
export function importOnnx(bytes: Uint8Array, options: OnnxImportOptions = {}): OnnxImported {
  const graph = readOnnx(bytes);
  const converted = convertGraph(graph, options.features);
  const { model, recipe } = converted;
  const task = model.task;
  if (task === 'anomaly') throw new HyperplaneError('anomaly models cannot be imported');
  let labels = converted.labels;
  if (options.labels !== undefined) {
    if (labels === undefined) throw new HyperplaneError('--labels is for classifiers; this model is a regressor');
    if (options.labels.length !== labels.length || new Set(options.labels).size !== labels.length) throw new HyperplaneError(`--labels needs ${labels.length} different labels (the model's are ${labels.join(', ')})`);
    labels = options.labels;
  }
  const pkg: ModelPackage = {
    pipeline: {
      target: { name: options.name ?? 'target', task, ...(labels !== undefined ? { labels } : {}), ...(task === 'binary' ? { threshold: STRICTLY_OVER_HALF } : {}) },
      schema: converted.inputs.map((c) => ({ name: c.name, type: c.type, reason: 'imported from an ONNX model' })),
      members: [{ recipe, model, weight: 1 }],
    },
    info: {
      createdAt: new Date().toISOString(),
      learner: model.kind,
      params: model.params,
      seed: 0,
      fingerprint: createHash('sha256').update(bytes).digest('hex'),
      source: options.source ?? 'onnx',
      trainRows: 0,
      metrics: {},
      evaluation: `imported from ONNX${graph.producer !== '' ? ` (${graph.producer})` : ''}: ${converted.summary}; not evaluated by Hyperplane`,
    },
  };
  return { pkg, kind: model.kind, trees: converted.trees, features: model.nFeatures, summary: converted.summary };
}
