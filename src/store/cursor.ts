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

export function decodeCursor(cursor: string, order: string): CursorPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || typeof parsed[0] !== 'string' || typeof parsed[2] !== 'string' || (parsed[1] !== null && typeof parsed[1] !== 'number')) {
    throw new HyperplaneError('the cursor is not one this store handed out', { field: 'cursor' });
  }
  if (parsed[0] !== order) throw new HyperplaneError(`the cursor belongs to a listing ordered by ${parsed[0]}, not ${order}`, { field: 'cursor' });
  return { order: parsed[0], key: parsed[1] as number | null, id: parsed[2] };
}
