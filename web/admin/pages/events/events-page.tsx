/**
 * The realm's stored events: user events (`GET /events`, filtered by type, user id, client and
 * dates) and admin events (`GET /admin-events`, by operation, resource path, admin user and dates),
 * newest first, paged on the server. Filters are applied when the form is submitted.
 */
import { useState } from 'preact/hooks';
import { api, realmPath } from '../../api.ts';
import { t } from '../../i18n.ts';
import { href } from '../../router.ts';
import { PagedTable, type Column } from '../../components/paged-table.tsx';
import { Tabs } from '../../components/tabs.tsx';
import type { PageProps } from '../section.ts';

interface UserEvent {
  id?: string;
  time: number;
  type: string;
  clientId?: string;
  userId?: string;
  ipAddress?: string;
  error?: string;
}

interface AdminEvent {
  id?: string;
  time: number;
  operationType: string;
  resourceType?: string;
  resourcePath?: string;
  authDetails?: { userId?: string; ipAddress?: string; clientId?: string };
  error?: string;
}

type Filters = Record<string, string>;

const USER_FILTERS = ['type', 'user', 'client', 'dateFrom', 'dateTo'] as const;
const ADMIN_FILTERS = ['operationTypes', 'resourcePath', 'authUser', 'dateFrom', 'dateTo'] as const;

const when = (ms: number) => new Date(ms).toLocaleString();

function FilterForm({ names, onApply, testId }: { names: readonly string[]; onApply: (filters: Filters) => void; testId: string }) {
  const [typed, setTyped] = useState<Filters>({});
  return (
    <form
      class="filters"
      data-testid={testId}
      onSubmit={(e) => {
        e.preventDefault();
        onApply(Object.fromEntries(Object.entries(typed).map(([k, v]) => [k, v.trim()]).filter(([, v]) => v !== '')));
      }}
    >
      {names.map((name) => (
        <label key={name}>
          {t(`events.filter.${name}`)}
          {name.startsWith('date') ? (
            <input type="date" value={typed[name] ?? ''} data-testid={`${testId}-${name}`} onInput={(e) => setTyped({ ...typed, [name]: (e.target as HTMLInputElement).value })} />
          ) : (
            <input type="text" value={typed[name] ?? ''} data-testid={`${testId}-${name}`} onInput={(e) => setTyped({ ...typed, [name]: (e.target as HTMLInputElement).value })} />
          )}
        </label>
      ))}
      <button type="submit">{t('events.search')}</button>
    </form>
  );
}

/** Events carry an id; the whole event stands in for one that does not. */
const rowKey = (row: { id?: string }) => row.id ?? JSON.stringify(row);

function UserEvents({ realm }: { realm: string }) {
  const [filters, setFilters] = useState<Filters>({});
  const columns: Column<UserEvent>[] = [
    { id: 'time', header: t('events.time'), cell: (e) => when(e.time) },
    { id: 'type', header: t('events.type'), cell: (e) => e.type },
    { id: 'user', header: t('events.user'), cell: (e) => e.userId ?? '—' },
    { id: 'client', header: t('events.client'), cell: (e) => e.clientId ?? '—' },
    { id: 'ip', header: t('events.ipAddress'), cell: (e) => e.ipAddress ?? '—' },
    { id: 'error', header: t('events.error'), cell: (e) => e.error ?? '' },
  ];
  return (
    <>
      <FilterForm names={USER_FILTERS} onApply={setFilters} testId="user-events-filters" />
      <PagedTable caption={t('events.userEvents')} columns={columns} rowKey={rowKey} reloadKey={filters} testId="user-events" load={({ first, max }) => api.get<UserEvent[]>(realmPath(realm, 'events'), { first, max, ...filters })} />
    </>
  );
}

function AdminEvents({ realm }: { realm: string }) {
  const [filters, setFilters] = useState<Filters>({});
  const columns: Column<AdminEvent>[] = [
    { id: 'time', header: t('events.time'), cell: (e) => when(e.time) },
    { id: 'operation', header: t('events.operation'), cell: (e) => e.operationType },
    { id: 'resource', header: t('events.resourceType'), cell: (e) => e.resourceType ?? '—' },
    { id: 'path', header: t('events.resourcePath'), cell: (e) => <code>{e.resourcePath ?? ''}</code> },
    { id: 'user', header: t('events.user'), cell: (e) => e.authDetails?.userId ?? '—' },
    { id: 'ip', header: t('events.ipAddress'), cell: (e) => e.authDetails?.ipAddress ?? '—' },
  ];
  return (
    <>
      <FilterForm names={ADMIN_FILTERS} onApply={setFilters} testId="admin-events-filters" />
      <PagedTable caption={t('events.adminEvents')} columns={columns} rowKey={rowKey} reloadKey={filters} testId="admin-events" load={({ first, max }) => api.get<AdminEvent[]>(realmPath(realm, 'admin-events'), { first, max, ...filters })} />
    </>
  );
}

export function EventsPage({ realm, rest }: PageProps) {
  const tab = rest[0] === 'admin' ? 'admin' : 'user';
  return (
    <article>
      <h1>{t('events.title')}</h1>
      <Tabs
        label={t('events.tabs')}
        active={tab}
        tabs={[
          { id: 'user', label: t('events.userEvents'), href: href(realm, 'events') },
          { id: 'admin', label: t('events.adminEvents'), href: href(realm, 'events', 'admin') },
        ]}
      />
      {tab === 'admin' ? <AdminEvents key="admin" realm={realm} /> : <UserEvents key="user" realm={realm} />}
    </article>
  );
}
