import { HyperplaneError } from '../errors.js';
import type { Model } from '../learn/contract.js';
import { checkModel } from '../learn/predictors.js';
import type { AttrValue, OnnxNode } from './onnx-read.js';

/** A node's attributes read by kind; every problem is an error naming the op and the node. */
export class NodeAttrs {
  constructor(readonly node: OnnxNode) {}

  /** "op 'TreeEnsembleClassifier' (node 'X')", for messages. */
  get where(): string {
    return `op '${this.node.op}' (node '${this.node.name}')`;
  }

  fail(why: string): never {
    throw new HyperplaneError(`${this.where}: ${why}`);
  }

  /** The converted model, checked as a loaded package's models are: a state it cannot hold is this node's fault. */
  checked(model: Model): Model {
    try {
      checkModel(model);
    } catch (e) {
      this.fail(`the converted model is inconsistent: ${e instanceof Error ? e.message : String(e)}`);
    }
    return model;
  }

  private get<K extends AttrValue['kind']>(name: string, kinds: readonly K[]): Extract<AttrValue, { kind: K }> | undefined {
    const a = this.node.attrs.get(name);
    if (a === undefined) return undefined;
    if (!(kinds as readonly string[]).includes(a.kind)) this.fail(`attribute ${name} is a ${a.kind}; expected ${kinds.join(' or ')}`);
    return a as Extract<AttrValue, { kind: K }>;
  }

  has(name: string): boolean {
    return this.node.attrs.has(name);
  }

  string(name: string, fallback?: string): string {
    const a = this.get(name, ['string']);
    if (a !== undefined) return a.value;
    if (fallback === undefined) this.fail(`attribute ${name} is missing`);
    return fallback;
  }

  int(name: string, fallback?: number): number {
    const a = this.get(name, ['int']);
    if (a !== undefined) return a.value;
    if (fallback === undefined) this.fail(`attribute ${name} is missing`);
    return fallback;
  }

  ints(name: string, fallback?: number[]): number[] {
    const a = this.get(name, ['ints']);
    if (a !== undefined) return a.value;
    if (fallback === undefined) this.fail(`attribute ${name} is missing`);
    return fallback;
  }

  strings(name: string, fallback?: string[]): string[] {
    const a = this.get(name, ['strings']);
    if (a !== undefined) return a.value;
    if (fallback === undefined) this.fail(`attribute ${name} is missing`);
    return fallback;
  }

  /**
   * A list of reals: `name` (float32), or opset 3's `name_as_tensor` (a double tensor, kept as doubles).
   * `double` says which was given: the comparisons and sums then happen in that precision.
   */
  reals(name: string, fallback?: number[]): { values: number[]; double: boolean } {
    const t = this.get(`${name}_as_tensor`, ['tensor']);
    const f = this.get(name, ['floats', 'float']);
    if (t !== undefined && f !== undefined) this.fail(`both ${name} and ${name}_as_tensor are given; the spec allows one`);
    if (t !== undefined) return { values: t.value.numbers, double: t.value.elem === 11 };
    if (f !== undefined) return { values: f.kind === 'float' ? [f.value] : f.value, double: false };
    if (fallback === undefined) this.fail(`attribute ${name} (or ${name}_as_tensor) is missing`);
    return { values: fallback, double: false };
  }

  /** Class labels: `${prefix}_strings`, or `${prefix}_int64s` / `${prefix}_ints` as decimal strings. */
  labels(prefix: string): string[] | undefined {
    const s = this.get(`${prefix}_strings`, ['strings']);
    const i = this.get(`${prefix}_int64s`, ['ints']) ?? this.get(`${prefix}_ints`, ['ints']);
    if (s !== undefined && i !== undefined) this.fail(`both ${prefix}_strings and integer labels are given; the spec allows one`);
    return s !== undefined ? s.value : i?.value.map(String);
  }
}
