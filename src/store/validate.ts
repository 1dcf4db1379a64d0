import { HyperplaneError } from '../errors.js';

export const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/;
export const ALIAS_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,99}$/;

/** Model names can't hold '@' or '/', so `name@alias` and `name/3` always parse one way. */
export function checkModelName(name: string): string {
  if (!MODEL_NAME.test(name)) {
    throw new HyperplaneError(`model name '${name}' must start with a letter or digit and hold only letters, digits, '_', '.', '-'`, { field: 'name' });
  }
  return name;
}

export function checkAlias(alias: string): string {
  if (!ALIAS_NAME.test(alias)) {
    throw new HyperplaneError(`alias '${alias}' must start with a letter and hold only letters, digits, '_', '-'`, { field: 'alias' });
  }
  return alias;
}

export function checkName(value: string, field: string): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > 500) {
    throw new HyperplaneError(`${field} must be a non-empty string of at most 500 characters`, { field });
  }
  return value;
}

export function checkInteger(value: number, field: string): number {
  if (!Number.isSafeInteger(value)) throw new HyperplaneError(`${field} must be an integer, got ${value}`, { field });
  return value;
}

export function checkLimit(limit: number | undefined, fallback: number, max: number): number {
  if (limit === undefined) return fallback;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > max) throw new HyperplaneError(`limit must be an integer from 1 to ${max}, got ${limit}`, { field: 'limit' });
  return limit;
}

export function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** Rows per INSERT for a table with this many columns: below SQLite's 32,766 and PostgreSQL's 65,535 bound parameters. */
export const rowsPerInsert = (columns: number): number => Math.max(1, Math.floor(30_000 / columns));
