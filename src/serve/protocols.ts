import type { ModelSignature } from '../pipeline/signature.js';
import type { ServedVersion } from './served-models.js';
import type { FieldProblem } from './validate.js';

/** A tensor of the Open Inference Protocol (KServe v2, Triton, MLServer). */
interface Tensor {
  name: string;
  shape: number[];
  datatype: string;
  data: unknown[];
}

type Rows = { rows: Record<string, unknown>[] } | { problems: FieldProblem[] };

const problem = (field: string, what: string, expected: string): Rows => ({ problems: [{ field, problem: what, expected }] });

/** Nested data (as some clients send) flattened, row-major. */
function flatten(data: unknown[]): unknown[] {
  return data.some(Array.isArray) ? (data.flat(Infinity) as unknown[]) : data;
}

/**
 * Rows from a v2 `infer` body. Two layouts clients use: one tensor per input column (named as the
 * model's inputs, shape [n] or [n, 1]), or a single [n, d] tensor whose columns are the model's inputs
 * in signature order (how sklearn and XGBoost servers take a matrix).
 */
export function rowsFromInfer(body: unknown, signature: ModelSignature): Rows {
  const inputs = (body as { inputs?: unknown } | null)?.inputs;
  if (!Array.isArray(inputs) || inputs.length === 0) return problem('inputs', 'missing or empty', 'a list of tensors {name, shape, datatype, data}');
  for (const [k, t] of inputs.entries()) {
    const tensor = t as Partial<Tensor> | null;
    if (tensor === null || typeof tensor !== 'object' || typeof tensor.name !== 'string' || !Array.isArray(tensor.shape) || !Array.isArray(tensor.data)) {
      return problem(`inputs[${k}]`, 'not a tensor', '{name, shape, datatype, data}');
    }
  }
  const tensors = inputs as Tensor[];
  const names = signature.inputs.map((i) => i.name);
  if (tensors.length === 1 && tensors[0]!.shape.length === 2 && !names.includes(tensors[0]!.name)) {
    const [n, d] = tensors[0]!.shape as [number, number];
    const data = flatten(tensors[0]!.data);
    if (d !== names.length) return problem(tensors[0]!.name, `has ${d} columns`, `${names.length}: ${names.join(', ')}`);
    if (data.length !== n * d) return problem(tensors[0]!.name, `has ${data.length} values for shape [${n}, ${d}]`, `${n * d} values`);
    return { rows: Array.from({ length: n }, (_, i) => Object.fromEntries(names.map((name, j) => [name, data[i * d + j]]))) };
  }
  const n = tensors[0]!.shape[0]!;
  const columns = new Map<string, unknown[]>();
  for (const t of tensors) {
    const data = flatten(t.data);
    if (t.shape[0] !== n || data.length !== n) return problem(t.name, `has shape [${t.shape.join(', ')}] with ${data.length} values`, `[${n}] like the first input`);
    columns.set(t.name, data);
  }
  return { rows: Array.from({ length: n }, (_, i) => Object.fromEntries([...columns].map(([name, data]) => [name, data[i]]))) };
}

/** The v2 response: `prediction` ([n], BYTES for labels, FP64 for values) and `probabilities` ([n, k]). */
export function inferResponse(model: ServedVersion, answers: readonly { id: string; prediction: string | number; probabilities?: Record<string, number> }[], id: string | undefined): object {
  const n = answers.length;
  const labels = model.signature.output.labels;
  const outputs: Tensor[] = [
    { name: 'prediction', shape: [n], datatype: labels === undefined ? 'FP64' : 'BYTES', data: answers.map((a) => a.prediction) },
  ];
  if (labels !== undefined) outputs.push({ name: 'probabilities', shape: [n, labels.length], datatype: 'FP64', data: answers.flatMap((a) => labels.map((l) => a.probabilities![l]!)) });
  outputs.push({ name: 'prediction_id', shape: [n], datatype: 'BYTES', data: answers.map((a) => a.id) });
  return { model_name: model.model, model_version: String(model.version), ...(id !== undefined ? { id } : {}), outputs };
}

/** v2 model metadata: inputs as tensors of one value per row. */
export function modelMetadata(model: ServedVersion): unknown {
  const datatype = (type: string): string => (type === 'numeric' ? 'FP64' : 'BYTES');
  return {
    name: model.model,
    versions: [String(model.version)],
    platform: 'hyperplane',
    inputs: model.signature.inputs.map((i) => ({ name: i.name, datatype: datatype(i.type), shape: [-1] })),
    outputs: [
      { name: 'prediction', datatype: model.signature.output.labels === undefined ? 'FP64' : 'BYTES', shape: [-1] },
      ...(model.signature.output.labels !== undefined ? [{ name: 'probabilities', datatype: 'FP64', shape: [-1, model.signature.output.labels.length] }] : []),
    ],
  };
}

/** Rows from MLflow's `/invocations` bodies: `dataframe_split` {columns, data} or `dataframe_records` [{…}]. */
export function rowsFromInvocations(body: unknown): Rows {
  const b = body as { dataframe_split?: { columns?: unknown; data?: unknown }; dataframe_records?: unknown } | null;
  if (b !== null && typeof b === 'object' && b.dataframe_split !== undefined) {
    const { columns, data } = b.dataframe_split;
    if (!Array.isArray(columns) || !columns.every((c) => typeof c === 'string')) return problem('dataframe_split.columns', 'missing or not a list of names', 'the column names');
    if (!Array.isArray(data) || !data.every((r) => Array.isArray(r) && r.length === columns.length)) return problem('dataframe_split.data', 'not a list of rows as long as columns', `rows of ${columns.length} values`);
    return { rows: (data as unknown[][]).map((r) => Object.fromEntries(columns.map((c: string, j) => [c, r[j]]))) };
  }
  if (b !== null && typeof b === 'object' && Array.isArray(b.dataframe_records)) return { rows: b.dataframe_records as Record<string, unknown>[] };
  return problem('(body)', 'neither dataframe_split nor dataframe_records', '{"dataframe_split": {"columns": [...], "data": [[...]]}} or {"dataframe_records": [{...}]}');
}
