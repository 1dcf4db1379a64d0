import { HyperplaneError } from '../errors.js';

/** At most this many known names are listed; more end in '…'. */
export const KNOWN_SHOWN = 40;

/**
 * A filter or sort names a metric or tag no run has: almost always a typo ('acu' for 'auc'), which
 * would otherwise match nothing in silence. Carries what is known, for the caller to suggest.
 */
export class UnknownRunFieldError extends HyperplaneError {
  constructor(
    readonly kind: 'metric' | 'tag',
    readonly unknown: string,
    readonly known: readonly string[],
  ) {
    const shown = known.length > KNOWN_SHOWN ? `${known.slice(0, KNOWN_SHOWN).join(', ')}, …` : known.join(', ');
    super(`no run has a ${kind} '${unknown}' (${known.length === 0 ? `no run has any ${kind}s yet` : `known ${kind}s: ${shown}`})`, { field: kind === 'metric' ? 'metric' : 'tags' });
  }
}
