/**
 * The role mappings of a user or a group: the roles assigned directly (realm and client roles)
 * with unassign, or with "effective" the roles reached through composites (and a user's groups)
 * too; assigning picks from the realm roles not held yet. `base` is the holder's admin path.
 */
import { useState } from 'preact/hooks';
import { api, messageOf } from '../../api.ts';
import { t } from '../../i18n.ts';
import { notify } from '../../components/alerts.tsx';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { ErrorMessage, Loading } from '../../components/status.tsx';
import { useAsync } from '../../components/use-async.ts';

interface RoleRep {
  id: string;
  name: string;
  description?: string;
  composite?: boolean;
}

interface Mappings {
  realmMappings?: RoleRep[];
  clientMappings?: Record<string, { id: string; client: string; mappings: RoleRep[] }>;
}

/** One row: a role with the client that owns it (none for a realm role). */
interface Row {
  role: RoleRep;
  client?: { id: string; clientId: string };
}

function rowsOf(mappings: Mappings): Row[] {
  const realmRows: Row[] = (mappings.realmMappings ?? []).map((role) => ({ role }));
  const clientRows: Row[] = Object.values(mappings.clientMappings ?? {}).flatMap((c) => c.mappings.map((role) => ({ role, client: { id: c.id, clientId: c.client } })));
  return [...realmRows, ...clientRows].sort((a, b) => (a.client?.clientId ?? '').localeCompare(b.client?.clientId ?? '') || a.role.name.localeCompare(b.role.name));
}

function AssignRealmRole({ base, onDone }: { base: string; onDone: () => void }) {
  const available = useAsync(() => api.get<RoleRep[]>(mappingPath(base, 'role-mappings', 'realm', 'available')), [base]);
  const [chosen, setChosen] = useState('');
  const assign = async (event: Event) => {
    event.preventDefault();
    const role = available.data?.find((r) => r.id === chosen);
    if (!role) return;
    try {
      await api.post(mappingPath(base, 'role-mappings', 'realm'), [role]);
      notify('success', t('users.roleAssigned', role.name));
      setChosen('');
      available.reload();
      onDone();
    } catch (error) {
      notify('error', messageOf(error));
    }
  };
  return (
    <form onSubmit={assign}>
      <fieldset role="group">
        <select aria-label={t('users.assignRole')} value={chosen} onChange={(e) => setChosen((e.target as HTMLSelectElement).value)} data-testid="assign-role">
          <option value="">{t('users.chooseRole')}</option>
          {(available.data ?? []).map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </select>
        <button type="submit" disabled={chosen === ''}>
          {t('users.assignRole')}
        </button>
      </fieldset>
    </form>
  );
}

/** `base` with more encoded path segments. */
function mappingPath(base: string, ...parts: string[]): string {
  return `${base}${parts.map((p) => `/${encodeURIComponent(p)}`).join('')}`;
}

export function RoleMapping({ base, holder, manage }: { base: string; holder: string; manage: boolean }) {
  const [effective, setEffective] = useState(false);
  const [round, setRound] = useState(0);
  const rows = useAsync(async (): Promise<Row[]> => {
    if (!effective) return rowsOf(await api.get<Mappings>(mappingPath(base, 'role-mappings')));
    const realmRoles = await api.get<RoleRep[]>(mappingPath(base, 'role-mappings', 'realm', 'composite'));
    return realmRoles.map((role) => ({ role })).sort((a, b) => a.role.name.localeCompare(b.role.name));
  }, [base, effective, round]);
  const changed = () => setRound((r) => r + 1);
  return (
    <section data-testid="user-roles">
      <div class="toolbar">
        <label>
          <input type="checkbox" role="switch" checked={effective} onChange={(e) => setEffective((e.target as HTMLInputElement).checked)} />
          {t('users.showEffective')}
        </label>
      </div>
      {manage && !effective ? <AssignRealmRole base={base} onDone={changed} /> : null}
      {rows.loading && !rows.data ? <Loading /> : null}
      {rows.error ? <ErrorMessage message={rows.error} /> : null}
      <table>
        <caption class="visually-hidden">{t('users.tab.role-mapping')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('users.role')}</th>
            <th scope="col">{t('users.client')}</th>
            <th scope="col">{t('users.description')}</th>
            <th scope="col">
              <span class="visually-hidden">{t('users.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(rows.data ?? []).map(({ role, client }) => (
            <tr key={role.id} data-testid="role-row">
              <td data-label={t('users.role')}>{role.name}</td>
              <td data-label={t('users.client')}>{client?.clientId ?? ''}</td>
              <td data-label={t('users.description')}>{role.description ?? ''}</td>
              <td>
                {manage && !effective ? (
                  <ConfirmButton
                    testId={`unassign-${role.name}`}
                    label={t('users.unassign')}
                    title={t('users.unassign')}
                    message={t('users.unassignMessage', role.name, holder)}
                    done={t('users.unassigned')}
                    onConfirm={async () => (await api.del(client ? mappingPath(base, 'role-mappings', 'clients', client.id) : mappingPath(base, 'role-mappings', 'realm'), [role]), changed())}
                  />
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
