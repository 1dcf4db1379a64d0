import type { ComponentChildren } from 'preact';

export interface Column<R> {
  key: string;
  label: ComponentChildren;
  cell(row: R): ComponentChildren;
  /** Right-aligned (numbers). */
  numeric?: boolean;
  /** The sort this column's header sets, if it sorts (server-side). */
  sort?: string;
}

interface TableProps<R> {
  columns: readonly Column<R>[];
  rows: readonly R[];
  rowKey(row: R): string;
  /** The current server-side order (`name` or `-name`); clicking a sortable header flips or sets it. */
  order?: string | undefined;
  onOrder?: (order: string) => void;
  empty?: string;
  label?: string;
}

export function Table<R>({ columns, rows, rowKey, order, onOrder, empty, label }: TableProps<R>) {
  const arrow = (c: Column<R>): string => (c.sort === undefined || order === undefined ? '' : order === c.sort ? ' ▲' : order === `-${c.sort}` ? ' ▼' : '');
  return (
    <div class="table-wrap">
      <table aria-label={label}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} class={c.numeric === true ? 'num' : undefined} aria-sort={c.sort !== undefined && order?.replace(/^-/, '') === c.sort ? (order.startsWith('-') ? 'descending' : 'ascending') : undefined}>
                {c.sort !== undefined && onOrder !== undefined ? (
                  <button type="button" class="link" onClick={() => onOrder(order === `-${c.sort}` ? c.sort! : `-${c.sort}`)}>
                    {c.label}
                    {arrow(c)}
                  </button>
                ) : (
                  c.label
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length} class="muted">
                {empty ?? 'Nothing to show.'}
              </td>
            </tr>
          ) : (
            rows.map((r) => (
              <tr key={rowKey(r)}>
                {columns.map((c) => (
                  <td key={c.key} class={c.numeric === true ? 'num' : undefined}>
                    {c.cell(r)}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}

/** Name/value pairs, for a record's fields. */
export function Fields({ fields }: { fields: readonly [string, ComponentChildren][] }) {
  return (
    <dl class="fields">
      {fields.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
