/**
 * The role mappings of a user or a group: the roles assigned directly (realm and client roles)
 * with unassign, or with "effective" the roles reached through composites (and a user's groups)
 * too; assigning picks from the realm roles not held yet. `base` is the holder's admin path.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api, messageOf } from '../../api.ts';
import { t } from '../../i18n.ts';
import { notify } from '../../components/alerts.tsx';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { PagedTable } from '../../components/paged-table.tsx';
import { AsyncStatus } from '../../components/status.tsx';
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

/** A client role as `ui-ext/available-roles` and `ui-ext/effective-roles` list it (`clientId` is the client's UUID). */
interface ClientRoleRow {
  id: string;
  role: string;
  client: string;
  clientId: string;
  description?: string;
}

/** `/{realm}/ui-ext/{listing}/{users|groups}/{id}` from the holder's `/{realm}/{users|groups}/{id}`. */
function uiExtPath(base: string, listing: 'available-roles' | 'effective-roles'): string {
  const [, realm, kind, id] = base.split('/');
  return `/${realm}/ui-ext/${listing}/${kind}/${id}`;
}

/** Client roles of the holder, one page at a time from the server, searched by role or client. */
function ClientRoles({ base, listing, action, reloadKey, testId }: { base: string; listing: 'available-roles' | 'effective-roles'; action?: (row: ClientRoleRow) => ComponentChildren; reloadKey: unknown; testId: string }) {
  return (
    <PagedTable<ClientRoleRow>
      testId={testId}
      caption={t(listing === 'available-roles' ? 'users.availableClientRoles' : 'users.effectiveClientRoles')}
      searchLabel={t('users.searchClientRoles')}
      reloadKey={reloadKey}
      rowKey={(r) => r.id}
      load={({ first, max, search }) => api.get<ClientRoleRow[]>(uiExtPath(base, listing), { first, max, search })}
      columns={[
        { id: 'role', header: t('users.role'), cell: (r) => r.role },
        { id: 'client', header: t('users.client'), cell: (r) => r.client },
        { id: 'description', header: t('users.description'), cell: (r) => r.description ?? '' },
        ...(action ? [{ id: 'action', header: t('users.actions'), cell: action }] : []),
      ]}
    />
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
      {manage && !effective ? (
        <details data-testid="assign-client-roles">
          <summary>{t('users.assignClientRole')}</summary>
          <ClientRoles
            base={base}
            listing="available-roles"
            testId="available-client-roles"
            reloadKey={round}
            action={(r) => (
              <button
                type="button"
                class="secondary outline"
                onClick={() =>
                  void api
                    .post(mappingPath(base, 'role-mappings', 'clients', r.clientId), [{ id: r.id, name: r.role }])
                    .then(() => (notify('success', t('users.roleAssigned', `${r.client} ${r.role}`)), changed()))
                    .catch((e) => notify('error', messageOf(e)))
                }
              >
                {t('users.assignRole')}
              </button>
            )}
          />
        </details>
      ) : null}
      <AsyncStatus of={rows} />
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
      {effective ? (
        <>
          <h2>{t('users.effectiveClientRoles')}</h2>
          <ClientRoles base={base} listing="effective-roles" testId="effective-client-roles" reloadKey={round} />
        </>
      ) : null}
    </section>
  );
}
