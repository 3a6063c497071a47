/**
 * The roles of a client's service account (what its client_credentials tokens carry): the role
 * mapping of its service-account user, realm roles and other clients' roles alike (the role
 * mapping API with `ui-ext/available-roles`), as Keycloak's console shows it.
 */
import { api, realmPath } from '../../api.ts';
import { t } from '../../i18n.ts';
import { AsyncStatus } from '../../components/status.tsx';
import { useAsync } from '../../components/use-async.ts';
import { RoleMapping } from '../users/role-mapping.tsx';
import { userPath } from '../users/types.ts';
import type { ClientRep } from './types.ts';

export function ServiceAccountRoles({ realm, client, manage }: { realm: string; client: ClientRep; manage: boolean }) {
  const user = useAsync(() => api.get<{ id: string; username: string }>(realmPath(realm, 'clients', client.id, 'service-account-user')), [realm, client.id]);
  return (
    <section aria-labelledby="service-account-heading" data-testid="service-account-roles">
      <h2 id="service-account-heading">{t('clients.tabServiceAccount')}</h2>
      <AsyncStatus of={user} />
      {user.data ? (
        <>
          <p>{t('clients.serviceAccountUser', user.data.username)}</p>
          <RoleMapping base={userPath(realm, user.data.id)} holder={user.data.username} manage={manage} />
        </>
      ) : null}
    </section>
  );
}
