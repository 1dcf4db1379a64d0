import { BOOLEAN_PAIRS, MISSING_MARKERS, isMissingMarker } from '../data/schema/values.js';
import { ML_DOMAIN, type GraphBuilder } from './graph.js';

/**
 * String cells to numbers, as the recipe reads labels. ONNX has no case folding without a locale
 * (StringNormalizer needs en_US.UTF-8 installed), so case-insensitive matches are spelled out: every
 * ASCII upper/lower variant of a short label, and for long ones its common spellings.
 */

/** Labels with up to this many letters get every case variant (2^10 = 1024 keys at most). */
const MAX_VARIANT_LETTERS = 10;

/** The spellings of `label` that match it ignoring case. */
export function caseVariants(label: string): string[] {
  const chars = [...label];
  const letters = chars.filter((c) => c.toLowerCase() !== c.toUpperCase()).length;
  if (letters > MAX_VARIANT_LETTERS) {
    const capitalized = label.charAt(0).toUpperCase() + label.slice(1).toLowerCase();
    return [...new Set([label, label.toLowerCase(), label.toUpperCase(), capitalized])];
  }
  let out = [''];
  for (const c of chars) {
    const forms = [...new Set([c, c.toLowerCase(), c.toUpperCase()])].filter((f) => [...f].length === 1);
    out = out.flatMap((prefix) => forms.map((f) => prefix + f));
  }
  return [...new Set([label, ...out])];
}

/** Every spelling the JSON reader takes as missing (isMissingMarker), short of surrounding spaces. */
export function missingSpellings(): string[] {
  return [...MISSING_MARKERS].flatMap(caseVariants).filter(isMissingMarker);
}

/** The spellings meaning the same as a binary level: any case, and for true/false every boolean spelling (as sameLevel). */
export function levelSpellings(level: string): string[] {
  const lower = level.toLowerCase();
  if (lower !== 'true' && lower !== 'false') return caseVariants(level);
  const meaning = lower === 'true' ? 1 : 0;
  return [...caseVariants(level), ...BOOLEAN_PAIRS.flatMap((pair) => caseVariants(pair[meaning]!))];
}

/**
 * A LabelEncoder from strings to doubles: the first entry for a key wins (entries come in the order the
 * recipe tests them), `fallback` for any other string. The ML op gives float32: fine for codes and 0/1,
 * exact in float32. Returns a double [N, 1].
 */
export function encodeLabels(g: GraphBuilder, input: string, entries: readonly (readonly [string, number])[], fallback: number, name: string): string {
  const map = new Map<string, number>();
  for (const [key, value] of entries) if (!map.has(key)) map.set(key, value);
  for (const value of [fallback, ...map.values()]) {
    if (!Number.isNaN(value) && Math.fround(value) !== value) throw new Error(`label code ${value} is not exact in float32`);
  }
  const encoded = g.op('LabelEncoder', [input], { keys_strings: { strings: [...map.keys()] }, values_floats: { floats: [...map.values()] }, default_float: { float: fallback } }, { domain: ML_DOMAIN, name });
  return g.cast(encoded, 'double', `${name}_double`);
}
