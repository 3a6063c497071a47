/** A client's roles: searched and paged on the server, created by name, deleted after confirmation. */
import { useState } from 'preact/hooks';
import { api, messageOf, realmPath } from '../../api.ts';
import { t } from '../../i18n.ts';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { PagedTable } from '../../components/paged-table.tsx';
import { notify } from '../../components/alerts.tsx';
import { TextInput } from './form-inputs.tsx';
import type { ClientRep, RoleRep } from './types.ts';

export function ClientRoles({ realm, client, manage }: { realm: string; client: ClientRep; manage: boolean }) {
  const base = realmPath(realm, 'clients', client.id, 'roles');
  const [round, setRound] = useState(0);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<string>();

  const create = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      await api.post(base, { name: name.trim(), description });
      notify('success', t('clients.roleCreated'));
      setName('');
      setDescription('');
      setRound((r) => r + 1);
    } catch (e) {
      setError(messageOf(e));
    }
  };

  return (
    <section aria-labelledby="roles-heading">
      <h2 id="roles-heading">{t('clients.tabRoles')}</h2>
      <PagedTable<RoleRep>
        testId="client-roles-table"
        caption={t('clients.tabRoles')}
        reloadKey={round}
        rowKey={(r) => r.id}
        searchLabel={t('clients.roleSearch')}
        load={({ first, max, search }) => api.get<RoleRep[]>(base, { first, max, search: search || undefined })}
        columns={[
          { id: 'name', header: t('clients.roleName'), cell: (r) => r.name },
          { id: 'composite', header: t('clients.roleComposite'), cell: (r) => (r.composite ? t('clients.on') : t('clients.off')) },
          { id: 'description', header: t('clients.description'), cell: (r) => r.description || '—' },
          {
            id: 'actions',
            header: t('clients.actions'),
            cell: (r) =>
              manage ? (
                <ConfirmButton
                  testId={`role-delete-${r.name}`}
                  label={t('doDelete')}
                  title={t('clients.roleDeleteTitle', r.name)}
                  message={t('clients.roleDeleteMessage')}
                  done={t('clients.roleDeleted')}
                  onConfirm={async () => {
                    await api.del(`${base}/${encodeURIComponent(r.name)}`);
                    setRound((n) => n + 1);
                  }}
                />
              ) : null,
          },
        ]}
      />
      {manage ? (
        <form onSubmit={create} aria-labelledby="role-create-heading" data-testid="role-create-form">
          <h3 id="role-create-heading">{t('clients.roleCreate')}</h3>
          <TextInput id="role-name" label={t('clients.roleName')} value={name} onChange={setName} required error={error} />
          <TextInput id="role-description" label={t('clients.description')} value={description} onChange={setDescription} />
          <button type="submit" disabled={name.trim() === ''}>
            {t('doCreate')}
          </button>
        </form>
      ) : null}
    </section>
  );
}
