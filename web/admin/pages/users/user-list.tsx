/** Users of a realm, searched and paged on the server (`search`, `first`, `max`, and the count). */
import { api, realmPath } from '../../api.ts';
import { useAccess } from '../../access.ts';
import { t } from '../../i18n.ts';
import { href } from '../../router.ts';
import { PagedTable } from '../../components/paged-table.tsx';
import type { UserRep } from './types.ts';

export function UserList({ realm }: { realm: string }) {
  const access = useAccess();
  return (
    <article>
      <h1>{t('users.title')}</h1>
      <PagedTable<UserRep>
        testId="users-table"
        caption={t('users.title')}
        searchLabel={t('users.search')}
        rowKey={(u) => u.id}
        load={({ first, max, search }) => api.get<UserRep[]>(realmPath(realm, 'users'), { first, max, search, briefRepresentation: true })}
        count={(search) => api.get<number>(realmPath(realm, 'users', 'count'), { search })}
        toolbar={
          access.can(realm, 'manage-users') ? (
            <a role="button" href={href(realm, 'users', 'new')} data-testid="users-create">
              {t('users.create')}
            </a>
          ) : null
        }
        columns={[
          { id: 'username', header: t('username'), cell: (u) => <a href={href(realm, 'users', u.id, 'details')}>{u.username}</a> },
          { id: 'email', header: t('email'), cell: (u) => u.email ?? '' },
          { id: 'name', header: t('users.name'), cell: (u) => [u.firstName, u.lastName].filter(Boolean).join(' ') },
          { id: 'enabled', header: t('users.status'), cell: (u) => (u.enabled ? t('users.enabled') : t('users.disabled')) },
        ]}
      />
    </article>
  );
}
