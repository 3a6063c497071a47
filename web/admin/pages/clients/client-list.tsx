/**
 * The realm's clients, searched by client ID and paged on the server as Keycloak's console asks
 * (`search=true&clientId=…&first&max`), with each shown client's active and offline session
 * counts (one cheap count per row of the page, never a realm-wide scan).
 */
import { api, realmPath } from '../../api.ts';
import { useAccess } from '../../access.ts';
import { t } from '../../i18n.ts';
import { href } from '../../router.ts';
import { PagedTable, type Column } from '../../components/paged-table.tsx';
import type { ClientRep } from './types.ts';

interface ClientRow extends ClientRep {
  sessions?: number;
  offline?: number;
}

async function countsOf(realm: string, client: ClientRep): Promise<ClientRow> {
  const count = (path: string) => api.get<{ count: number }>(realmPath(realm, 'clients', client.id, path)).then((c) => c.count, () => undefined);
  const [sessions, offline] = await Promise.all([count('session-count'), count('offline-session-count')]);
  return { ...client, sessions, offline };
}

export function ClientList({ realm }: { realm: string }) {
  const access = useAccess();
  const columns: Column<ClientRow>[] = [
    { id: 'clientId', header: t('clients.clientId'), cell: (c) => <a href={href(realm, 'clients', c.id, 'settings')}>{c.clientId}</a> },
    { id: 'name', header: t('clients.name'), cell: (c) => c.name || '—' },
    { id: 'type', header: t('clients.type'), cell: (c) => (c.bearerOnly ? t('clients.bearerOnly') : c.publicClient ? t('clients.public') : t('clients.confidential')) },
    { id: 'sessions', header: t('clients.activeSessions'), cell: (c) => (c.sessions ?? '—') },
    { id: 'offline', header: t('clients.offlineSessions'), cell: (c) => (c.offline ?? '—') },
    { id: 'enabled', header: t('clients.enabled'), cell: (c) => (c.enabled === false ? t('clients.off') : t('clients.on')) },
  ];
  return (
    <article>
      <h1>{t('clients.title')}</h1>
      <p>{t('clients.intro')}</p>
      <PagedTable<ClientRow>
        testId="clients-table"
        caption={t('clients.title')}
        columns={columns}
        rowKey={(c) => c.id}
        searchLabel={t('clients.search')}
        load={async ({ first, max, search }) => {
          const page = await api.get<ClientRep[]>(realmPath(realm, 'clients'), { first, max, search: search ? true : undefined, clientId: search || undefined });
          return Promise.all(page.map((c) => countsOf(realm, c)));
        }}
        toolbar={
          access.can(realm, 'manage-clients') ? (
            <a role="button" href={href(realm, 'clients', 'new')} data-testid="client-create">
              {t('clients.create')}
            </a>
          ) : null
        }
      />
    </article>
  );
}
