import protoPkg from 'onnx-proto';

// Builds ONNX graphs as plain protobuf messages. No node: module here: the export runs wherever the package loads.
const { onnx } = protoPkg;

/** The default domain's opset: 17 is the newest that Debian's python3-onnx (1.12) checks. */
export const DEFAULT_OPSET = 17;
/** ai.onnx.ml opset 3: TreeEnsemble*'s `*_as_tensor` attributes (double thresholds and leaf values). */
export const ML_OPSET = 3;
export const ML_DOMAIN = 'ai.onnx.ml';
export const IR_VERSION = 8;

const T = onnx.TensorProto.DataType;
const A = onnx.AttributeProto.AttributeType;

export type ElementType = 'double' | 'float' | 'int64' | 'string' | 'bool';
const ELEMENT: Record<ElementType, number> = { double: T.DOUBLE, float: T.FLOAT, int64: T.INT64, string: T.STRING, bool: T.BOOL };

/** An attribute value: numbers are floats unless wrapped with `ints`; a tensor goes as `tensor`. */
export type AttributeValue =
  | { ints: readonly number[] }
  | { int: number }
  | { floats: readonly number[] }
  | { float: number }
  | { string: string }
  | { strings: readonly string[] }
  | { tensor: protoPkg.onnx.ITensorProto };

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A double tensor stored as raw little-endian bytes: exact, and compact for big tables of leaf values. */
export function doubleTensor(values: ArrayLike<number>, dims: readonly number[], name = ''): protoPkg.onnx.ITensorProto {
  const data = Float64Array.from(values);
  return { name, dataType: T.DOUBLE, dims: [...dims], rawData: new Uint8Array(data.buffer) };
}

export function int64Tensor(values: readonly number[], dims: readonly number[], name = ''): protoPkg.onnx.ITensorProto {
  return { name, dataType: T.INT64, dims: [...dims], int64Data: [...values] };
}

export function stringTensor(values: readonly string[], dims: readonly number[], name = ''): protoPkg.onnx.ITensorProto {
  return { name, dataType: T.STRING, dims: [...dims], stringData: values.map(utf8) };
}

function attribute(name: string, value: AttributeValue): protoPkg.onnx.IAttributeProto {
  if ('ints' in value) return { name, type: A.INTS, ints: [...value.ints] };
  if ('int' in value) return { name, type: A.INT, i: value.int };
  if ('floats' in value) return { name, type: A.FLOATS, floats: [...value.floats] };
  if ('float' in value) return { name, type: A.FLOAT, f: value.float };
  if ('string' in value) return { name, type: A.STRING, s: utf8(value.string) };
  if ('strings' in value) return { name, type: A.STRINGS, strings: value.strings.map(utf8) };
  return { name, type: A.TENSOR, t: value.tensor };
}

function valueInfo(name: string, type: ElementType, dims: readonly (number | string)[]): protoPkg.onnx.IValueInfoProto {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType: ELEMENT[type], shape: { dim } } } };
}

/**
 * A graph under construction. Every value gets a fresh name from a prefix, so converters written apart
 * (recipe steps, members, trees) never collide.
 */
export class GraphBuilder {
  private readonly nodes: protoPkg.onnx.INodeProto[] = [];
  private readonly initializers: protoPkg.onnx.ITensorProto[] = [];
  private readonly inputs: protoPkg.onnx.IValueInfoProto[] = [];
  private readonly outputs: protoPkg.onnx.IValueInfoProto[] = [];
  private readonly used = new Set<string>();
  private usesMl = false;

  /** A name not used yet, from `prefix` (made safe: letters, digits, _ . -). */
  fresh(prefix: string): string {
    const base = prefix.replace(/[^A-Za-z0-9_.-]/g, '_') || 'v';
    let name = base;
    for (let k = 1; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }

  /** A graph input [N, 1] (N symbolic): its name is the column's, exactly. */
  input(name: string, type: ElementType): string {
    if (this.used.has(name)) throw new Error(`graph input '${name}' named twice`);
    this.used.add(name);
    this.inputs.push(valueInfo(name, type, ['N', 1]));
    return name;
  }

  /** Marks `value` as a graph output under `name` (through an Identity when the names differ). */
  output(value: string, name: string, type: ElementType, dims: readonly (number | string)[]): void {
    if (value !== name) {
      if (this.used.has(name)) throw new Error(`graph output '${name}' clashes with a value of the graph`);
      this.used.add(name);
      this.nodes.push({ opType: 'Identity', input: [value], output: [name], name: this.fresh(`Identity_${name}`), domain: '' });
    }
    this.outputs.push(valueInfo(name, type, dims));
  }

  constant(tensor: protoPkg.onnx.ITensorProto, prefix = 'const'): string {
    const name = this.fresh(prefix);
    this.initializers.push({ ...tensor, name });
    return name;
  }

  doubles(values: ArrayLike<number>, dims: readonly number[], prefix = 'c'): string {
    return this.constant(doubleTensor(values, dims), prefix);
  }

  int64s(values: readonly number[], dims: readonly number[] = [values.length], prefix = 'i'): string {
    return this.constant(int64Tensor(values, dims), prefix);
  }

  strings(values: readonly string[], dims: readonly number[] = [values.length], prefix = 's'): string {
    return this.constant(stringTensor(values, dims), prefix);
  }

  /** Adds a node; returns its outputs' names (`outputs` of them, named from the op). */
  node(opType: string, inputs: readonly string[], attributes: Readonly<Record<string, AttributeValue>> = {}, options: { domain?: string; outputs?: number; name?: string } = {}): string[] {
    const domain = options.domain ?? '';
    if (domain === ML_DOMAIN) this.usesMl = true;
    const prefix = options.name ?? opType;
    const outputs = Array.from({ length: options.outputs ?? 1 }, (_, k) => this.fresh(k === 0 ? prefix : `${prefix}_out${k}`));
    this.nodes.push({ opType, domain, input: [...inputs], output: outputs, name: this.fresh(`${prefix}_node`), attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)) });
    return outputs;
  }

  /** A node with one output. */
  op(opType: string, inputs: readonly string[], attributes: Readonly<Record<string, AttributeValue>> = {}, options: { domain?: string; name?: string } = {}): string {
    return this.node(opType, inputs, attributes, options)[0]!;
  }

  cast(value: string, to: ElementType, name = 'Cast'): string {
    return this.op('Cast', [value], { to: { int: ELEMENT[to] } }, { name });
  }

  /** The model, encoded: IR 8, the default opset and ai.onnx.ml 3 where used. */
  encode(meta: { graphName: string; docString: string; producerVersion: string; metadata?: Readonly<Record<string, string>> }): Uint8Array {
    const opsetImport = [{ domain: '', version: DEFAULT_OPSET }, ...(this.usesMl ? [{ domain: ML_DOMAIN, version: ML_OPSET }] : [])];
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: 'hyperplane',
      producerVersion: meta.producerVersion,
      docString: meta.docString,
      opsetImport,
      metadataProps: Object.entries(meta.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph: { name: meta.graphName, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
