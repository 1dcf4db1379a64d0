import { HyperplaneError } from '../errors.js';
import { loadModel, saveModel } from '../learn/registry.js';
import { isRulesMember, type Member, type PipelineSpec } from './pipeline.js';
import type { Recipe } from '../features/recipe.js';
import type { RulesSpec } from '../rules/rules.js';

/**
 * The model package, one file: "HPPKG\0\0\0", a little-endian u32 header length, a JSON header (target,
 * schema, recipes, how it was trained and how well it did), then each member's model in the model
 * format (serialize.ts), 8-byte aligned. Loading parses JSON and typed arrays: nothing executes.
 */
const MAGIC = 'HPPKG\0\0\0';
export const PACKAGE_VERSION = 1;

/** How the package came to be, for reports, the registry and reproduction. */
export interface PackageInfo {
  createdAt: string;
  /** The learner chosen ('auto' runs record what they chose). */
  learner: string;
  params: Record<string, unknown>;
  seed: number;
  /** sha256 of the training data's typed values. */
  fingerprint: string;
  source: string;
  trainRows: number;
  /** Test metrics by name, and how they were measured. */
  metrics: Record<string, number>;
  evaluation: string;
  leaderboard?: { learner: string; params: Record<string, unknown>; score: number; seconds: number }[];
  /** Per-feature summaries of the training data: the reference for drift monitoring. */
  reference?: unknown;
}

export interface ModelPackage {
  pipeline: PipelineSpec;
  info: PackageInfo;
}

const align8 = (n: number): number => (n + 7) & ~7;

export function encodePackage(pkg: ModelPackage): Uint8Array {
  const models = pkg.pipeline.members.map((m) => (isRulesMember(m) ? new Uint8Array(0) : saveModel(m.model)));
  let offset = 0;
  const members = pkg.pipeline.members.map((m, i): HeaderMember => {
    if (isRulesMember(m)) return { rules: m.rules, weight: m.weight };
    const ref = { recipe: m.recipe, weight: m.weight, model: { offset, length: models[i]!.length } };
    offset += align8(models[i]!.length);
    return ref;
  });
  const header = { package: PACKAGE_VERSION, target: pkg.pipeline.target, schema: pkg.pipeline.schema, members, info: pkg.info };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = align8(MAGIC.length + 4 + json.length);
  const out = new Uint8Array(start + offset);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(MAGIC.length, json.length, true);
  out.set(json, MAGIC.length + 4);
  members.forEach((m, i) => {
    if (!('rules' in m)) out.set(models[i]!, start + m.model.offset);
  });
  return out;
}

/** A member in the header: a recipe and where its model's bytes are, or rules (plain data, no bytes). */
type HeaderMember = { recipe: Recipe; weight: number; model: { offset: number; length: number } } | { rules: RulesSpec; weight: number };

interface Header {
  package: number;
  target: PipelineSpec['target'];
  schema: PipelineSpec['schema'];
  members: HeaderMember[];
  info: PackageInfo;
}

/** Reads a package; a file that is not one, is cut short, or comes from a newer Hyperplane is an error naming it. */
export function decodePackage(bytes: Uint8Array, file: string): ModelPackage {
  const fail = (why: string): never => {
    throw new HyperplaneError(why, { file });
  };
  if (bytes.length < MAGIC.length + 4 || new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) !== MAGIC) {
    return fail('not a Hyperplane model package (it does not start with the package signature)');
  }
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(MAGIC.length, true);
  if (MAGIC.length + 4 + length > bytes.length) return fail('the package is truncated (its header runs past the end of the file)');
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(MAGIC.length + 4, MAGIC.length + 4 + length))) as Header;
  } catch {
    return fail('the package header is corrupt (not valid JSON)');
  }
  if (typeof header.package !== 'number') return fail('the package header is corrupt (no format version)');
  if (header.package > PACKAGE_VERSION) return fail(`the package is format ${header.package}, newer than this Hyperplane reads (${PACKAGE_VERSION}); upgrade Hyperplane`);
  const start = align8(MAGIC.length + 4 + length);
  const members = header.members.map((m): Member => {
    if ('rules' in m) return { rules: m.rules, weight: m.weight };
    const end = start + m.model.offset + m.model.length;
    if (end > bytes.length) return fail('the package is truncated (a model runs past the end of the file)');
    try {
      return { recipe: m.recipe, weight: m.weight, model: loadModel(bytes.slice(start + m.model.offset, end)) };
    } catch (e) {
      return fail(`the package's model is unreadable: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  return { pipeline: { target: header.target, schema: header.schema, members }, info: header.info };
}
