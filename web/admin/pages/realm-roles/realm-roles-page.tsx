/**
 * `#/{realm}/roles[/new | /{id}/{tab}]`: the realm's roles, searched and paged on the server,
 * creating one, and one role's details, composites and users. Roles are addressed by id in the
 * route (names may hold any character) and by name where Keycloak's API wants the name.
 */
import { useState } from 'preact/hooks';
import { api, messageOf, realmPath } from '../../api.ts';
import { useAccess } from '../../access.ts';
import { t } from '../../i18n.ts';
import { href, navigate } from '../../router.ts';
import { notify } from '../../components/alerts.tsx';
import { DetailHeader } from '../../components/detail-header.tsx';
import { Field, describedBy } from '../../components/field.tsx';
import { PagedTable } from '../../components/paged-table.tsx';
import { AsyncStatus } from '../../components/status.tsx';
import { Tabs } from '../../components/tabs.tsx';
import { useAsync } from '../../components/use-async.ts';
import type { PageProps } from '../section.ts';
import { RoleComposites } from './role-composites.tsx';
import { RoleUsers } from './role-users.tsx';
import type { RoleRep } from './types.ts';

function RoleList({ realm }: { realm: string }) {
  const access = useAccess();
  return (
    <article>
      <h1>{t('roles.title')}</h1>
      <PagedTable<RoleRep>
        testId="roles-table"
        caption={t('roles.title')}
        searchLabel={t('roles.search')}
        rowKey={(r) => r.id}
        load={({ first, max, search }) => api.get<RoleRep[]>(realmPath(realm, 'roles'), { first, max, search, briefRepresentation: true })}
        toolbar={
          access.can(realm, 'manage-realm') ? (
            <a role="button" href={href(realm, 'roles', 'new')} data-testid="roles-create">
              {t('roles.create')}
            </a>
          ) : null
        }
        columns={[
          { id: 'name', header: t('roles.name'), cell: (r) => <a href={href(realm, 'roles', r.id, 'details')}>{r.name}</a> },
          { id: 'composite', header: t('roles.composite'), cell: (r) => (r.composite ? t('doYes') : t('doNo')) },
          { id: 'description', header: t('roles.description'), cell: (r) => r.description ?? '' },
        ]}
      />
    </article>
  );
}

/** Name and description, for a new role or an existing one. */
function RoleForm({ initial, submitLabel, readOnly, onSubmit }: { initial: { name: string; description?: string }; submitLabel: string; readOnly?: boolean; onSubmit: (f: { name: string; description: string }) => Promise<void> }) {
  const [name, setName] = useState(initial.name);
  const [description, setDescription] = useState(initial.description ?? '');
  const [error, setError] = useState<string>();
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      await onSubmit({ name: name.trim(), description });
    } catch (e) {
      setError(messageOf(e));
    }
  };
  return (
    <form onSubmit={submit} data-testid="role-form">
      <Field id="role-name" label={t('roles.name')} error={error}>
        <input id="role-name" required readOnly={readOnly} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} {...describedBy('role-name', error)} />
      </Field>
      <Field id="role-description" label={t('roles.description')}>
        <textarea id="role-description" readOnly={readOnly} value={description} onInput={(e) => setDescription((e.target as HTMLTextAreaElement).value)} />
      </Field>
      {readOnly ? null : (
        <button type="submit" data-testid="role-save">
          {submitLabel}
        </button>
      )}
    </form>
  );
}

function RoleCreate({ realm }: { realm: string }) {
  const create = async (fields: { name: string; description: string }) => {
    await api.post(realmPath(realm, 'roles'), fields);
    const role = await api.get<RoleRep>(realmPath(realm, 'roles', fields.name));
    notify('success', t('roles.created'));
    navigate(href(realm, 'roles', role.id, 'details'));
  };
  return (
    <article>
      <a href={href(realm, 'roles')}>{t('roles.title')}</a>
      <h1>{t('roles.create')}</h1>
      <RoleForm initial={{ name: '' }} submitLabel={t('doCreate')} onSubmit={create} />
    </article>
  );
}

const TABS = ['details', 'composites', 'users'] as const;

function RoleDetail({ realm, id, tab }: { realm: string; id: string; tab: string }) {
  const access = useAccess();
  const manage = access.can(realm, 'manage-realm');
  const byId = realmPath(realm, 'roles-by-id', id);
  const role = useAsync(() => api.get<RoleRep>(byId), [byId]);
  if (role.error || !role.data) return <AsyncStatus of={role} />;
  const rep = role.data;
  const active = (TABS as readonly string[]).includes(tab) ? tab : 'details';
  const save = async (fields: { name: string; description: string }) => {
    await api.put(byId, { ...rep, ...fields });
    notify('success', t('roles.saved'));
    role.reload();
  };
  return (
    <article>
      <a href={href(realm, 'roles')}>{t('roles.title')}</a>
      <DetailHeader
        title={rep.name}
        testId="role"
        remove={manage ? { call: () => api.del(byId), title: t('roles.deleteTitle'), message: t('roles.deleteMessage', rep.name), done: t('roles.deleted'), then: href(realm, 'roles') } : undefined}
      />
      <Tabs label={t('roles.tabs')} active={active} tabs={TABS.map((name) => ({ id: name, label: t(`roles.tab.${name}`), href: href(realm, 'roles', id, name) }))} />
      {active === 'details' ? <RoleForm key={`${rep.name}-${rep.description}`} initial={rep} readOnly={!manage} submitLabel={t('doSave')} onSubmit={save} /> : null}
      {active === 'composites' ? <RoleComposites realm={realm} role={rep} manage={manage} onChange={role.reload} /> : null}
      {active === 'users' ? <RoleUsers realm={realm} role={rep} /> : null}
    </article>
  );
}

export function RealmRolesPage({ realm, rest }: PageProps) {
  if (rest[0] === 'new') return <RoleCreate realm={realm} />;
  if (rest[0]) return <RoleDetail key={rest[0]} realm={realm} id={rest[0]} tab={rest[1] ?? 'details'} />;
  return <RoleList realm={realm} />;
}
