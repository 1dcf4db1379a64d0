import { HyperplaneError } from '../errors.js';
import { MAX_NOTE_CHARS } from './tracking.js';

/** The text as kept (trimmed), or why it can't be: an empty note says nothing, a huge one is a document, not a note. */
export function checkNoteText(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') throw new HyperplaneError('a note needs some text: it is empty or only whitespace');
  if (trimmed.length > MAX_NOTE_CHARS) {
    throw new HyperplaneError(`a note is at most ${MAX_NOTE_CHARS.toLocaleString('en-US')} characters; this one has ${trimmed.length.toLocaleString('en-US')}`);
  }
  return trimmed;
}
