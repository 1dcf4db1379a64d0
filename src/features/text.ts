/**
 * Word and bigram hashing: lowercase word tokens (letters and digits) and each pair of neighbours,
 * hashed (FNV-1a, 32-bit) into a fixed number of buckets. No vocabulary to store or to drift.
 */
const WORD = /[\p{L}\p{N}]+/gu;

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Calls `add(bucket)` once per word and once per bigram of `text`. */
export function hashTokens(text: string, buckets: number, add: (bucket: number) => void): void {
  let previous: string | undefined;
  for (const match of text.toLowerCase().matchAll(WORD)) {
    const word = match[0];
    add(fnv1a(word) % buckets);
    if (previous !== undefined) add(fnv1a(`${previous} ${word}`) % buckets);
    previous = word;
  }
}
