/** One group: its child groups, members, attributes, role mappings and settings (rename, move), and delete. */
import { api, realmPath } from '../../api.ts';
import { useAccess } from '../../access.ts';
import { t } from '../../i18n.ts';
import { href } from '../../router.ts';
import { DetailHeader } from '../../components/detail-header.tsx';
import { AsyncStatus } from '../../components/status.tsx';
import { Tabs } from '../../components/tabs.tsx';
import { useAsync } from '../../components/use-async.ts';
import { RoleMapping } from '../users/role-mapping.tsx';
import { GroupAttributes } from './group-attributes.tsx';
import { GroupLevel } from './group-level.tsx';
import { GroupMembers } from './group-members.tsx';
import { GroupSettings } from './group-settings.tsx';
import { groupPath, type GroupRep } from './types.ts';

const TABS = ['children', 'members', 'attributes', 'role-mapping', 'settings'] as const;

export function GroupDetail({ realm, id, tab }: { realm: string; id: string; tab: string }) {
  const access = useAccess();
  const manage = access.can(realm, 'manage-users');
  const group = useAsync(() => api.get<GroupRep>(groupPath(realm, id)), [realm, id]);
  if (group.error || !group.data) return <AsyncStatus of={group} />;
  const rep = group.data;
  const active = (TABS as readonly string[]).includes(tab) ? tab : 'children';
  return (
    <article>
      <nav aria-label={t('users.breadcrumb')}>
        <a href={href(realm, 'groups')}>{t('groups.title')}</a>
        {rep.parentId ? (
          <>
            {' / '}
            <a href={href(realm, 'groups', rep.parentId, 'children')}>{t('groups.parent')}</a>
          </>
        ) : null}
      </nav>
      <DetailHeader
        title={rep.path}
        testId="group"
        remove={
          manage
            ? {
                call: () => api.del(groupPath(realm, id)),
                title: t('groups.deleteTitle'),
                message: t('groups.deleteMessage', rep.path),
                done: t('groups.deleted'),
                then: rep.parentId ? href(realm, 'groups', rep.parentId, 'children') : href(realm, 'groups'),
              }
            : undefined
        }
      />
      <Tabs label={t('groups.tabs')} active={active} tabs={TABS.map((name) => ({ id: name, label: t(`groups.tab.${name}`), href: href(realm, 'groups', id, name) }))} />
      {active === 'children' ? <GroupLevel realm={realm} parent={rep} /> : null}
      {active === 'members' ? <GroupMembers realm={realm} group={rep} manage={manage} /> : null}
      {active === 'attributes' ? <GroupAttributes realm={realm} group={rep} manage={manage} onSaved={group.reload} /> : null}
      {active === 'role-mapping' ? <RoleMapping base={`${realmPath(realm, 'groups', id)}`} holder={rep.path} manage={manage} /> : null}
      {active === 'settings' ? <GroupSettings realm={realm} group={rep} manage={manage} onSaved={group.reload} /> : null}
    </article>
  );
}
