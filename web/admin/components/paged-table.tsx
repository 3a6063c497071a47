/**
 * A list paged and searched on the server, as every list in the console must be: it asks for
 * `max + 1` rows to know whether there is a next page (Keycloak's console does the same), and
 * for the total only when the page gives a way to count cheaply.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n.ts';
import { useAsync } from './use-async.ts';
import { ErrorMessage } from './status.tsx';
import { ListTable, type Column } from './list-table.tsx';

export type { Column };

export interface PageRequest {
  first: number;
  max: number;
  search: string;
}

interface Props<T> {
  caption: string;
  columns: Column<T>[];
  rowKey: (row: T) => string;
  load: (page: PageRequest) => Promise<T[]>;
  count?: (search: string) => Promise<number>;
  searchLabel?: string;
  toolbar?: ComponentChildren;
  emptyText?: string;
  /** Change it to load the current page again (after an action, or on a timer for live lists). */
  reloadKey?: unknown;
  pageSizes?: number[];
  testId?: string;
}

export function PagedTable<T>(props: Props<T>) {
  const sizes = props.pageSizes ?? [10, 20, 50, 100];
  const [first, setFirst] = useState(0);
  const [max, setMax] = useState(sizes[0]);
  const [typed, setTyped] = useState('');
  const [search, setSearch] = useState('');
  useEffect(() => setFirst(0), [search, max]);
  const rows = useAsync(() => props.load({ first, max: max + 1, search }), [first, max, search, props.reloadKey]);
  const total = useAsync(() => (props.count ? props.count(search) : Promise.resolve(undefined)), [search, props.reloadKey]);
  const shown = (rows.data ?? []).slice(0, max);
  const hasNext = (rows.data?.length ?? 0) > max;
  return (
    <section class="paged-table" data-testid={props.testId}>
      <div class="toolbar">
        {props.searchLabel ? (
          <form
            role="search"
            onSubmit={(event) => {
              event.preventDefault();
              setSearch(typed.trim());
            }}
          >
            <input type="search" aria-label={props.searchLabel} placeholder={props.searchLabel} value={typed} onInput={(e) => setTyped((e.target as HTMLInputElement).value)} />
          </form>
        ) : null}
        {props.toolbar}
      </div>
      {rows.error ? <ErrorMessage message={rows.error} /> : null}
      <ListTable caption={props.caption} columns={props.columns} rows={shown} rowKey={props.rowKey} busy={rows.loading} emptyText={props.emptyText} showEmpty={!rows.loading && !rows.error} />
      <nav class="pager" aria-label={t('pagination')}>
        <span data-testid="page-range">
          {shown.length > 0 ? t('pageRange', first + 1, first + shown.length) : ''}
          {total.data !== undefined ? ` ${t('ofTotal', total.data)}` : ''}
        </span>
        <label>
          {t('perPage')}
          <select value={String(max)} onChange={(e) => setMax(Number((e.target as HTMLSelectElement).value))}>
            {sizes.map((size) => (
              <option key={size} value={String(size)}>
                {size}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="secondary outline" disabled={first === 0} onClick={() => setFirst(Math.max(0, first - max))}>
          {t('previousPage')}
        </button>
        <button type="button" class="secondary outline" disabled={!hasNext} onClick={() => setFirst(first + max)}>
          {t('nextPage')}
        </button>
      </nav>
    </section>
  );
}
