/**
 * One level of the group tree: the top-level groups, or `parent`'s child groups, paged and
 * searched on the server, with creating a group at this level.
 */
import { useState } from 'preact/hooks';
import { api, messageOf, realmPath } from '../../api.ts';
import { useAccess } from '../../access.ts';
import { t } from '../../i18n.ts';
import { href } from '../../router.ts';
import { notify } from '../../components/alerts.tsx';
import { PagedTable } from '../../components/paged-table.tsx';
import { groupPath, type GroupRep } from './types.ts';

function CreateGroup({ realm, parent, onCreated }: { realm: string; parent?: GroupRep; onCreated: () => void }) {
  const [name, setName] = useState('');
  const [error, setError] = useState<string>();
  const create = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      await api.post(parent ? groupPath(realm, parent.id, 'children') : realmPath(realm, 'groups'), { name: name.trim() });
      notify('success', t('groups.created', name.trim()));
      setName('');
      onCreated();
    } catch (e) {
      setError(messageOf(e));
    }
  };
  return (
    <form onSubmit={create} data-testid="group-create">
      <fieldset role="group">
        <input aria-label={t('groups.newName')} placeholder={t('groups.newName')} required value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} aria-invalid={error ? true : undefined} aria-describedby={error ? 'group-create-error' : undefined} />
        <button type="submit">{parent ? t('groups.createChild') : t('groups.create')}</button>
      </fieldset>
      {error ? (
        <small id="group-create-error" class="field-error" role="alert">
          {error}
        </small>
      ) : null}
    </form>
  );
}

export function GroupLevel({ realm, parent }: { realm: string; parent?: GroupRep }) {
  const access = useAccess();
  const [round, setRound] = useState(0);
  const load = ({ first, max, search }: { first: number; max: number; search: string }) =>
    parent
      ? api.get<GroupRep[]>(groupPath(realm, parent.id, 'children'), { first, max, search, briefRepresentation: true })
      : api.get<GroupRep[]>(realmPath(realm, 'groups'), { first, max, search, briefRepresentation: true, populateHierarchy: false });
  return (
    <>
      <PagedTable<GroupRep>
        testId="groups-table"
        caption={parent ? t('groups.childrenOf', parent.path) : t('groups.title')}
        searchLabel={t('groups.search')}
        reloadKey={round}
        rowKey={(g) => g.id}
        load={load}
        count={parent ? undefined : (search) => api.get<{ count: number }>(realmPath(realm, 'groups', 'count'), { search, top: true }).then((c) => c.count)}
        columns={[
          { id: 'name', header: t('groups.name'), cell: (g) => <a href={href(realm, 'groups', g.id, 'children')}>{g.name}</a> },
          { id: 'path', header: t('groups.path'), cell: (g) => g.path },
          { id: 'sub', header: t('groups.subGroups'), cell: (g) => String(g.subGroupCount ?? '') },
        ]}
      />
      {access.can(realm, 'manage-users') ? <CreateGroup realm={realm} parent={parent} onCreated={() => setRound((r) => r + 1)} /> : null}
    </>
  );
}
