import { z } from 'zod';
import type { Model } from './contract.js';
import { LearnError } from './errors.js';

/**
 * Checks for a loaded model's state. A model file is data a person can edit, so each learner checks
 * its state on load (shapes, lengths, indices, finite numbers) and a bad file fails there, naming the
 * field, instead of predicting garbage later. Errors read `state.coef has 3 values, expected 30`.
 */

type TypedArray = Float64Array | Float32Array | Int32Array | Uint32Array | Uint8Array;
type ArrayCtor<T extends TypedArray> = { new (n: number): T; name: string };

export function stateError(field: string, message: string): LearnError {
  return new LearnError(`state.${field} ${message}`);
}

const plural = (n: number, what: string): string => `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;

/** The state parsed with a zod schema (types of its fields); the first issue names the field. */
export function parseState<S extends z.ZodType>(model: Model, schema: S): z.output<S> {
  const parsed = schema.safeParse(model.state);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.map(String).join('.');
  throw new LearnError(`state${field !== '' ? `.${field}` : ''}: ${issue.message.replace(/^Invalid input: /, '')}`);
}

/** A zod schema for a typed array of one kind, with a message a person can act on. */
export function typedArray<T extends TypedArray>(Ctor: ArrayCtor<T>): z.ZodType<T> {
  return z.custom<T>((v) => v instanceof Ctor, { message: `expected a ${Ctor.name}` });
}

export const f64 = typedArray(Float64Array);
export const i32 = typedArray(Int32Array);
export const u8 = typedArray(Uint8Array);
export const u32 = typedArray(Uint32Array);
/** Non-finite numbers are stored as {$number: "NaN"}; any number is a number here, `finite` checks further. */
export const finite = z.number().refine(Number.isFinite, { message: 'expected a finite number' });

export function checkLength(field: string, a: ArrayLike<unknown>, expected: number, why = ''): void {
  if (a.length !== expected) throw stateError(field, `has ${plural(a.length, 'value')}, expected ${expected.toLocaleString('en-US')}${why}`);
}

/** Every value a number (not NaN, nor ±Infinity unless allowed). */
export function checkFinite(field: string, a: ArrayLike<number>, allowInfinite = false): void {
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (v !== v || (!allowInfinite && !Number.isFinite(v))) throw stateError(`${field}[${i}]`, `is ${v}; expected a finite number`);
  }
}

/** Every value an integer in [lo, hi). */
export function checkRange(field: string, a: ArrayLike<number>, lo: number, hi: number, what = 'an index'): void {
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (!(v >= lo && v < hi)) throw stateError(`${field}[${i}]`, `is ${v}; expected ${what} from ${lo} to ${hi - 1}`);
  }
}

