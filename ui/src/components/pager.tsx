import type { ComponentChildren } from 'preact';

/** Page sizes offered; a size given in the address that is not among them is offered too. */
const SIZES = [25, 50, 100, 500];

/** The paging state a page keeps in its address: the size, the page's cursor, and the cursors of the pages before it. */
export interface PageState {
  limit: number;
  cursor: string;
  /** Cursors of the earlier pages ('-' for the first), so "previous" needs no server state. */
  back: string[];
}

export function pageState(query: URLSearchParams): PageState {
  return { limit: Number(query.get('limit') ?? 50), cursor: query.get('cursor') ?? '', back: (query.get('back') ?? '').split(',').filter((c) => c !== '') };
}

interface PagerProps {
  state: PageState;
  nextCursor: string | null;
  /** What the page holds, in words (how many match). */
  count: ComponentChildren;
  /** Sets address fields (undefined removes one), keeping the other filters. */
  set(changes: Record<string, string | undefined>): void;
}

/** Previous / next over a server's keyset cursors, and the page size: the runs and predictions pages. */
export function Pager({ state, nextCursor, count, set }: PagerProps) {
  const { limit, cursor, back } = state;
  const sizes = SIZES.includes(limit) ? SIZES : [...SIZES, limit].sort((a, b) => a - b);
  return (
    <div class="pager">
      <button type="button" disabled={cursor === ''} onClick={() => set({ cursor: back.at(-1) === '-' ? undefined : back.at(-1), back: back.slice(0, -1).join(',') || undefined })}>
        ← previous
      </button>
      <button type="button" disabled={nextCursor === null} onClick={() => set({ cursor: nextCursor ?? undefined, back: [...back, cursor === '' ? '-' : cursor].join(',') })}>
        next →
      </button>
      <span class="muted" aria-live="polite">
        {count}
      </span>
      <label class="muted">
        per page{' '}
        <select value={String(limit)} onChange={(e) => set({ limit: (e.target as HTMLSelectElement).value, cursor: undefined, back: undefined })}>
          {sizes.map((s) => (
            <option key={s} value={String(s)}>
              {s}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
