/** The groups the user is a direct member of (paged and searched on the server), join and leave. */
import { useState } from 'preact/hooks';
import { api } from '../../api.ts';
import { t } from '../../i18n.ts';
import { notify } from '../../components/alerts.tsx';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { PagedTable } from '../../components/paged-table.tsx';
import { GroupPicker } from './group-picker.tsx';
import type { UserTabProps } from './tab-props.ts';
import { userPath, type GroupRep } from './types.ts';

export function UserGroupsTab({ realm, user, manage }: UserTabProps) {
  const [round, setRound] = useState(0);
  const changed = () => setRound((r) => r + 1);
  return (
    <>
      <PagedTable<GroupRep>
        testId="user-groups"
        caption={t('users.tab.groups')}
        searchLabel={t('users.searchGroups')}
        reloadKey={round}
        rowKey={(g) => g.id}
        load={({ first, max, search }) => api.get<GroupRep[]>(userPath(realm, user.id, 'groups'), { first, max, search, briefRepresentation: true })}
        count={(search) => api.get<{ count: number }>(userPath(realm, user.id, 'groups', 'count'), { search }).then((c) => c.count)}
        columns={[
          { id: 'path', header: t('users.groupPath'), cell: (g) => g.path },
          {
            id: 'leave',
            header: t('users.actions'),
            cell: (g) =>
              manage ? (
                <ConfirmButton
                  testId={`leave-${g.name}`}
                  label={t('users.leaveGroup')}
                  title={t('users.leaveGroup')}
                  message={t('users.leaveGroupMessage', user.username, g.path)}
                  done={t('users.leftGroup')}
                  onConfirm={async () => (await api.del(userPath(realm, user.id, 'groups', g.id)), changed())}
                />
              ) : null,
          },
        ]}
      />
      {manage ? (
        <section>
          <h2>{t('users.joinGroups')}</h2>
          <GroupPicker
            realm={realm}
            exclude={[]}
            actionLabel={t('users.joinGroup')}
            onPick={async (g) => {
              await api.put(userPath(realm, user.id, 'groups', g.id));
              notify('success', t('users.joinedGroup', g.path));
              changed();
            }}
          />
        </section>
      ) : null}
    </>
  );
}
