import { canonicalRef } from './served-models.js';

/**
 * Which references a server answers: the ones it was started with (or, with none, every production
 * alias, one set later included), plus the references their deployments name. Anything else is a 404,
 * so a server for `cancer@production` never answers another model, alias or version from the store.
 * `any` (serve --any-version) answers every reference: for development only.
 */
export class ServedSet {
  private readonly given: ReadonlySet<string> | undefined;
  private deploymentRefs: ReadonlySet<string> = new Set();

  constructor(
    refs: readonly string[],
    readonly any: boolean,
  ) {
    this.given = refs.length > 0 ? new Set(refs.map(canonicalRef)) : undefined;
  }

  /**
   * A deployment answers requests for its bare name, which mean `name@production`: it is served when no
   * references were given, or when `name@production` was (a server for `cancer@staging` leaves it alone).
   */
  servesDeployment(name: string): boolean {
    return this.any || this.given === undefined || this.given.has(canonicalRef(name));
  }

  /** The references the served deployments' policies name now (set after each load of the deployments). */
  setDeploymentRefs(refs: Iterable<string>): void {
    this.deploymentRefs = new Set([...refs].map(canonicalRef));
  }

  serves(ref: string): boolean {
    if (this.any) return true;
    const key = canonicalRef(ref);
    if (this.deploymentRefs.has(key)) return true;
    return this.given === undefined ? key.endsWith('@production') : this.given.has(key);
  }

  /** What this server serves, in words (for an admin's 404). */
  describe(): string {
    const base = this.given === undefined ? 'every production alias' : [...this.given].join(', ');
    return this.deploymentRefs.size > 0 ? `${base}, and ${[...this.deploymentRefs].join(', ')} by deployment` : base;
  }
}
