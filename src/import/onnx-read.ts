import protoPkg, { type onnx as Proto } from 'onnx-proto';
import { HyperplaneError } from '../errors.js';

/**
 * An .onnx file decoded into the little this importer reads: the graph's nodes with their attributes,
 * its inputs and outputs with element types and widths, and its constant tensors (initializers).
 */

const { onnx } = protoPkg;

/** ONNX's TensorProto.DataType codes that the importer names. */
export const ELEM = { FLOAT: 1, INT32: 6, INT64: 7, STRING: 8, DOUBLE: 11 } as const;
const ELEM_NAMES: Record<number, string> = { 1: 'float', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool', 10: 'float16', 11: 'double', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16' };
export const elemName = (elem: number): string => ELEM_NAMES[elem] ?? `element type ${elem}`;

/** protobufjs gives int64s as numbers or as Long objects (when the `long` package is installed). */
type Int64 = number | { toString(): string };
const int = (v: Int64): number => (typeof v === 'number' ? v : Number(v.toString()));
const utf8 = new TextDecoder();

export type AttrValue = { kind: 'float'; value: number } | { kind: 'int'; value: number } | { kind: 'string'; value: string } | { kind: 'floats'; value: number[] } | { kind: 'ints'; value: number[] } | { kind: 'strings'; value: string[] } | { kind: 'tensor'; value: Tensor };

export interface Tensor {
  elem: number;
  dims: number[];
  /** Numbers for numeric tensors (doubles kept as doubles), labels for string ones. */
  numbers: number[];
  strings: string[];
}

export interface OnnxNode {
  op: string;
  domain: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attrs: Map<string, AttrValue>;
}

export interface OnnxValue {
  name: string;
  /** The element type of a tensor; undefined for sequences and maps (ZipMap's output). */
  elem: number | undefined;
  /** The dims; a dim without a fixed size (the batch) is -1. */
  dims: number[];
}

export interface OnnxGraph {
  nodes: OnnxNode[];
  inputs: OnnxValue[];
  outputs: OnnxValue[];
  initializers: Map<string, Tensor>;
  producer: string;
  /** Opset version by domain ('' is the default domain). */
  opsets: Map<string, number>;
}

function readTensor(t: Proto.ITensorProto): Tensor {
  const elem = t.dataType ?? 0;
  const dims = (t.dims ?? []).map(int);
  const tensor: Tensor = { elem, dims, numbers: [], strings: [] };
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) throw new HyperplaneError(`tensor '${t.name ?? ''}' keeps its data in an external file, which this importer does not read`);
  const raw = t.rawData !== null && t.rawData !== undefined && t.rawData.length > 0 ? t.rawData : undefined;
  const view = raw !== undefined ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
  const fromRaw = (size: number, get: (at: number) => number): number[] => Array.from({ length: view!.byteLength / size }, (_, i) => get(i * size));
  switch (elem) {
    case ELEM.FLOAT:
      tensor.numbers = view !== undefined ? fromRaw(4, (at) => view.getFloat32(at, true)) : (t.floatData ?? []);
      break;
    case ELEM.DOUBLE:
      tensor.numbers = view !== undefined ? fromRaw(8, (at) => view.getFloat64(at, true)) : (t.doubleData ?? []);
      break;
    case ELEM.INT64:
      tensor.numbers = view !== undefined ? fromRaw(8, (at) => Number(view.getBigInt64(at, true))) : (t.int64Data ?? []).map(int);
      break;
    case ELEM.INT32:
      tensor.numbers = view !== undefined ? fromRaw(4, (at) => view.getInt32(at, true)) : (t.int32Data ?? []);
      break;
    case ELEM.STRING:
      tensor.strings = (t.stringData ?? []).map((s) => utf8.decode(s));
      break;
    default:
      throw new HyperplaneError(`tensor '${t.name ?? ''}' holds ${elemName(elem)} values, which this importer does not read`);
  }
  return tensor;
}

function readAttr(a: Proto.IAttributeProto): AttrValue | undefined {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case T.FLOAT:
      return { kind: 'float', value: a.f ?? 0 };
    case T.INT:
      return { kind: 'int', value: int(a.i ?? 0) };
    case T.STRING:
      return { kind: 'string', value: utf8.decode(a.s ?? new Uint8Array(0)) };
    case T.FLOATS:
      return { kind: 'floats', value: a.floats ?? [] };
    case T.INTS:
      return { kind: 'ints', value: (a.ints ?? []).map(int) };
    case T.STRINGS:
      return { kind: 'strings', value: (a.strings ?? []).map((s) => utf8.decode(s)) };
    case T.TENSOR:
      return a.t === null || a.t === undefined ? undefined : { kind: 'tensor', value: readTensor(a.t) };
    default:
      // Graphs, sparse tensors and types: no op this importer converts has them.
      return undefined;
  }
}

function readValue(v: Proto.IValueInfoProto): OnnxValue {
  const tensor = v.type?.tensorType ?? undefined;
  const dims = (tensor?.shape?.dim ?? []).map((d) => (d.dimValue !== null && d.dimValue !== undefined && int(d.dimValue) > 0 ? int(d.dimValue) : -1));
  return { name: v.name ?? '', elem: tensor === undefined ? undefined : (tensor.elemType ?? undefined), dims };
}

const NOT_ONNX = 'not an ONNX model (expected a ModelProto with a graph, as skl2onnx or onnxmltools write)';

/** Decodes an .onnx file's bytes; anything that is not an ONNX model is a HyperplaneError saying so. */
export function readOnnx(bytes: Uint8Array): OnnxGraph {
  let model: Proto.IModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch {
    throw new HyperplaneError(NOT_ONNX);
  }
  // Protobuf decodes many byte strings without complaint: a real model has an IR version and a graph with nodes.
  const graph = model.graph;
  if (int(model.irVersion ?? 0) <= 0 || graph === null || graph === undefined || (graph.node ?? []).length === 0 || (graph.output ?? []).length === 0) throw new HyperplaneError(NOT_ONNX);
  const nodes = (graph.node ?? []).map((n, i): OnnxNode => {
    const attrs = new Map<string, AttrValue>();
    for (const a of n.attribute ?? []) {
      const value = readAttr(a);
      if (value !== undefined) attrs.set(a.name ?? '', value);
    }
    return { op: n.opType ?? '', domain: n.domain ?? '', name: n.name !== null && n.name !== undefined && n.name !== '' ? n.name : `#${i}`, inputs: n.input ?? [], outputs: n.output ?? [], attrs };
  });
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', readTensor(t)] as const));
  // Initializers may be listed among the inputs (IR < 4): those are constants, not inputs.
  const inputs = (graph.input ?? []).filter((v) => !initializers.has(v.name ?? '')).map(readValue);
  const opsets = new Map((model.opsetImport ?? []).map((o) => [o.domain ?? '', int(o.version ?? 0)] as const));
  const producer = [model.producerName ?? '', model.producerVersion ?? ''].filter((s) => s !== '').join(' ');
  return { nodes, inputs, outputs: (graph.output ?? []).map(readValue), initializers, producer, opsets };
}
