/** A new user: the profile fields and, optionally, groups to join (POST /users with `groups` paths). */
import { useState } from 'preact/hooks';
import { api, realmPath } from '../../api.ts';
import { t } from '../../i18n.ts';
import { href, navigate } from '../../router.ts';
import { notify } from '../../components/alerts.tsx';
import { GroupPicker } from './group-picker.tsx';
import type { GroupRep, UserRep } from './types.ts';
import { UserForm, type UserFields } from './user-form.tsx';

export function UserCreate({ realm }: { realm: string }) {
  const [groups, setGroups] = useState<GroupRep[]>([]);
  const create = async (fields: UserFields) => {
    await api.post(realmPath(realm, 'users'), { ...fields, groups: groups.map((g) => g.path) });
    // The API answers 201 with the new user's URL in Location, which fetch's CORS view may hide: look it up.
    const [user] = await api.get<UserRep[]>(realmPath(realm, 'users'), { username: fields.username, exact: true, briefRepresentation: true });
    notify('success', t('users.created'));
    navigate(user ? href(realm, 'users', user.id, 'details') : href(realm, 'users'));
  };
  return (
    <article>
      <nav aria-label={t('users.breadcrumb')}>
        <a href={href(realm, 'users')}>{t('users.title')}</a>
      </nav>
      <h1>{t('users.create')}</h1>
      <section>
        <h2>{t('users.joinGroups')}</h2>
        <ul data-testid="create-groups">
          {groups.map((g) => (
            <li key={g.id}>
              {g.path}{' '}
              <button type="button" class="secondary outline" onClick={() => setGroups(groups.filter((x) => x.id !== g.id))}>
                {t('users.removeGroup')}
              </button>
            </li>
          ))}
        </ul>
        <GroupPicker realm={realm} exclude={groups.map((g) => g.id)} actionLabel={t('users.addGroup')} onPick={async (g) => setGroups([...groups, g])} />
      </section>
      <UserForm initial={{ username: '', enabled: true, emailVerified: false }} submitLabel={t('doCreate')} onSubmit={create} />
    </article>
  );
}
