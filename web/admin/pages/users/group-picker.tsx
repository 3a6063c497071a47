/**
 * Finds a group by name on the server (`GET /groups?search=`, which answers with the matching
 * groups inside their tree) and offers each match, subgroups included, by its path.
 */
import { useState } from 'preact/hooks';
import { api, messageOf, realmPath } from '../../api.ts';
import { t } from '../../i18n.ts';
import { notify } from '../../components/alerts.tsx';
import type { GroupRep } from './types.ts';

interface TreeGroup extends GroupRep {
  subGroups?: TreeGroup[];
}

const MAX = 20;

function flatten(groups: TreeGroup[]): GroupRep[] {
  return groups.flatMap((g) => [g, ...flatten(g.subGroups ?? [])]);
}

interface Props {
  realm: string;
  exclude: string[];
  actionLabel: string;
  onPick: (group: GroupRep) => Promise<void>;
}

export function GroupPicker({ realm, exclude, actionLabel, onPick }: Props) {
  const [search, setSearch] = useState('');
  const [found, setFound] = useState<GroupRep[]>();
  const find = async (event: Event) => {
    event.preventDefault();
    try {
      const tree = await api.get<TreeGroup[]>(realmPath(realm, 'groups'), { search: search.trim(), first: 0, max: MAX, briefRepresentation: true });
      setFound(search.trim() === '' ? tree : flatten(tree));
    } catch (error) {
      notify('error', messageOf(error));
    }
  };
  const shown = (found ?? []).filter((g) => !exclude.includes(g.id));
  return (
    <div class="group-picker">
      <form role="search" onSubmit={find}>
        <fieldset role="group">
          <input type="search" aria-label={t('users.findGroup')} placeholder={t('users.findGroup')} value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} data-testid="group-search" />
          <button type="submit">{t('users.find')}</button>
        </fieldset>
      </form>
      {found ? (
        <ul data-testid="group-choices">
          {shown.length === 0 ? <li>{t('noResults')}</li> : null}
          {shown.map((g) => (
            <li key={g.id}>
              {g.path}{' '}
              <button type="button" class="secondary outline" onClick={() => void onPick(g).catch((e) => notify('error', messageOf(e)))}>
                {actionLabel}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
