import { HyperplaneError } from '../errors.js';

/** A page position: the sort key and id of the last row shown, tied to the ordering it came from. */
export interface CursorPosition {
  order: string;
  key: number | null;
  id: string;
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.order, position.key, position.id])).toString('base64url');
}

/**
 * What a listing's sort key can be: an integer column (a bigint on PostgreSQL, which refuses 1.5 or
 * 2^63 with a database error), or a metric, which may be missing (null).
 */
export type CursorKey = 'integer' | 'metric';

export function decodeCursor(cursor: string, order: string, keyKind: 'integer'): CursorPosition & { key: number };
export function decodeCursor(cursor: string, order: string, keyKind: 'metric'): CursorPosition;
export function decodeCursor(cursor: string, order: string, keyKind: CursorKey): CursorPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || typeof parsed[0] !== 'string' || typeof parsed[2] !== 'string' || (parsed[1] !== null && typeof parsed[1] !== 'number')) {
    throw new HyperplaneError(NOT_OURS, { field: 'cursor' });
  }
  if (parsed[0] !== order) throw new HyperplaneError(`the cursor belongs to a listing ordered by ${parsed[0]}, not ${order}`, { field: 'cursor' });
  if (!validKey(parsed[1], keyKind)) throw new HyperplaneError(NOT_OURS, { field: 'cursor' });
  return { order: parsed[0], key: parsed[1] as number | null, id: parsed[2] };
}

const NOT_OURS = 'the cursor is not one this store handed out';

// Checked here, before any query: a value the column can't hold must be the caller's error, not the database's.
const validKey = (key: unknown, kind: CursorKey): boolean =>
  kind === 'integer' ? Number.isSafeInteger(key) : key === null || (typeof key === 'number' && Number.isFinite(key));
