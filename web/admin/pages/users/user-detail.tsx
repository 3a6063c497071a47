/**
 * One user: the header with delete, and a tab per concern, each its own URL. Tabs that need
 * roles the admin lacks are not offered; the API would refuse them anyway.
 */
import { api } from '../../api.ts';
import { useAccess } from '../../access.ts';
import { t } from '../../i18n.ts';
import { href } from '../../router.ts';
import { DetailHeader } from '../../components/detail-header.tsx';
import { AsyncStatus } from '../../components/status.tsx';
import { Tabs } from '../../components/tabs.tsx';
import { useAsync } from '../../components/use-async.ts';
import { userPath, type UserRep } from './types.ts';
import { UserDetailsTab } from './user-details-tab.tsx';
import { UserAttributesTab } from './user-attributes-tab.tsx';
import { UserCredentialsTab } from './user-credentials-tab.tsx';
import { RoleMapping } from './role-mapping.tsx';
import { UserGroupsTab } from './user-groups-tab.tsx';
import { UserConsentsTab } from './user-consents-tab.tsx';
import { UserSessionsTab } from './user-sessions-tab.tsx';
import { ImpersonateButton } from './impersonate-button.tsx';

const TABS = ['details', 'attributes', 'credentials', 'role-mapping', 'groups', 'consents', 'sessions'] as const;

export function UserDetail({ realm, id, tab }: { realm: string; id: string; tab: string }) {
  const access = useAccess();
  const user = useAsync(() => api.get<UserRep>(userPath(realm, id)), [realm, id]);
  if (user.error || !user.data) return <AsyncStatus of={user} />;
  const rep = user.data;
  const manage = access.can(realm, 'manage-users') && rep.access?.manage !== false;
  const props = { realm, user: rep, manage, reload: user.reload };
  const active = (TABS as readonly string[]).includes(tab) ? tab : 'details';
  return (
    <article>
      <nav aria-label={t('users.breadcrumb')}>
        <a href={href(realm, 'users')}>{t('users.title')}</a>
      </nav>
      <DetailHeader
        title={rep.username}
        testId="user"
        remove={manage ? { call: () => api.del(userPath(realm, id)), title: t('users.deleteTitle'), message: t('users.deleteMessage', rep.username), done: t('users.deleted'), then: href(realm, 'users') } : undefined}
      >
        {rep.access?.impersonate && rep.enabled ? <ImpersonateButton realm={realm} user={rep} /> : null}
      </DetailHeader>
      <Tabs label={t('users.tabs')} active={active} tabs={TABS.map((name) => ({ id: name, label: t(`users.tab.${name}`), href: href(realm, 'users', id, name) }))} />
      {active === 'details' ? <UserDetailsTab {...props} /> : null}
      {active === 'attributes' ? <UserAttributesTab {...props} /> : null}
      {active === 'credentials' ? <UserCredentialsTab {...props} /> : null}
      {active === 'role-mapping' ? <RoleMapping base={userPath(realm, id)} holder={rep.username} manage={manage} /> : null}
      {active === 'groups' ? <UserGroupsTab {...props} /> : null}
      {active === 'consents' ? <UserConsentsTab {...props} /> : null}
      {active === 'sessions' ? <UserSessionsTab {...props} /> : null}
    </article>
  );
}
