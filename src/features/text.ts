/**
 * Word n-gram and orthogonal-sparse-bigram hashing: lowercase word tokens (letters and digits, so
 * punctuation falls away), every run of up to `ngram` neighbouring words, and with `osb` each word
 * paired with each of the next osb − 1 words, the gap marked by underscores (Amazon ML's OSB), hashed
 * (FNV-1a, 32-bit) into a fixed number of buckets. No vocabulary to store or to drift.
 */
const WORD = /[\p{L}\p{N}]+/gu;

export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Calls `add(bucket)` once per word, word n-gram (2 … ngram) and sparse bigram of `text`. */
export function hashTokens(text: string, buckets: number, add: (bucket: number) => void, ngram = 2, osb = 0): void {
  const words = Array.from(text.toLowerCase().matchAll(WORD), (m) => m[0]);
  for (let i = 0; i < words.length; i++) {
    add(fnv1a(words[i]!) % buckets);
    let gram = words[i]!;
    for (let n = 2; n <= ngram && i + n - 1 < words.length; n++) {
      gram += ` ${words[i + n - 1]!}`;
      add(fnv1a(gram) % buckets);
    }
    for (let gap = 1; gap < osb && i + gap < words.length; gap++) add(fnv1a(`${words[i]!}${'_'.repeat(gap)}${words[i + gap]!}`) % buckets);
  }
}
