import { z } from 'zod';
import type { Model, ModelState, StateValue } from './contract.js';
import { LearnError } from './errors.js';

/**
 * The model file: "HPMODEL\0", a little-endian u32 header length, a JSON header, then the typed arrays'
 * bytes, each 8-byte aligned. The header holds everything that is not a typed array, and each typed
 * array as {$array: dtype, offset, length}. Loading parses JSON and copies bytes: nothing executes.
 */
const MAGIC = 'HPMODEL\0';
export const CONTAINER_VERSION = 1;

type DType = 'f64' | 'f32' | 'i32' | 'u32' | 'u8';
interface ArrayRef {
  $array: DType;
  offset: number;
  length: number;
}
type Encoded = number | string | boolean | null | ArrayRef | Encoded[] | { [key: string]: Encoded };

const CTORS = { f64: Float64Array, f32: Float32Array, i32: Int32Array, u32: Uint32Array, u8: Uint8Array } as const;

function dtypeOf(v: StateValue): DType | undefined {
  if (v instanceof Float64Array) return 'f64';
  if (v instanceof Float32Array) return 'f32';
  if (v instanceof Int32Array) return 'i32';
  if (v instanceof Uint32Array) return 'u32';
  if (v instanceof Uint8Array) return 'u8';
  return undefined;
}

/** The model file's header: the fields every model has (the state is checked by its learner). */
const headerSchema = z.object({
  container: z.number().int().min(1),
  kind: z.string().min(1),
  formatVersion: z.number().int().min(1),
  task: z.enum(['binary', 'multiclass', 'regression', 'anomaly', 'cluster']),
  nFeatures: z.number().int().min(0),
  nClasses: z.number().int().min(1),
  params: z.record(z.string(), z.unknown()),
  // Non-finite numbers here were written as null (JSON); nothing reads them to predict.
  training: z.looseObject({ warnings: z.array(z.string()).optional() }),
  state: z.record(z.string(), z.unknown()),
});

/** Typed arrays nest at most this deep in a state (JSON nesting deeper is not a model). */
const MAX_DEPTH = 32;

export function serializeModel(model: Model): Uint8Array {
  const buffers: Uint8Array[] = [];
  let offset = 0;
  const encode = (v: StateValue): Encoded => {
    const dtype = dtypeOf(v);
    if (dtype !== undefined) {
      const arr = v as Float64Array | Float32Array | Int32Array | Uint32Array | Uint8Array;
      const bytes = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
      const ref: ArrayRef = { $array: dtype, offset, length: arr.length };
      buffers.push(bytes);
      offset += align8(bytes.length);
      return ref;
    }
    if (Array.isArray(v)) return v.map(encode);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)]));
    if (typeof v === 'number' && !Number.isFinite(v)) return { $number: String(v) } as unknown as Encoded;
    return v as Encoded;
  };
  const header = {
    container: CONTAINER_VERSION,
    kind: model.kind,
    formatVersion: model.formatVersion,
    task: model.task,
    nFeatures: model.nFeatures,
    nClasses: model.nClasses,
    params: model.params,
    training: model.training,
    state: encode(model.state),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = align8(json.length);
  const out = new Uint8Array(MAGIC.length + 4 + headerLength + offset);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(MAGIC.length, headerLength, true);
  out.set(json, MAGIC.length + 4);
  out.fill(0x20, MAGIC.length + 4 + json.length, MAGIC.length + 4 + headerLength);
  let at = MAGIC.length + 4 + headerLength;
  for (const b of buffers) {
    out.set(b, at);
    at += align8(b.length);
  }
  return out;
}

/** Reads a model file. `supported` maps kind → newest formatVersion this build can read. */
export function deserializeModel(bytes: Uint8Array, supported: (kind: string) => number | undefined): Model {
  const magic = new TextDecoder().decode(bytes.subarray(0, MAGIC.length));
  if (bytes.length < MAGIC.length + 4 || magic !== MAGIC) throw new LearnError('not a Hyperplane model file (bad magic bytes)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(MAGIC.length, true);
  const dataStart = MAGIC.length + 4 + headerLength;
  if (dataStart > bytes.length) throw new LearnError('the model file is truncated (header runs past the end)');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(MAGIC.length + 4, dataStart)));
  } catch {
    throw new LearnError('the model file is corrupt (its header is not valid JSON)');
  }
  // A newer container may be shaped otherwise: say so before judging its shape.
  const container = (json as { container?: unknown } | null)?.container;
  if (typeof container === 'number' && container > CONTAINER_VERSION) throw new LearnError(`the model file uses container version ${container}; this Hyperplane reads up to ${CONTAINER_VERSION}: upgrade Hyperplane`);
  const parsed = headerSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new LearnError(`the model file's header is invalid: ${issue.path.map(String).join('.') || '(header)'}: ${issue.message.replace(/^Invalid input: /, '')}`);
  }
  const header = parsed.data as z.output<typeof headerSchema> & { task: Model['task']; training: Model['training']; state: Encoded };
  const newest = supported(header.kind);
  if (newest === undefined) throw new LearnError(`unknown model kind '${header.kind}'`);
  if (header.formatVersion > newest) {
    throw new LearnError(`the '${header.kind}' model has format version ${header.formatVersion}; this Hyperplane reads up to ${newest}: upgrade Hyperplane`);
  }
  const decode = (e: Encoded, depth = 0): StateValue => {
    if (depth > MAX_DEPTH) throw new LearnError(`the model file is corrupt (its state nests more than ${MAX_DEPTH} deep)`);
    if (Array.isArray(e)) return e.map((x) => decode(x, depth + 1));
    if (e !== null && typeof e === 'object') {
      if ('$array' in e) {
        const ref = e as ArrayRef;
        const Ctor = Object.hasOwn(CTORS, ref.$array) ? CTORS[ref.$array] : undefined;
        if (Ctor === undefined) throw new LearnError(`the model file is corrupt (an array of unknown type ${JSON.stringify(ref.$array)})`);
        if (!Number.isSafeInteger(ref.offset) || !Number.isSafeInteger(ref.length) || ref.offset < 0 || ref.length < 0) {
          throw new LearnError('the model file is corrupt (an array with a bad offset or length)');
        }
        const byteLength = ref.length * Ctor.BYTES_PER_ELEMENT;
        const start = dataStart + ref.offset;
        if (start + byteLength > bytes.length) throw new LearnError('the model file is truncated or corrupt (an array runs past the end)');
        // Copy, so the model owns aligned memory independent of the file buffer.
        const copy = new Uint8Array(byteLength);
        copy.set(bytes.subarray(start, start + byteLength));
        return new Ctor(copy.buffer);
      }
      if ('$number' in e) return Number((e as unknown as { $number: string }).$number);
      return Object.fromEntries(Object.entries(e).map(([k, x]) => [k, decode(x, depth + 1)]));
    }
    return e;
  };
  return {
    kind: header.kind,
    formatVersion: header.formatVersion,
    task: header.task,
    nFeatures: header.nFeatures,
    nClasses: header.nClasses,
    params: header.params,
    training: header.training,
    state: decode(header.state) as ModelState,
  };
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
