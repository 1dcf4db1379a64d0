import { z } from 'zod';
import type { ModelSignature } from '../pipeline/signature.js';
import type { ServedVersion } from './served-models.js';
import type { FieldProblem } from '../pipeline/validate-rows.js';
import { inferInputsOf, mlflowColumnsSchema } from './schemas/requests.js';

const inferInputs = inferInputsOf(z.unknown());

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

/** The Open Inference Protocol's tensor datatypes. */
const NUMBER_TYPES = new Set(['UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64']);
const DATATYPES = [...NUMBER_TYPES, 'BOOL', 'BYTES'];

/** What is wrong with a tensor's shape, datatype or data, if anything: its data must fill its shape and fit its datatype. */
function tensorProblem(t: Tensor, field: string): Rows | undefined {
  if (t.shape.length < 1 || t.shape.length > 2 || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    return problem(field, `has shape ${JSON.stringify(t.shape).slice(0, 60)}`, 'a shape of one or two whole numbers, 0 or more: [n] or [n, d]');
  }
  if (typeof t.datatype !== 'string' || !DATATYPES.includes(t.datatype)) return problem(field, `has datatype ${JSON.stringify(t.datatype ?? null).slice(0, 40)}`, `a datatype: ${DATATYPES.join(', ')}`);
  const data = flatten(t.data);
  const size = t.shape.reduce((a, b) => a * b, 1);
  if (data.length !== size) return problem(field, `has ${data.length} values for shape [${t.shape.join(', ')}]`, `${size} values`);
  const fits = NUMBER_TYPES.has(t.datatype) ? (v: unknown) => v === null || typeof v === 'number' : t.datatype === 'BOOL' ? (v: unknown) => v === null || typeof v === 'boolean' : (v: unknown) => v === null || typeof v !== 'object';
  const bad = data.findIndex((v) => !fits(v));
  if (bad >= 0) return problem(field, `a ${t.datatype} tensor holding ${JSON.stringify(data[bad]).slice(0, 40)} at ${bad}`, NUMBER_TYPES.has(t.datatype) ? 'numbers (or null)' : t.datatype === 'BOOL' ? 'booleans (or null)' : 'strings or numbers (or null)');
  return undefined;
}

/**
 * Rows from a v2 `infer` body. Two layouts clients use: one tensor per input column (named as the
 * model's inputs, shape [n] or [n, 1]), or a single [n, d] tensor whose columns are the model's inputs
 * in signature order (how sklearn and XGBoost servers take a matrix). A tensor must fill its shape with
 * values of its datatype; a column the model does not take is a problem, not ignored.
 */
export function rowsFromInfer(body: unknown, signature: ModelSignature): Rows {
  // The list's bound by the schema the document's InferRequest is generated from.
  const listed = inferInputs.safeParse((body as { inputs?: unknown } | null)?.inputs);
  if (!listed.success) return problem('inputs', 'missing or empty', 'a list of tensors {name, shape, datatype, data}');
  const inputs = listed.data;
  for (const [k, t] of inputs.entries()) {
    const tensor = t as Partial<Tensor> | null;
    if (tensor === null || typeof tensor !== 'object' || typeof tensor.name !== 'string' || !Array.isArray(tensor.shape) || !Array.isArray(tensor.data)) {
      return problem(`inputs[${k}]`, 'not a tensor', '{name, shape, datatype, data}');
    }
    const wrong = tensorProblem(tensor as Tensor, tensor.name);
    if (wrong !== undefined) return wrong;
  }
  const tensors = inputs as Tensor[];
  const names = signature.inputs.map((i) => i.name);
  if (tensors.length === 1 && tensors[0]!.shape.length === 2 && tensors[0]!.shape[1] !== 1 && !names.includes(tensors[0]!.name)) {
    const [n, d] = tensors[0]!.shape as [number, number];
    const data = flatten(tensors[0]!.data);
    if (d !== names.length) return problem(tensors[0]!.name, `has ${d} columns`, `${names.length}: ${names.join(', ')}`);
    return { rows: Array.from({ length: n }, (_, i) => Object.fromEntries(names.map((name, j) => [name, data[i * d + j]]))) };
  }
  const n = tensors[0]!.shape[0]!;
  const columns = new Map<string, unknown[]>();
  for (const t of tensors) {
    if (!names.includes(t.name)) return problem(t.name, 'is not an input of the model', `tensors named as its inputs: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''}`);
    if (columns.has(t.name)) return problem(t.name, 'is given twice', 'one tensor per input');
    if (t.shape[0] !== n || (t.shape.length === 2 && t.shape[1] !== 1)) return problem(t.name, `has shape [${t.shape.join(', ')}]`, `[${n}] or [${n}, 1], like the first input`);
    columns.set(t.name, flatten(t.data));
  }
  return { rows: Array.from({ length: n }, (_, i) => Object.fromEntries([...columns].map(([name, data]) => [name, data[i]]))) };
}

/**
 * The v2 response: `prediction` ([n], BYTES for labels and anomaly flags, FP64 for values), `probabilities`
 * ([n, k]) or an anomaly model's `score` ([n]); `abstained` ([n], BOOL) when a deployment's abstain-below threshold applied.
 */
export function inferResponse(model: ServedVersion, answers: readonly { id: string; prediction: string | number; probabilities?: Record<string, number>; score?: number; abstained?: true }[], id: string | undefined, abstaining = false): object {
  const n = answers.length;
  const labels = model.signature.output.labels;
  const anomaly = model.signature.output.task === 'anomaly';
  const outputs: Tensor[] = [
    { name: 'prediction', shape: [n], datatype: labels === undefined && !anomaly ? 'FP64' : 'BYTES', data: answers.map((a) => a.prediction) },
  ];
  if (anomaly) outputs.push({ name: 'score', shape: [n], datatype: 'FP64', data: answers.map((a) => a.score ?? null) });
  if (labels !== undefined) outputs.push({ name: 'probabilities', shape: [n, labels.length], datatype: 'FP64', data: answers.flatMap((a) => labels.map((l) => a.probabilities![l]!)) });
  if (abstaining) outputs.push({ name: 'abstained', shape: [n], datatype: 'BOOL', data: answers.map((a) => a.abstained === true) });
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
      { name: 'prediction', datatype: model.signature.output.labels === undefined && model.signature.output.task !== 'anomaly' ? 'FP64' : 'BYTES', shape: [-1] },
      ...(model.signature.output.task === 'anomaly' ? [{ name: 'score', datatype: 'FP64', shape: [-1] }] : []),
      ...(model.signature.output.labels !== undefined ? [{ name: 'probabilities', datatype: 'FP64', shape: [-1, model.signature.output.labels.length] }] : []),
    ],
  };
}

/** A JSON type for each training type: what a row's field may hold (null: missing). */
const JSON_TYPES: Record<string, string[]> = { numeric: ['number', 'null'], binary: ['boolean', 'number', 'string', 'null'] };

/** One row a model takes, as a JSON Schema, from its signature: `GET /v1/models/NAME` and the OpenAPI document's `Model_<name>_Input`. */
export function inputSchema(signature: ModelSignature): Record<string, unknown> {
  return {
    type: 'object',
    description: 'One row: a missing field is predicted as missing; fields the model does not read are ignored unless the server is strict.',
    properties: Object.fromEntries(signature.inputs.map((i) => [i.name, { type: JSON_TYPES[i.type] ?? ['string', 'number', 'boolean', 'null'], description: `${i.type} at training` }])),
    additionalProperties: true,
  };
}

/** `GET /v1/models/NAME`: the version answering, its inputs and output (the same signature v2 metadata gives as tensors), and a row's JSON Schema. */
export function modelSchema(model: ServedVersion): unknown {
  return { name: model.model, version: model.version, inputs: model.signature.inputs, output: model.signature.output, input_schema: inputSchema(model.signature) };
}

/** Rows from MLflow's `/invocations` bodies: `dataframe_split` {columns, data} or `dataframe_records` [{…}]. */
export function rowsFromInvocations(body: unknown): Rows {
  const b = body as { dataframe_split?: { columns?: unknown; data?: unknown }; dataframe_records?: unknown } | null;
  if (b !== null && typeof b === 'object' && b.dataframe_split !== undefined) {
    const { data } = b.dataframe_split;
    const named = mlflowColumnsSchema.safeParse(b.dataframe_split.columns);
    if (!named.success) return problem('dataframe_split.columns', 'missing or not a list of names', 'the column names');
    const columns = named.data;
    if (!Array.isArray(data) || !data.every((r) => Array.isArray(r) && r.length === columns.length)) return problem('dataframe_split.data', 'not a list of rows as long as columns', `rows of ${columns.length} values`);
    return { rows: (data as unknown[][]).map((r) => Object.fromEntries(columns.map((c, j) => [c, r[j]]))) };
  }
  if (b !== null && typeof b === 'object' && Array.isArray(b.dataframe_records)) return { rows: b.dataframe_records as Record<string, unknown>[] };
  return problem('(body)', 'neither dataframe_split nor dataframe_records', '{"dataframe_split": {"columns": [...], "data": [[...]]}} or {"dataframe_records": [{...}]}');
}
