/**
 * An OpenID Connect client's settings, for creating one and for its Settings tab: identity,
 * client authentication (confidential or public), the flows, and the URLs a browser is sent to.
 * The server validates; its message is shown next to the field it names.
 */
import { useState } from 'preact/hooks';
import { messageOf } from '../../api.ts';
import { t } from '../../i18n.ts';
import { ErrorMessage } from '../../components/status.tsx';
import { fieldOfError } from './field-of-error.ts';
import { cleanList, ListInput, Switch, TextInput } from './form-inputs.tsx';
import { DEVICE_GRANT_ATTRIBUTE, POST_LOGOUT_ATTRIBUTE, type ClientRep } from './types.ts';

export type ClientDraft = Omit<ClientRep, 'id'> & { id?: string };

export const NEW_CLIENT: ClientDraft = {
  clientId: '',
  name: '',
  description: '',
  protocol: 'openid-connect',
  enabled: true,
  publicClient: true,
  standardFlowEnabled: true,
  directAccessGrantsEnabled: false,
  implicitFlowEnabled: false,
  serviceAccountsEnabled: false,
  rootUrl: '',
  baseUrl: '',
  redirectUris: [],
  webOrigins: [],
  attributes: {},
};

interface Props {
  initial: ClientDraft;
  creating: boolean;
  readOnly: boolean;
  onSave: (client: ClientDraft) => Promise<void>;
}

/** The representation to send: lists without blank lines, post-logout URIs joined as Keycloak stores them. */
function toRepresentation(draft: ClientDraft, postLogout: string[]): ClientDraft {
  const attributes = { ...(draft.attributes ?? {}), [POST_LOGOUT_ATTRIBUTE]: cleanList(postLogout).join('##') };
  return { ...draft, redirectUris: cleanList(draft.redirectUris), webOrigins: cleanList(draft.webOrigins), attributes };
}

export function ClientForm({ initial, creating, readOnly, onSave }: Props) {
  const [draft, setDraft] = useState<ClientDraft>(initial);
  const [postLogout, setPostLogout] = useState<string[]>((initial.attributes?.[POST_LOGOUT_ATTRIBUTE] ?? '').split('##').filter((u) => u !== ''));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const set = (change: Partial<ClientDraft>) => setDraft((d) => ({ ...d, ...change }));
  const setAttribute = (name: string, value: string) => setDraft((d) => ({ ...d, attributes: { ...(d.attributes ?? {}), [name]: value } }));
  const field = (id: string) => errors[id];

  const submit = async (event: Event) => {
    event.preventDefault();
    setErrors({});
    setFormError(undefined);
    setBusy(true);
    try {
      await onSave(toRepresentation(draft, postLogout));
    } catch (error) {
      const name = fieldOfError(error);
      if (name) setErrors({ [name]: messageOf(error) });
      else setFormError(messageOf(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} data-testid="client-form" novalidate>
      <fieldset disabled={readOnly}>
        <legend>{t('clients.general')}</legend>
        <TextInput id="client-clientId" label={t('clients.clientId')} value={draft.clientId} onChange={(clientId) => set({ clientId })} error={field('clientId')} required hint={t('clients.clientIdHint')} />
        <TextInput id="client-name" label={t('clients.name')} value={draft.name ?? ''} onChange={(name) => set({ name })} />
        <TextInput id="client-description" label={t('clients.description')} value={draft.description ?? ''} onChange={(description) => set({ description })} />
        {!creating ? <Switch id="client-enabled" label={t('clients.enabled')} checked={draft.enabled !== false} onChange={(enabled) => set({ enabled })} /> : null}
      </fieldset>
      <fieldset disabled={readOnly}>
        <legend>{t('clients.capability')}</legend>
        <Switch id="client-authentication" label={t('clients.clientAuthentication')} hint={t('clients.clientAuthenticationHint')} checked={!draft.publicClient} onChange={(on) => set({ publicClient: !on, ...(on ? {} : { serviceAccountsEnabled: false }) })} />
        <Switch id="client-standardFlow" label={t('clients.standardFlow')} checked={draft.standardFlowEnabled !== false} onChange={(standardFlowEnabled) => set({ standardFlowEnabled })} />
        <Switch id="client-directAccess" label={t('clients.directAccessGrants')} checked={draft.directAccessGrantsEnabled === true} onChange={(directAccessGrantsEnabled) => set({ directAccessGrantsEnabled })} />
        <Switch id="client-implicitFlow" label={t('clients.implicitFlow')} checked={draft.implicitFlowEnabled === true} onChange={(implicitFlowEnabled) => set({ implicitFlowEnabled })} />
        <Switch id="client-serviceAccounts" label={t('clients.serviceAccounts')} hint={draft.publicClient ? t('clients.serviceAccountsNeedsAuth') : undefined} disabled={draft.publicClient} checked={draft.serviceAccountsEnabled === true} onChange={(serviceAccountsEnabled) => set({ serviceAccountsEnabled })} />
        <Switch id="client-deviceGrant" label={t('clients.deviceGrant')} checked={draft.attributes?.[DEVICE_GRANT_ATTRIBUTE] === 'true'} onChange={(on) => setAttribute(DEVICE_GRANT_ATTRIBUTE, String(on))} />
      </fieldset>
      <fieldset disabled={readOnly}>
        <legend>{t('clients.access')}</legend>
        <TextInput id="client-rootUrl" label={t('clients.rootUrl')} value={draft.rootUrl ?? ''} onChange={(rootUrl) => set({ rootUrl })} error={field('rootUrl')} />
        <TextInput id="client-baseUrl" label={t('clients.baseUrl')} value={draft.baseUrl ?? ''} onChange={(baseUrl) => set({ baseUrl })} error={field('baseUrl')} hint={t('clients.baseUrlHint')} />
        <ListInput id="client-redirectUris" label={t('clients.redirectUris')} values={draft.redirectUris ?? []} onChange={(redirectUris) => set({ redirectUris })} error={field('redirectUris')} hint={t('clients.onePerLine')} />
        <ListInput id="client-postLogoutRedirectUris" label={t('clients.postLogoutRedirectUris')} values={postLogout} onChange={setPostLogout} error={field('postLogoutRedirectUris')} hint={t('clients.postLogoutHint')} />
        <ListInput id="client-webOrigins" label={t('clients.webOrigins')} values={draft.webOrigins ?? []} onChange={(webOrigins) => set({ webOrigins })} error={field('webOrigins')} hint={t('clients.webOriginsHint')} />
      </fieldset>
      {formError ? <ErrorMessage message={formError} /> : null}
      {!readOnly ? (
        <button type="submit" aria-busy={busy} disabled={busy} data-testid="client-save">
          {creating ? t('doCreate') : t('doSave')}
        </button>
      ) : null}
    </form>
  );
}
