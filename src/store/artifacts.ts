import { createHash } from 'node:crypto';
import { HyperplaneError } from '../errors.js';

export interface ArtifactInfo {
  sha256: string;
  size: number;
  /** When it was last written (a re-put of the same bytes refreshes it, so gc spares it). */
  storedAt: number;
}

/** Content-addressed blobs: the key is the sha256 of the bytes, checked on every read. */
export interface Artifacts {
  /** Where the blobs live, for messages. */
  readonly location: string;
  put(bytes: Uint8Array): Promise<string>;
  /** Throws a HyperplaneError naming the blob when it is missing or its bytes no longer hash to its name. */
  get(sha256: string): Promise<Uint8Array>;
  has(sha256: string): Promise<boolean>;
  /** The blob's size in bytes without reading it; undefined when there is none. */
  size(sha256: string): Promise<number | undefined>;
  delete(sha256: string): Promise<boolean>;
  list(): Promise<ArtifactInfo[]>;
}

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

const SHA256 = /^[0-9a-f]{64}$/;

export function checkSha256(sha: string): string {
  if (!SHA256.test(sha)) throw new HyperplaneError(`'${sha}' is not a sha256 (64 lowercase hex digits)`, { field: 'artifact' });
  return sha;
}

/** The error for a blob whose bytes changed after it was written. */
export function corruptBlob(sha: string, actual: string, where: string): HyperplaneError {
  return new HyperplaneError(`artifact ${sha} is corrupt: its bytes hash to ${actual}; restore it from a backup or re-register the model`, { file: where });
}
