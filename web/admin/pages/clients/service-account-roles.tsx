/**
 * The realm roles of a client's service account (the roles its client_credentials tokens carry):
 * the assigned ones with removal, and assigning one of the rest.
 */
import { useState } from 'preact/hooks';
import { api, messageOf, realmPath } from '../../api.ts';
import { t } from '../../i18n.ts';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { Field } from '../../components/field.tsx';
import { useAsync } from '../../components/use-async.ts';
import { ErrorMessage, Loading } from '../../components/status.tsx';
import { notify } from '../../components/alerts.tsx';
import type { ClientRep, RoleRep } from './types.ts';

export function ServiceAccountRoles({ realm, client, manage }: { realm: string; client: ClientRep; manage: boolean }) {
  const data = useAsync(async () => {
    const user = await api.get<{ id: string; username: string }>(realmPath(realm, 'clients', client.id, 'service-account-user'));
    const mappings = realmPath(realm, 'users', user.id, 'role-mappings', 'realm');
    const [assigned, available] = await Promise.all([api.get<RoleRep[]>(mappings), manage ? api.get<RoleRep[]>(`${mappings}/available`) : Promise.resolve([])]);
    return { user, mappings, assigned, available };
  }, [realm, client.id, manage]);
  const [choice, setChoice] = useState('');
  const [error, setError] = useState<string>();
  if (data.loading && !data.data) return <Loading />;
  if (data.error || !data.data) return <ErrorMessage message={data.error ?? ''} />;
  const { user, mappings, assigned, available } = data.data;

  const assign = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    const role = available.find((r) => r.id === choice);
    if (!role) return;
    try {
      await api.post(mappings, [role]);
      notify('success', t('clients.roleAssigned'));
      setChoice('');
      data.reload();
    } catch (e) {
      setError(messageOf(e));
    }
  };

  return (
    <section aria-labelledby="service-account-heading">
      <h2 id="service-account-heading">{t('clients.tabServiceAccount')}</h2>
      <p>{t('clients.serviceAccountUser', user.username)}</p>
      <ul data-testid="service-account-roles">
        {assigned.map((role) => (
          <li key={role.id}>
            {role.name}{' '}
            {manage ? (
              <ConfirmButton
                testId={`sa-unassign-${role.name}`}
                label={t('clients.unassign')}
                title={t('clients.unassignTitle', role.name)}
                message={t('clients.unassignMessage')}
                done={t('clients.roleUnassigned')}
                onConfirm={async () => {
                  await api.del(mappings, [role]);
                  data.reload();
                }}
              />
            ) : null}
          </li>
        ))}
        {assigned.length === 0 ? <li>{t('noResults')}</li> : null}
      </ul>
      {manage && available.length > 0 ? (
        <form onSubmit={assign} class="inline-form">
          <Field id="sa-role" label={t('clients.assignRole')} error={error}>
            <select id="sa-role" value={choice} onChange={(e) => setChoice((e.target as HTMLSelectElement).value)}>
              <option value="">{t('clients.mapperChoose')}</option>
              {available.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          </Field>
          <button type="submit" disabled={choice === ''}>
            {t('clients.assign')}
          </button>
        </form>
      ) : null}
    </section>
  );
}
