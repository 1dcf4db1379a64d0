import { HyperplaneError } from '../../errors.js';

/**
 * Errors a record causes (a bad field, an unserializable value; in PostgreSQL a data exception, class
 * 22, or a constraint violation, class 23), as opposed to a store that is down: those are set aside,
 * these are retried.
 */
export function isInvalidRecord(e: unknown): boolean {
  if (e instanceof HyperplaneError || e instanceof TypeError || e instanceof RangeError) return true;
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}
