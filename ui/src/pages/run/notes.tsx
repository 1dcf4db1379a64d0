import { when } from '../../format';
import type { RunNote } from './shared';

/** The run's lab notebook, oldest first: why it was made, what was learned. Shown only when it has notes. */
export function NotesSection({ notes }: { notes: RunNote[] }) {
  if (notes.length === 0) return null;
  return (
    <section>
      <h2>Notes</h2>
      <ol class="notes" aria-label="Notes">
        {notes.map((n, i) => (
          <li key={i}>
            <p class="muted">
              {when(n.time)} · <span class="mono">{n.author}</span>
            </p>
            <p class="note-text">{n.text}</p>
          </li>
        ))}
      </ol>
    </section>
  );
}
