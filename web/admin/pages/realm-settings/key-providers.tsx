/**
 * The realm's key provider components (`/components?type=org.keycloak.keys.KeyProvider`), highest
 * priority first: add a generated provider with a priority, make one passive (`active` false: its
 * key still verifies what it signed, but no longer signs) or disabled (`enabled` false: its key
 * is gone from the JWKS), delete one, and rotate, as Keycloak's documentation describes it: a new
 * provider of the same kind with a higher priority than any other, then the old one made passive.
 */
import { useState } from 'preact/hooks';
import { api, messageOf, realmPath } from '../../api.ts';
import { t } from '../../i18n.ts';
import { notify } from '../../components/alerts.tsx';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { describedBy, Field } from '../../components/field.tsx';
import { ListTable } from '../../components/list-table.tsx';
import { RowSwitch } from '../../components/switch.tsx';
import { useAsync } from '../../components/use-async.ts';
import { AsyncStatus } from '../../components/status.tsx';
import { GENERATED_PROVIDERS, isOn, KEY_PROVIDER_TYPE, priorityOf, type KeyProvider } from './key-types.ts';

interface Props {
  realm: string;
  canManage: boolean;
}

const componentsPath = (realm: string, ...parts: string[]) => realmPath(realm, 'components', ...parts);

/** Sends the provider back whole with one setting changed, as Keycloak's console does. */
const withSetting = (provider: KeyProvider, name: string, value: string): KeyProvider => ({ ...provider, config: { ...provider.config, [name]: [value] } });

export function KeyProviders({ realm, canManage }: Props) {
  const providers = useAsync(async () => {
    const realmId = (await api.get<{ id: string }>(realmPath(realm))).id;
    const list = await api.get<KeyProvider[]>(componentsPath(realm), { type: KEY_PROVIDER_TYPE });
    return { realmId, list: list.sort((a, b) => priorityOf(b) - priorityOf(a) || a.name.localeCompare(b.name)) };
  }, [realm]);
  if (providers.error || !providers.data) return <AsyncStatus of={providers} />;
  const { realmId, list } = providers.data;

  const update = async (provider: KeyProvider, name: 'active' | 'enabled', on: boolean) => {
    try {
      await api.put(componentsPath(realm, provider.id), withSetting(provider, name, String(on)));
      notify('success', t('keys.providerSaved'));
    } catch (error) {
      notify('error', messageOf(error));
    }
    providers.reload();
  };

  const rotate = async (old: KeyProvider) => {
    const priority = Math.max(...list.map(priorityOf)) + 1;
    const { id: _id, ...rest } = old;
    const config = { ...old.config, priority: [String(priority)], active: ['true'], enabled: ['true'] };
    await api.post(componentsPath(realm), { ...rest, name: `${old.providerId}-${priority}`, config });
    await api.put(componentsPath(realm, old.id), withSetting(old, 'active', 'false'));
    providers.reload();
  };

  return (
    <>
      {canManage ? <AddProvider realm={realm} realmId={realmId} onAdded={providers.reload} /> : null}
      <ListTable<KeyProvider>
        testId="key-providers"
        caption={t('keys.providers')}
        rows={list}
        rowKey={(p) => p.id}
        rowTestId={(p) => `key-provider-${p.name}`}
        columns={[
          { id: 'name', header: t('keys.providerName'), cell: (p) => p.name },
          { id: 'providerId', header: t('keys.providerId'), cell: (p) => p.providerId },
          { id: 'priority', header: t('keys.priority'), cell: (p) => String(priorityOf(p)) },
          {
            id: 'active',
            header: t('keys.active'),
            cell: (p) => <RowSwitch checked={isOn(p, 'active')} label={t('keys.activeOf', p.name)} disabled={!canManage} testId="provider-active" onChange={(on) => update(p, 'active', on)} />,
          },
          {
            id: 'enabled',
            header: t('keys.enabled'),
            cell: (p) => <RowSwitch checked={isOn(p, 'enabled')} label={t('keys.enabledOf', p.name)} disabled={!canManage} testId="provider-enabled" onChange={(on) => update(p, 'enabled', on)} />,
          },
          {
            id: 'actions',
            header: t('keys.actions'),
            cell: (p) =>
              canManage ? (
                <div class="toolbar-actions">
                  {GENERATED_PROVIDERS.includes(p.providerId) && isOn(p, 'active') && isOn(p, 'enabled') ? (
                    <ConfirmButton label={t('keys.rotate')} title={t('keys.rotateTitle', p.name)} message={t('keys.rotateMessage')} confirmLabel={t('keys.rotate')} done={t('keys.rotated')} testId={`rotate-${p.name}`} onConfirm={() => rotate(p)} />
                  ) : null}
                  <ConfirmButton label={t('doDelete')} title={t('keys.deleteTitle', p.name)} message={t('keys.deleteMessage')} confirmLabel={t('doDelete')} done={t('keys.deleted')} testId={`delete-provider-${p.name}`} onConfirm={() => api.del(componentsPath(realm, p.id)).then(providers.reload)} />
                </div>
              ) : null,
          },
        ]}
      />
    </>
  );
}

function AddProvider({ realm, realmId, onAdded }: { realm: string; realmId: string; onAdded: () => void }) {
  const [providerId, setProviderId] = useState(GENERATED_PROVIDERS[0]);
  const [name, setName] = useState('');
  const [priority, setPriority] = useState('100');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const add = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    if (!/^-?\d{1,18}$/.test(priority.trim())) {
      setError(t('realmSettings.wholeNumber'));
      return;
    }
    setBusy(true);
    try {
      await api.post(componentsPath(realm), { name: name.trim() || providerId, providerId, providerType: KEY_PROVIDER_TYPE, parentId: realmId, config: { priority: [priority.trim()] } });
      notify('success', t('keys.added'));
      setName('');
      onAdded();
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="filters" noValidate data-testid="key-provider-add" onSubmit={add}>
      <label>
        {t('keys.providerId')}
        <select value={providerId} data-testid="add-provider-id" onChange={(e) => setProviderId((e.target as HTMLSelectElement).value)}>
          {GENERATED_PROVIDERS.map((id) => (
            <option key={id} value={id}>
              {id}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('keys.providerName')}
        <input type="text" value={name} placeholder={providerId} maxLength={255} data-testid="add-provider-name" onInput={(e) => setName((e.target as HTMLInputElement).value)} />
      </label>
      <Field id="add-provider-priority" label={t('keys.priority')} error={error}>
        <input id="add-provider-priority" type="text" inputMode="numeric" value={priority} {...describedBy('add-provider-priority', error)} onInput={(e) => setPriority((e.target as HTMLInputElement).value)} />
      </Field>
      <button type="submit" aria-busy={busy} disabled={busy} data-testid="add-provider-submit">
        {t('keys.add')}
      </button>
    </form>
  );
}
