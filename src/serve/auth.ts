import type { ApiKey, ApiKeys, ApiScope, AuditLog } from '../store/index.js';

export type AuthResult = { ok: true; key: ApiKey | undefined } | { ok: false; status: 401 | 403; message: string };

const CACHE_MS = 10_000;

/**
 * API keys on the request path: `Authorization: Bearer hp_…` or `X-API-Key: hp_…`. While the store
 * has never held a key, predict and feedback are open (a laptop quick start); once any key has been
 * made, every request needs a valid key with the route's scope, even when every key is revoked: auth
 * fails closed. `open` (serve --no-auth) is the explicit way to run without keys, and it opens predict
 * and feedback only. Admin routes always need an admin key. Verified keys are remembered for 10 s so
 * the hot path does not query the store: a revocation takes effect within that.
 */
export class KeyCheck {
  private configured = false;
  private readonly verified = new Map<string, { key: ApiKey; at: number }>();

  /** `open`: predict and feedback need no key whatever the store holds (serve --no-auth). */
  constructor(
    private readonly keys: ApiKeys,
    private readonly audit: AuditLog,
    private readonly open = false,
  ) {}

  /**
   * Whether keys are required, re-read from the store (at start and with each reload). Revoked keys
   * count: revoking the last one must not open the server. Once required, it stays so in this process
   * (a key deleted from the store outright does not open it either, nor a later server: the audit
   * trail remembers that a key was made).
   */
  async refresh(): Promise<void> {
    this.configured ||= (await this.keys.list()).length > 0 || (await this.audit.list({ action: 'key.create', limit: 1 })).length > 0;
    this.verified.clear();
  }

  get required(): boolean {
    return this.configured;
  }

  /** Synchronous while no key is needed or the key was verified in the last 10 s; a promise when the store must be asked. */
  check(headers: Record<string, string | string[] | undefined>, scope: ApiScope): AuthResult | Promise<AuthResult> {
    if ((this.open || !this.configured) && scope !== 'admin') return OPEN;
    const presented = keyFrom(headers);
    if (presented === undefined) {
      return { ok: false, status: 401, message: scope === 'admin' && !this.configured ? 'admin routes need an admin key: create one with `hyperplane keys create NAME --scope admin`' : `an API key with the '${scope}' scope is needed (Authorization: Bearer <key>)` };
    }
    const now = Date.now();
    const entry = this.verified.get(presented);
    // The cache may not outlive a key's expiry: an expired key is refused at once, not up to 10 s later.
    if (entry !== undefined && entry.key.expiresAt !== null && entry.key.expiresAt <= now) return EXPIRED;
    if (entry !== undefined && now - entry.at <= CACHE_MS) return scoped(entry.key, scope);
    return this.keys.verify(presented).then((key) => {
      if (key === undefined) {
        this.verified.delete(presented);
        return { ok: false, status: 401, message: 'the API key is not valid (unknown, revoked or expired)' };
      }
      this.verified.set(presented, { key, at: now });
      return scoped(key, scope);
    });
  }
}

const OPEN: AuthResult = { ok: true, key: undefined };
const EXPIRED: AuthResult = { ok: false, status: 401, message: 'the API key has expired' };

function scoped(key: ApiKey, scope: ApiScope): AuthResult {
  if (!key.scopes.includes(scope) && !key.scopes.includes('admin')) return { ok: false, status: 403, message: `the key '${key.name}' has scope ${key.scopes.join(', ')}, not '${scope}'` };
  return { ok: true, key };
}

function keyFrom(headers: Record<string, string | string[] | undefined>): string | undefined {
  const auth = headers['authorization'];
  if (typeof auth === 'string' && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim();
  const direct = headers['x-api-key'];
  return typeof direct === 'string' && direct !== '' ? direct : undefined;
}
