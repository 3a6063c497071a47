/**
 * The table markup of every list: a caption for screen readers, column headers, per-cell labels
 * (so rows stack readably at 390 px) and a row saying the list is empty. PagedTable wraps it with
 * search and paging; short lists the API answers whole (keys, key providers, required actions,
 * flows) use it directly.
 */
import type { ComponentChildren } from 'preact';
import { t } from '../i18n.ts';

export interface Column<T> {
  id: string;
  header: string;
  cell: (row: T) => ComponentChildren;
}

interface Props<T> {
  caption: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  testId?: string;
  /** Rows get `data-testid={rowTestId(row)}` so tests and scripts can find one. */
  rowTestId?: (row: T) => string;
  busy?: boolean;
  emptyText?: string;
  /** Whether an empty list says so (not while it is still loading or failed); default true. */
  showEmpty?: boolean;
}

export function ListTable<T>({ caption, columns, rows, rowKey, testId, rowTestId, busy, emptyText, showEmpty = true }: Props<T>) {
  return (
    <div class="table-scroll">
      <table data-testid={testId} aria-busy={busy}>
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.id} scope="col">
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)} data-testid={rowTestId?.(row)}>
              {columns.map((c) => (
                <td key={c.id} data-label={c.header}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
          {showEmpty && rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length}>{emptyText ?? t('noResults')}</td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}
