import { decodePackage } from '../pipeline/package.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { cannotExplain, Explainer } from '../explain/explainer.js';
import { rulesOnly, type RulesExplainer } from '../explain/rules.js';
import { RowScorer, scorecardMember } from '../explain/scorecard.js';
import { modelSignature, type ModelSignature } from '../pipeline/signature.js';
import { HyperplaneError } from '../errors.js';
import type { Store } from '../store/index.js';
import { RowValidator, type ValidationOptions } from '../pipeline/validate-rows.js';
import '../learn/threads.js';

/** One model version ready to answer: its pipeline, signature and request validator. */
export interface ServedVersion {
  model: string;
  version: number;
  runId: string | null;
  artifact: string;
  pipeline: Pipeline;
  signature: ModelSignature;
  validator: RowValidator;
  /** The fields the model reads: what the prediction log keeps of a row. */
  reads: ReadonlySet<string>;
  loadedAt: number;
  /** JSON made once per version for the answers written by hand: each class label quoted, and `,"model":…,"version":…`. */
  json: { labels: string[]; meta: string };
  /** What explains its answers (`?explain=`): contributions, the rule that fired, or why it cannot. */
  explainer: Explainer | RulesExplainer | { cannot: string };
  /** A scorecard's points and reason codes for every answer (made once per version, as the explainer is); undefined for any other model. */
  scorecard: RowScorer | undefined;
}

/** What a reference serves now, and the last reload that failed (the old version keeps serving). */
export interface ServedEntry {
  ref: string;
  current: ServedVersion | undefined;
  error: string | undefined;
  /** An alias is re-resolved on every reload; a version number never changes. */
  moving: boolean;
}

/** `name` alone means its production alias. */
export const canonicalRef = (ref: string): string => (ref.includes('@') || ref.includes('/') ? ref : `${ref}@production`);

/**
 * The models a server answers for, by reference (`name@alias`, `name/3`). Loaded at start or on first
 * request, then kept: a request finds its version with a map lookup. `reload()` re-resolves aliases
 * and swaps a changed one in only after it has loaded and scored a row; a version that fails to load
 * never replaces the one serving, and its error shows in `status()`.
 */
export class ServedModels {
  private readonly entries = new Map<string, ServedEntry>();
  private readonly byArtifact = new Map<string, ServedVersion>();

  constructor(
    private readonly store: Store,
    private readonly validation: ValidationOptions,
  ) {}

  /** The references given, or every model with a production alias. */
  async start(refs: readonly string[]): Promise<void> {
    const wanted = refs.length > 0 ? refs.map(canonicalRef) : (await this.store.registry.listModels()).filter((m) => 'production' in m.aliases).map((m) => `${m.name}@production`);
    // Each is loaded on its own: one that fails stays listed, with its error, for /readyz and the next reload.
    for (const ref of wanted) await this.add(ref, true).catch(() => undefined);
  }

  /** The version serving `ref` now, if loaded. */
  get(ref: string): ServedVersion | undefined {
    return this.entries.get(canonicalRef(ref))?.current;
  }

  /** Serves `ref` from now on: resolves and loads it (a request for a reference not served yet). */
  async add(ref: string, keepOnError = false): Promise<ServedVersion> {
    const key = canonicalRef(ref);
    const existing = this.entries.get(key);
    if (existing?.current !== undefined) return existing.current;
    const entry: ServedEntry = existing ?? { ref: key, current: undefined, error: undefined, moving: key.includes('@') };
    this.entries.set(key, entry);
    try {
      entry.current = await this.load(key);
      entry.error = undefined;
      return entry.current;
    } catch (e) {
      entry.error = e instanceof Error ? e.message : String(e);
      // A reference the registry doesn't know is not served: drop it so it can't pile up entries.
      if (entry.current === undefined && !keepOnError) this.entries.delete(key);
      throw e;
    }
  }

  /** Loads and scores `ref` without serving it: whether a deployment's version can serve, before the deployment is stored. */
  async check(ref: string): Promise<void> {
    await this.load(canonicalRef(ref));
  }

  /** Re-resolves every alias; swaps in what changed once it loads and scores. Returns what changed and what newly failed. */
  async reload(): Promise<{ changed: string[]; failed: { ref: string; error: string }[] }> {
    const changed: string[] = [];
    const failed: { ref: string; error: string }[] = [];
    for (const entry of this.entries.values()) {
      if (!entry.moving && entry.current !== undefined) continue;
      try {
        const resolved = await this.store.registry.resolve(entry.ref);
        // The same package registered again as another version is another version: answers must name the one the alias points at.
        if (entry.current?.artifact === resolved.artifact && entry.current.version === resolved.version) {
          entry.error = undefined;
          continue;
        }
        entry.current = await this.load(entry.ref);
        entry.error = undefined;
        changed.push(entry.ref);
      } catch (e) {
        const error = e instanceof Error ? e.message : String(e);
        if (error !== entry.error) failed.push({ ref: entry.ref, error });
        entry.error = error;
      }
    }
    return { changed, failed };
  }

  status(): { ref: string; model: string | null; version: number | null; loadedAt: number | null; error: string | null }[] {
    return [...this.entries.values()].map((e) => ({ ref: e.ref, model: e.current?.model ?? null, version: e.current?.version ?? null, loadedAt: e.current?.loadedAt ?? null, error: e.error ?? null }));
  }

  /** Every reference has a version loaded. */
  get ready(): boolean {
    return [...this.entries.values()].every((e) => e.current !== undefined);
  }

  private async load(ref: string): Promise<ServedVersion> {
    const resolved = await this.store.registry.resolve(ref);
    if (resolved.model === null || resolved.version === null) throw new HyperplaneError(`'${ref}' is not a registered model version`, { field: 'model' });
    const cached = this.byArtifact.get(resolved.artifact);
    if (cached !== undefined && cached.model === resolved.model && cached.version === resolved.version) return cached;
    const bytes = await this.store.artifacts.get(resolved.artifact);
    const pkg = decodePackage(bytes, `${resolved.model}/${resolved.version}`);
    const pipeline = new Pipeline(pkg.pipeline);
    // Validated before it can serve: a row of missing values must score to finite numbers.
    const probe = pipeline.scoreRows([{}]);
    if (probe.length === 0 || !probe.every((v) => Number.isFinite(v))) throw new HyperplaneError(`${resolved.model}/${resolved.version} does not score: a row of missing values gave ${Array.from(probe).join(', ')}`, { field: 'model' });
    // Its prediction threads start now, not on the first big request: batches of 512 rows and more are split across them.
    pipeline.prepareBatch();
    const signature = modelSignature(pkg);
    const served: ServedVersion = {
      model: resolved.model,
      version: resolved.version,
      runId: resolved.runId,
      artifact: resolved.artifact,
      pipeline,
      signature,
      validator: new RowValidator(signature, pkg.pipeline, this.validation),
      reads: new Set(signature.inputs.map((i) => i.name)),
      loadedAt: Date.now(),
      json: { labels: (pkg.pipeline.target.labels ?? []).map((l) => JSON.stringify(l)), meta: `,"model":${JSON.stringify(resolved.model)},"version":${resolved.version}` },
      explainer: explainerOf(pipeline),
      scorecard: scorerOf(pipeline),
    };
    this.byArtifact.set(resolved.artifact, served);
    return served;
  }
}

function explainerOf(pipeline: Pipeline): Explainer | RulesExplainer | { cannot: string } {
  const rules = rulesOnly(pipeline);
  if (rules !== undefined) return rules;
  const cannot = cannotExplain(pipeline);
  return cannot === undefined ? new Explainer(pipeline) : { cannot };
}

function scorerOf(pipeline: Pipeline): RowScorer | undefined {
  const member = scorecardMember(pipeline);
  return member === undefined ? undefined : new RowScorer(member);
}
