/**
 * The roles a composite role contains (paged and searched on the server through
 * `roles-by-id/{id}/composites`), adding a realm role found by name, and removing one.
 */
import { useState } from 'preact/hooks';
import { api, messageOf, realmPath } from '../../api.ts';
import { t } from '../../i18n.ts';
import { notify } from '../../components/alerts.tsx';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { PagedTable } from '../../components/paged-table.tsx';
import type { RoleRep } from './types.ts';

function AddComposite({ realm, role, onAdded }: { realm: string; role: RoleRep; onAdded: () => void }) {
  const [search, setSearch] = useState('');
  const [found, setFound] = useState<RoleRep[]>();
  const find = async (event: Event) => {
    event.preventDefault();
    try {
      setFound((await api.get<RoleRep[]>(realmPath(realm, 'roles'), { search: search.trim(), first: 0, max: 20 })).filter((r) => r.id !== role.id));
    } catch (error) {
      notify('error', messageOf(error));
    }
  };
  const add = async (composite: RoleRep) => {
    try {
      await api.post(realmPath(realm, 'roles-by-id', role.id, 'composites'), [composite]);
      notify('success', t('roles.compositeAdded', composite.name));
      onAdded();
    } catch (error) {
      notify('error', messageOf(error));
    }
  };
  return (
    <section>
      <h2>{t('roles.addComposite')}</h2>
      <form role="search" onSubmit={find}>
        <fieldset role="group">
          <input type="search" aria-label={t('roles.search')} placeholder={t('roles.search')} value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} />
          <button type="submit">{t('users.find')}</button>
        </fieldset>
      </form>
      {found ? (
        <ul data-testid="composite-choices">
          {found.length === 0 ? <li>{t('noResults')}</li> : null}
          {found.map((r) => (
            <li key={r.id}>
              {r.name}{' '}
              <button type="button" class="secondary outline" onClick={() => void add(r)}>
                {t('roles.add')}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

export function RoleComposites({ realm, role, manage, onChange }: { realm: string; role: RoleRep; manage: boolean; onChange: () => void }) {
  const [round, setRound] = useState(0);
  const changed = () => {
    setRound((r) => r + 1);
    onChange();
  };
  return (
    <>
      <PagedTable<RoleRep>
        testId="role-composites"
        caption={t('roles.tab.composites')}
        searchLabel={t('roles.search')}
        reloadKey={round}
        rowKey={(r) => r.id}
        load={({ first, max, search }) => api.get<RoleRep[]>(realmPath(realm, 'roles-by-id', role.id, 'composites'), { first, max, search })}
        columns={[
          { id: 'name', header: t('roles.name'), cell: (r) => r.name },
          { id: 'kind', header: t('roles.kind'), cell: (r) => (r.clientRole ? t('roles.clientRole') : t('roles.realmRole')) },
          {
            id: 'remove',
            header: t('users.actions'),
            cell: (r) =>
              manage ? (
                <ConfirmButton
                  testId={`remove-composite-${r.name}`}
                  label={t('roles.remove')}
                  title={t('roles.removeComposite')}
                  message={t('roles.removeCompositeMessage', r.name, role.name)}
                  onConfirm={async () => (await api.del(realmPath(realm, 'roles-by-id', role.id, 'composites'), [r]), changed())}
                />
              ) : null,
          },
        ]}
      />
      {manage ? <AddComposite realm={realm} role={role} onAdded={changed} /> : null}
    </>
  );
}
