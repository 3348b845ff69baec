/**
 * A table of one page of rows at a time, paged by an opaque cursor the API hands back
 * ("next page" asks for the page after it, "first page" starts again), with the loading,
 * empty and error states. The rows scroll sideways in .table-wrap at phone width.
 */
import { useState, type ReactNode } from 'react';
import { Empty, ErrorState, Loading, useLoad } from './states.js';

export interface Column<T> {
  /** The header's words (a <th scope="col">). */
  header: string;
  cell: (row: T) => ReactNode;
  /** Right-aligned, tabular figures (amounts, counts). */
  num?: boolean;
}

/** One page: its rows and the cursor of the next page (null: this is the last). */
export interface CursorPage<T> {
  rows: T[];
  next: string | null;
}

export interface CursorTableProps<T> {
  /** Names the table for assistive technology and in the states ("withdrawals in review"). */
  caption: string;
  columns: Array<Column<T>>;
  /** Loads the page at `cursor` (undefined: the first page). */
  load: (cursor: string | undefined) => Promise<CursorPage<T>>;
  /** Loads again from the first page when these change (filters). */
  deps?: readonly unknown[];
  rowKey: (row: T) => string | number;
  /** What the empty state says. */
  empty?: ReactNode;
  refreshMs?: number;
}

/** Rows as a <table> with a caption and column headers (used by CursorTable and pages with one list). */
export function RowsTable<T>({ caption, columns, rows, rowKey }: { caption: string; columns: Array<Column<T>>; rows: T[]; rowKey: (row: T) => string | number }) {
  return (
    // Focusable so a keyboard can scroll it sideways at phone width.
    <div className="table-wrap" tabIndex={0} role="region" aria-label={caption}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.header} scope="col" className={c.num ? 'num' : undefined}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((c) => (
                <td key={c.header} className={c.num ? 'num' : undefined}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function CursorTable<T>({ caption, columns, load, deps = [], rowKey, empty, refreshMs }: CursorTableProps<T>) {
  // The cursors of the pages shown so far: the last is the current page's (undefined: first).
  const [trail, setTrail] = useState<Array<string | undefined>>([undefined]);
  const [depsKey, setDepsKey] = useState(JSON.stringify(deps));
  const key = JSON.stringify(deps);
  if (key !== depsKey) {
    setDepsKey(key);
    setTrail([undefined]);
  }
  const cursor = trail[trail.length - 1];
  const loaded = useLoad(() => load(cursor), [cursor, key], refreshMs);

  if (loaded.state === 'loading') return <Loading what={caption} />;
  if (loaded.state === 'error') return <ErrorState error={loaded.error} onRetry={loaded.reload} />;
  const { rows, next } = loaded.data;
  const paged = trail.length > 1;
  return (
    <div className="cursor-table">
      {rows.length === 0 ? <Empty>{empty ?? `No ${caption}.`}</Empty> : <RowsTable caption={caption} columns={columns} rows={rows} rowKey={rowKey} />}
      {paged || next !== null ? (
        <nav className="pager" aria-label={`Pages of ${caption}`}>
          <span className="muted">Page {trail.length}</span>
          <button type="button" onClick={() => setTrail([undefined])} disabled={!paged}>
            First page
          </button>
          <button type="button" onClick={() => next !== null && setTrail((t) => [...t, next])} disabled={next === null}>
            Next page
          </button>
        </nav>
      ) : null}
    </div>
  );
}
