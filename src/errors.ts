/** Where in the input a problem was found; every field is optional because not every source has lines. */
export interface InputLocation {
  file?: string;
  line?: number;
  column?: string;
  field?: string;
}

/**
 * An error caused by the user's input (data, flags, schema, config), as opposed to a bug.
 * The CLI prints `message` on one line and exits with code 2; it never prints a stack for these.
 */
export class HyperplaneError extends Error {
  readonly location: InputLocation;
  /** The message without its location, for a caller that names the input itself (the CLI names its flag). */
  readonly reason: string;

  constructor(message: string, location: InputLocation = {}) {
    super(formatMessage(message, location));
    this.name = 'HyperplaneError';
    this.location = location;
    this.reason = message;
  }
}

function formatMessage(message: string, loc: InputLocation): string {
  const where: string[] = [];
  if (loc.file !== undefined) where.push(loc.file);
  if (loc.line !== undefined) where.push(`line ${loc.line}`);
  if (loc.column !== undefined) where.push(`column '${loc.column}'`);
  if (loc.field !== undefined) where.push(`field '${loc.field}'`);
  return where.length > 0 ? `${where.join(', ')}: ${message}` : message;
}

export function isHyperplaneError(e: unknown): e is HyperplaneError {
  return e instanceof HyperplaneError;
}
