/** The group's direct members, paged on the server, with adding a user found by search and removing one. */
import { useState } from 'preact/hooks';
import { api, messageOf, realmPath } from '../../api.ts';
import { t } from '../../i18n.ts';
import { href } from '../../router.ts';
import { notify } from '../../components/alerts.tsx';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { PagedTable } from '../../components/paged-table.tsx';
import { userPath } from '../users/types.ts';
import { groupPath, type GroupRep } from './types.ts';

interface Member {
  id: string;
  username: string;
  email?: string;
}

function AddMember({ realm, group, onAdded }: { realm: string; group: GroupRep; onAdded: () => void }) {
  const [search, setSearch] = useState('');
  const [found, setFound] = useState<Member[]>();
  const find = async (event: Event) => {
    event.preventDefault();
    try {
      setFound(await api.get<Member[]>(realmPath(realm, 'users'), { search: search.trim(), first: 0, max: 20, briefRepresentation: true }));
    } catch (error) {
      notify('error', messageOf(error));
    }
  };
  const add = async (user: Member) => {
    try {
      await api.put(userPath(realm, user.id, 'groups', group.id));
      notify('success', t('groups.memberAdded', user.username));
      onAdded();
    } catch (error) {
      notify('error', messageOf(error));
    }
  };
  return (
    <section>
      <h2>{t('groups.addMember')}</h2>
      <form role="search" onSubmit={find}>
        <fieldset role="group">
          <input type="search" aria-label={t('users.search')} placeholder={t('users.search')} value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} data-testid="member-search" />
          <button type="submit">{t('users.find')}</button>
        </fieldset>
      </form>
      {found ? (
        <ul data-testid="member-choices">
          {found.length === 0 ? <li>{t('noResults')}</li> : null}
          {found.map((u) => (
            <li key={u.id}>
              {u.username}{' '}
              <button type="button" class="secondary outline" onClick={() => void add(u)}>
                {t('groups.add')}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

export function GroupMembers({ realm, group, manage }: { realm: string; group: GroupRep; manage: boolean }) {
  const [round, setRound] = useState(0);
  const changed = () => setRound((r) => r + 1);
  return (
    <>
      <PagedTable<Member>
        testId="group-members"
        caption={t('groups.tab.members')}
        reloadKey={round}
        rowKey={(u) => u.id}
        load={({ first, max }) => api.get<Member[]>(groupPath(realm, group.id, 'members'), { first, max, briefRepresentation: true })}
        columns={[
          { id: 'username', header: t('username'), cell: (u) => <a href={href(realm, 'users', u.id, 'details')}>{u.username}</a> },
          { id: 'email', header: t('email'), cell: (u) => u.email ?? '' },
          {
            id: 'remove',
            header: t('users.actions'),
            cell: (u) =>
              manage ? (
                <ConfirmButton
                  testId={`remove-member-${u.username}`}
                  label={t('groups.removeMember')}
                  title={t('groups.removeMember')}
                  message={t('users.leaveGroupMessage', u.username, group.path)}
                  done={t('users.leftGroup')}
                  onConfirm={async () => (await api.del(userPath(realm, u.id, 'groups', group.id)), changed())}
                />
              ) : null,
          },
        ]}
      />
      {manage ? <AddMember realm={realm} group={group} onAdded={changed} /> : null}
    </>
  );
}
