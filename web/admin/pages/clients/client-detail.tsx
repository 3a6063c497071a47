/**
 * One client: its tabs (settings, credentials for a confidential client, roles, client scopes,
 * the dedicated scope's mappers, service-account roles when it has a service account, sessions)
 * and deleting it. Tabs are links, so each has its own URL.
 */
import { api, realmPath } from '../../api.ts';
import { useAccess } from '../../access.ts';
import { t } from '../../i18n.ts';
import { href, navigate } from '../../router.ts';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { Tabs } from '../../components/tabs.tsx';
import { useAsync } from '../../components/use-async.ts';
import { AsyncStatus } from '../../components/status.tsx';
import { notify } from '../../components/alerts.tsx';
import { MapperList } from '../mappers/mapper-list.tsx';
import { ClientCredentials } from './client-credentials.tsx';
import { ClientForm } from './client-form.tsx';
import { ClientRoles } from './client-roles.tsx';
import { ClientScopesTab } from './client-scopes-tab.tsx';
import { ClientSessions } from './client-sessions.tsx';
import { ServiceAccountRoles } from './service-account-roles.tsx';
import type { ClientRep } from './types.ts';

interface Props {
  realm: string;
  id: string;
  tab: string;
  rest: string[];
}

export function ClientDetail({ realm, id, tab, rest }: Props) {
  const access = useAccess();
  const client = useAsync(() => api.get<ClientRep>(realmPath(realm, 'clients', id)), [realm, id]);
  if (client.error || !client.data) return <AsyncStatus of={client} missing={t('pageNotFound')} />;
  const c = client.data;
  const manage = access.can(realm, 'manage-clients') && c.access?.manage !== false;
  const tabs = [
    { id: 'settings', label: t('clients.tabSettings') },
    ...(!c.publicClient && !c.bearerOnly ? [{ id: 'credentials', label: t('clients.tabCredentials') }] : []),
    { id: 'roles', label: t('clients.tabRoles') },
    { id: 'client-scopes', label: t('clients.tabClientScopes') },
    { id: 'mappers', label: t('clients.tabMappers') },
    ...(c.serviceAccountsEnabled ? [{ id: 'service-account', label: t('clients.tabServiceAccount') }] : []),
    { id: 'sessions', label: t('clients.tabSessions') },
  ].map((entry) => ({ ...entry, href: href(realm, 'clients', id, entry.id) }));
  const base = realmPath(realm, 'clients', id);
  let body;
  switch (tab) {
    case 'credentials':
      body = <ClientCredentials realm={realm} client={c} manage={manage} />;
      break;
    case 'roles':
      body = <ClientRoles realm={realm} client={c} manage={manage} />;
      break;
    case 'client-scopes':
      body = <ClientScopesTab realm={realm} client={c} manage={manage} />;
      break;
    case 'mappers':
      body = <MapperList realm={realm} base={base} manage={manage} rest={rest} backHref={href(realm, 'clients', id, 'mappers')} />;
      break;
    case 'service-account':
      body = <ServiceAccountRoles realm={realm} client={c} manage={manage && access.can(realm, 'manage-users')} />;
      break;
    case 'sessions':
      body = <ClientSessions realm={realm} client={c} manage={access.can(realm, 'manage-users')} />;
      break;
    default:
      body = (
        <ClientForm
          key={JSON.stringify(c)}
          initial={c}
          creating={false}
          readOnly={!manage}
          onSave={async (draft) => {
            await api.put(base, draft);
            notify('success', t('clients.saved'));
            client.reload();
          }}
        />
      );
  }
  return (
    <article>
      <nav aria-label={t('clients.breadcrumb')}>
        <a href={href(realm, 'clients')}>{t('clients.title')}</a>
      </nav>
      <header class="page-header">
        <h1 data-testid="client-title">{c.clientId}</h1>
        {manage ? (
          <ConfirmButton
            testId="client-delete"
            label={t('doDelete')}
            title={t('clients.deleteTitle', c.clientId)}
            message={t('clients.deleteMessage')}
            done={t('clients.deleted')}
            onConfirm={async () => {
              await api.del(base);
              navigate(href(realm, 'clients'));
            }}
          />
        ) : null}
      </header>
      <Tabs label={t('clients.tabs')} tabs={tabs} active={tab} />
      {body}
    </article>
  );
}
