/**
 * Request bodies nested deeper than this are refused before they are parsed: V8's JSON.parse takes
 * 200,000 levels, but JSON.stringify, Array.flat and any recursive walk of such a value overflow the
 * stack (a 500). No body of this API needs more than a handful of levels.
 */
export const MAX_BODY_DEPTH = 64;

const QUOTE = 34;
const BACKSLASH = 92;

/** Whether `text` nests arrays and objects deeper than `limit`. Brackets inside strings do not count. */
export function nestedDeeperThan(text: string, limit = MAX_BODY_DEPTH): boolean {
  // A body can be no deeper than its count of '[' and '{': most hold a few, counted by native scans.
  let openings = 0;
  for (let i = text.indexOf('['); i >= 0 && openings <= limit; i = text.indexOf('[', i + 1)) openings++;
  for (let i = text.indexOf('{'); i >= 0 && openings <= limit; i = text.indexOf('{', i + 1)) openings++;
  if (openings <= limit) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > limit) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}
