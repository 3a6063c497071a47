/**
 * Creating or editing a client scope: name, description, realm default type, consent screen and
 * token settings, and (once it exists) its mappers with the same editor as a client's.
 */
import { useState } from 'preact/hooks';
import { api, messageOf, realmPath } from '../../api.ts';
import { useAccess } from '../../access.ts';
import { t } from '../../i18n.ts';
import { href, navigate } from '../../router.ts';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { Field } from '../../components/field.tsx';
import { Tabs } from '../../components/tabs.tsx';
import { useAsync } from '../../components/use-async.ts';
import { AsyncStatus, ErrorMessage } from '../../components/status.tsx';
import { notify } from '../../components/alerts.tsx';
import { Switch, TextInput } from '../clients/form-inputs.tsx';
import type { ClientScopeRep } from '../clients/types.ts';
import { MapperList } from '../mappers/mapper-list.tsx';
import { realmDefaultTypes, setRealmDefaultType, type DefaultType } from './realm-default-type.ts';

interface Props {
  realm: string;
  id?: string;
  tab: string;
  rest: string[];
}

const NEW_SCOPE: ClientScopeRep = { id: '', name: '', description: '', protocol: 'openid-connect', attributes: { 'display.on.consent.screen': 'true', 'include.in.token.scope': 'true' } };

function ScopeForm({ realm, initial, initialType, creating, readOnly, onSaved }: { realm: string; initial: ClientScopeRep; initialType: DefaultType; creating: boolean; readOnly: boolean; onSaved: (scope: ClientScopeRep) => void }) {
  const [scope, setScope] = useState(initial);
  const [type, setType] = useState<DefaultType>(initialType);
  const [nameError, setNameError] = useState<string>();
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const attribute = (name: string) => scope.attributes?.[name] ?? '';
  const setAttribute = (name: string, value: string) => setScope((s) => ({ ...s, attributes: { ...(s.attributes ?? {}), [name]: value } }));

  const submit = async (event: Event) => {
    event.preventDefault();
    setNameError(undefined);
    setFormError(undefined);
    setBusy(true);
    try {
      const { id, ...body } = scope;
      let saved = scope;
      if (creating) {
        await api.post(realmPath(realm, 'client-scopes'), body);
        const all = await api.get<ClientScopeRep[]>(realmPath(realm, 'client-scopes'));
        saved = all.find((s) => s.name === scope.name) ?? scope;
      } else {
        await api.put(realmPath(realm, 'client-scopes', id), scope);
      }
      await setRealmDefaultType(realm, saved.id, creating ? 'none' : initialType, type);
      onSaved(saved);
    } catch (error) {
      if (/name/i.test(messageOf(error))) setNameError(messageOf(error));
      else setFormError(messageOf(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} data-testid="client-scope-form" novalidate>
      <fieldset disabled={readOnly}>
        <TextInput id="scope-name" label={t('clients.scopeName')} value={scope.name} required error={nameError} onChange={(name) => setScope((s) => ({ ...s, name }))} />
        <TextInput id="scope-description" label={t('clients.description')} value={scope.description ?? ''} onChange={(description) => setScope((s) => ({ ...s, description }))} />
        <Field id="scope-type" label={t('clientScopes.realmDefaultType')} hint={t('clientScopes.realmDefaultTypeHint')}>
          <select id="scope-type" value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value as DefaultType)} aria-describedby="scope-type-hint">
            <option value="none">{t('clients.scopeLink.none')}</option>
            <option value="default">{t('clients.scopeLink.default')}</option>
            <option value="optional">{t('clients.scopeLink.optional')}</option>
          </select>
        </Field>
        <Switch id="scope-consent" label={t('clientScopes.displayOnConsent')} checked={attribute('display.on.consent.screen') !== 'false'} onChange={(on) => setAttribute('display.on.consent.screen', String(on))} />
        <TextInput id="scope-consent-text" label={t('clientScopes.consentText')} value={attribute('consent.screen.text')} onChange={(v) => setAttribute('consent.screen.text', v)} />
        <Switch id="scope-in-token" label={t('clientScopes.includeInTokenScope')} checked={attribute('include.in.token.scope') !== 'false'} onChange={(on) => setAttribute('include.in.token.scope', String(on))} />
        <TextInput id="scope-gui-order" label={t('clientScopes.guiOrder')} value={attribute('gui.order')} onChange={(v) => setAttribute('gui.order', v)} />
      </fieldset>
      {formError ? <ErrorMessage message={formError} /> : null}
      {!readOnly ? (
        <button type="submit" aria-busy={busy} disabled={busy} data-testid="client-scope-save">
          {creating ? t('doCreate') : t('doSave')}
        </button>
      ) : null}
    </form>
  );
}

export function ClientScopeDetail({ realm, id, tab, rest }: Props) {
  const access = useAccess();
  const manage = access.can(realm, 'manage-clients');
  const data = useAsync(async () => {
    const types = await realmDefaultTypes(realm);
    const scope = id ? await api.get<ClientScopeRep>(realmPath(realm, 'client-scopes', id)) : NEW_SCOPE;
    return { scope, type: (id && types.get(id)) || ('none' as DefaultType) };
  }, [realm, id]);
  if (data.error || !data.data) return <AsyncStatus of={data} />;
  const { scope, type } = data.data;
  const crumbs = (
    <nav aria-label={t('clients.breadcrumb')}>
      <a href={href(realm, 'client-scopes')}>{t('clientScopes.title')}</a>
    </nav>
  );
  if (!id) {
    return (
      <article>
        {crumbs}
        <h1>{t('clientScopes.create')}</h1>
        <ScopeForm
          realm={realm}
          initial={scope}
          initialType="none"
          creating
          readOnly={false}
          onSaved={(saved) => {
            notify('success', t('clientScopes.created'));
            navigate(href(realm, 'client-scopes', saved.id, 'settings'));
          }}
        />
      </article>
    );
  }
  const tabs = [
    { id: 'settings', label: t('clients.tabSettings'), href: href(realm, 'client-scopes', id, 'settings') },
    { id: 'mappers', label: t('clientScopes.tabMappers'), href: href(realm, 'client-scopes', id, 'mappers') },
  ];
  return (
    <article>
      {crumbs}
      <header class="page-header">
        <h1 data-testid="client-scope-title">{scope.name}</h1>
        {manage ? (
          <ConfirmButton
            testId="client-scope-delete"
            label={t('doDelete')}
            title={t('clientScopes.deleteTitle', scope.name)}
            message={t('clientScopes.deleteMessage')}
            done={t('clientScopes.deleted')}
            onConfirm={async () => {
              await api.del(realmPath(realm, 'client-scopes', id));
              navigate(href(realm, 'client-scopes'));
            }}
          />
        ) : null}
      </header>
      <Tabs label={t('clientScopes.tabs')} tabs={tabs} active={tab} />
      {tab === 'mappers' ? (
        <MapperList realm={realm} base={realmPath(realm, 'client-scopes', id)} manage={manage} rest={rest} backHref={href(realm, 'client-scopes', id, 'mappers')} />
      ) : (
        <ScopeForm
          key={JSON.stringify(data.data)}
          realm={realm}
          initial={scope}
          initialType={type}
          creating={false}
          readOnly={!manage}
          onSaved={() => {
            notify('success', t('clientScopes.saved'));
            data.reload();
          }}
        />
      )}
    </article>
  );
}
