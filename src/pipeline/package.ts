import type { MonitorReference } from '../monitor/reference.js';
import { HyperplaneError } from '../errors.js';
// The predict-time registry and the model format, not the learners: reading a package needs no Node API.
import { checkModel, readModel } from '../learn/predictors.js';
import { serializeModel } from '../learn/serialize.js';
import type { Model } from '../learn/contract.js';
import type { Member, PipelineSpec } from './pipeline.js';
import { conditionsRecipe, type Recipe } from '../features/recipe.js';
import { rulesModel } from '../learn/rules/rules.js';
import type { RulesSpec } from '../learn/rules/rules-params.js';
import { checkMember, checkRecipe, checkSchema, checkTarget, describeIssue, headerSchema } from './package-check.js';

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
  /** Rows the packaged model learned from. */
  trainRows: number;
  /**
   * Whether the package holds the evaluated model or the same pipeline refit on every labelled row
   * afterwards (then the metrics measure the evaluated model, an estimate of this one). Absent in
   * packages made before refits existed: those hold the evaluated model.
   */
  fit?: { refit: boolean; evaluatedRows: number; why: string };
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
  const models = pkg.pipeline.members.map((m) => serializeModel(m.model));
  let offset = 0;
  const members = pkg.pipeline.members.map((m, i): HeaderMember => {
    const ref = { recipe: m.recipe, weight: m.weight, model: { offset, length: models[i]!.length } };
    offset += align8(models[i]!.length);
    return ref;
  });
  const header = { package: PACKAGE_VERSION, target: pkg.pipeline.target, schema: pkg.pipeline.schema, members, info: pkg.info, ...(pkg.pipeline.background !== undefined ? { background: pkg.pipeline.background } : {}), ...(pkg.pipeline.monitor !== undefined ? { monitor: pkg.pipeline.monitor } : {}) };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = align8(MAGIC.length + 4 + json.length);
  const out = new Uint8Array(start + offset);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(MAGIC.length, json.length, true);
  out.set(json, MAGIC.length + 4);
  members.forEach((m, i) => {
    if ('model' in m) out.set(models[i]!, start + m.model.offset);
  });
  return out;
}

/** A member in the header: a recipe and where its model's bytes are; packages made before rules were a learner may hold bare rules (plain data, no bytes). */
type HeaderMember = { recipe: Recipe; weight: number; model: { offset: number; length: number } } | { rules: RulesSpec; weight: number };

interface Header {
  package: number;
  target: PipelineSpec['target'];
  schema: PipelineSpec['schema'];
  members: HeaderMember[];
  info: PackageInfo;
  background?: PipelineSpec['background'];
  monitor?: PipelineSpec['monitor'];
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
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(MAGIC.length + 4, MAGIC.length + 4 + length)));
  } catch {
    return fail('the package header is corrupt (not valid JSON)');
  }
  const version = (json as { package?: unknown } | null)?.package;
  if (typeof version !== 'number') return fail('the package header is corrupt (no format version)');
  if (Number.isInteger(version) && version > PACKAGE_VERSION) return fail(`the package is format ${version}, newer than this Hyperplane reads (${PACKAGE_VERSION}); upgrade Hyperplane`);
  if (!Number.isInteger(version) || version < 1) return fail(`the package has format version ${version}, which no Hyperplane writes (this one reads ${PACKAGE_VERSION === 1 ? 'version 1' : `versions 1 to ${PACKAGE_VERSION}`})`);
  // Checked whole before anything is used: a hand-edited package fails here, naming the part.
  const parsed = headerSchema.safeParse(json);
  if (!parsed.success) return fail(`the package header is invalid: ${describeIssue(parsed.error)}`);
  const header = json as Header;
  const problem = checkTarget(header.target) ?? checkSchema(header.schema);
  if (problem !== undefined) return fail(problem);
  const start = align8(MAGIC.length + 4 + length);
  const members = header.members.map((m, i): Member => {
    const failMember = (kind: string | undefined, why: string): never => fail(`member ${i}${kind !== undefined ? ` (${kind})` : ''}: ${why}`);
    if ('rules' in m) {
      // An older package's rules: the same conditions, as the rules learner's recipe and model.
      try {
        const recipe = conditionsRecipe(header.schema, m.rules.conditions.map((c, j) => ({ if: c.if, field: `rules.conditions.${j}.if` })), { target: header.target.name });
        return { recipe, model: rulesModel(m.rules, header.target.task, header.target.labels ?? []), weight: m.weight };
      } catch (e) {
        return failMember('rules', e instanceof HyperplaneError ? e.message : String(e));
      }
    }
    const end = start + m.model.offset + m.model.length;
    if (end > bytes.length) return fail('the package is truncated (a model runs past the end of the file)');
    const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
    let model: Model;
    try {
      model = readModel(bytes.slice(start + m.model.offset, end));
    } catch (e) {
      return failMember(undefined, message(e));
    }
    // The header's claims against the recipe and target first: a state check would then blame the state.
    const why = checkRecipe(m.recipe, header.schema) ?? checkMember(model, m.recipe, header.target);
    if (why !== undefined) return failMember(model.kind, why);
    try {
      checkModel(model);
    } catch (e) {
      return failMember(model.kind, message(e));
    }
    return { recipe: m.recipe, weight: m.weight, model };
  });
  if (!(members.reduce((s, m) => s + m.weight, 0) > 0)) return fail('the members\' weights are all 0; at least one must be positive');
  return { pipeline: { target: header.target, schema: header.schema, members, ...(header.background !== undefined ? { background: header.background } : {}), ...(header.monitor !== undefined ? { monitor: header.monitor as MonitorReference } : {}) }, info: header.info };
}
