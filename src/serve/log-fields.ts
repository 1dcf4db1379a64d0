import { createHmac } from 'node:crypto';
import { HyperplaneError } from '../errors.js';

/** The environment variable holding the key `--log-hash` hashes with. */
export const LOG_HASH_KEY_ENV = 'HYPERPLANE_LOG_HASH_KEY';

/** A key shorter than this is refused: a short HMAC key can be guessed, and then every hash reversed by enumeration. */
const MIN_KEY_LENGTH = 16;

export interface LogFieldOptions {
  /** Fields left out of the logged request. */
  redact?: readonly string[];
  /** Fields whose values are logged as HMAC-SHA256(key, value), hex. */
  hash?: readonly string[];
  /** The HMAC key; default the HYPERPLANE_LOG_HASH_KEY environment variable. Required when `hash` names a field. */
  hashKey?: string;
}

/** How a log rewrites a row's fields before keeping it (structural, so a sink built from dist/ fits a server built from src/). */
export interface LogFields {
  /** Whether the row holds a field this policy changes (then its text as sent cannot be logged). */
  touches(row: Record<string, unknown>): boolean;
  /** The row's fields the model reads, rewritten, as JSON. */
  encode(row: Record<string, unknown>, reads: ReadonlySet<string>): string;
}

/**
 * What the prediction log keeps of a row's fields a team must not store: redacted fields are dropped,
 * hashed ones replaced by a keyed hash. The key is required (no generated default) because a plain or
 * salted-by-us SHA-256 of an id is reversed by hashing every candidate id, and a key generated per store
 * or host would make the same customer hash differently across stores and hosts, so hashes could not be
 * joined: the team that owns the data owns the key.
 */
export class LogFieldPolicy implements LogFields {
  private readonly redacted: ReadonlySet<string>;
  private readonly hashed: ReadonlySet<string>;
  private readonly names: readonly string[];

  private constructor(
    redact: readonly string[],
    hash: readonly string[],
    private readonly key: string,
  ) {
    this.redacted = new Set(redact);
    this.hashed = new Set(hash);
    this.names = [...redact, ...hash];
  }

  /** The policy for these options, or undefined when it names no field (the log keeps rows as they are). */
  static from(options: LogFieldOptions, env: NodeJS.ProcessEnv = process.env): LogFieldPolicy | undefined {
    const redact = fieldNames('--log-redact', options.redact ?? []);
    const hash = fieldNames('--log-hash', options.hash ?? []);
    const both = redact.filter((f) => hash.includes(f));
    if (both.length > 0) throw new HyperplaneError(`${both.join(', ')}: both redacted and hashed; choose one`);
    if (redact.length === 0 && hash.length === 0) return undefined;
    const key = options.hashKey ?? env[LOG_HASH_KEY_ENV] ?? '';
    if (hash.length > 0 && key.length < MIN_KEY_LENGTH) {
      const why = key === '' ? 'no key was given' : `the key has ${key.length} characters`;
      throw new HyperplaneError(`--log-hash needs a secret key of at least ${MIN_KEY_LENGTH} characters in ${LOG_HASH_KEY_ENV} (${why}); keep it: the same key gives the same hashes across restarts and hosts`);
    }
    return new LogFieldPolicy(redact, hash, key);
  }

  /** Whether the row holds a field this policy changes (then its text as sent cannot be logged). */
  touches(row: Record<string, unknown>): boolean {
    for (const name of this.names) if (Object.hasOwn(row, name)) return true;
    return false;
  }

  /** The row's fields the model reads, redacted and hashed, as JSON. */
  encode(row: Record<string, unknown>, reads: ReadonlySet<string>): string {
    // No prototype: a row's "__proto__" field is kept as a field, not set as the object's prototype.
    const kept = Object.create(null) as Record<string, unknown>;
    for (const field of Object.keys(row)) {
      if (!reads.has(field) || this.redacted.has(field)) continue;
      const value = row[field];
      kept[field] = this.hashed.has(field) ? this.hashValue(value) : value;
    }
    return JSON.stringify(kept);
  }

  /**
   * HMAC-SHA256 hex of a value: a string's own text (so a team can hash its ids the same way to join),
   * anything else its JSON text. Null stays null: a missing value is no secret.
   */
  hashValue(value: unknown): string | null {
    if (value === null || value === undefined) return null;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return createHmac('sha256', this.key).update(text).digest('hex');
  }
}

/** Field names from a flag's list, each named once and not empty. */
function fieldNames(flag: string, names: readonly string[]): string[] {
  const out = new Set<string>();
  for (const raw of names) {
    const name = raw.trim();
    if (name === '') throw new HyperplaneError(`${flag}: an empty field name; give names separated by commas`);
    out.add(name);
  }
  return [...out];
}
