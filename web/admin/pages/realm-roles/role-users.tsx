/** The users holding a realm role directly, paged on the server (`/roles/{name}/users`). */
import { api, realmPath } from '../../api.ts';
import { t } from '../../i18n.ts';
import { href } from '../../router.ts';
import { PagedTable } from '../../components/paged-table.tsx';
import type { RoleRep } from './types.ts';

interface Member {
  id: string;
  username: string;
  email?: string;
}

export function RoleUsers({ realm, role }: { realm: string; role: RoleRep }) {
  return (
    <PagedTable<Member>
      testId="role-users"
      caption={t('roles.tab.users')}
      rowKey={(u) => u.id}
      load={({ first, max }) => api.get<Member[]>(realmPath(realm, 'roles', role.name, 'users'), { first, max, briefRepresentation: true })}
      columns={[
        { id: 'username', header: t('username'), cell: (u) => <a href={href(realm, 'users', u.id, 'details')}>{u.username}</a> },
        { id: 'email', header: t('email'), cell: (u) => u.email ?? '' },
      ]}
    />
  );
}
