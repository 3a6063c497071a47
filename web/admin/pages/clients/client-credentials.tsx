/**
 * A confidential client's credentials: how it authenticates, and its secret, hidden until asked
 * for and regenerated only after confirmation (the old secret stops working at once).
 */
import { useState } from 'preact/hooks';
import { api, messageOf, realmPath } from '../../api.ts';
import { t } from '../../i18n.ts';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { Field } from '../../components/field.tsx';
import { useAsync } from '../../components/use-async.ts';
import { ErrorMessage } from '../../components/status.tsx';
import { notify } from '../../components/alerts.tsx';
import type { ClientRep } from './types.ts';

interface Credential {
  type: string;
  value?: string;
}

const AUTHENTICATORS = ['client-secret', 'client-jwt', 'client-secret-jwt'];

export function ClientCredentials({ realm, client, manage }: { realm: string; client: ClientRep & { clientAuthenticatorType?: string }; manage: boolean }) {
  const base = realmPath(realm, 'clients', client.id);
  const secret = useAsync(() => api.get<Credential>(`${base}/client-secret`), [base]);
  const [shown, setShown] = useState(false);
  const [authenticator, setAuthenticator] = useState(client.clientAuthenticatorType ?? 'client-secret');
  const [authError, setAuthError] = useState<string>();

  const saveAuthenticator = async (value: string) => {
    setAuthenticator(value);
    setAuthError(undefined);
    try {
      await api.put(base, { ...client, clientAuthenticatorType: value });
      notify('success', t('clients.saved'));
    } catch (error) {
      setAuthError(messageOf(error));
    }
  };

  return (
    <section aria-labelledby="credentials-heading">
      <h2 id="credentials-heading">{t('clients.tabCredentials')}</h2>
      <Field id="client-authenticator" label={t('clients.authenticator')} error={authError}>
        <select id="client-authenticator" value={authenticator} disabled={!manage} onChange={(e) => saveAuthenticator((e.target as HTMLSelectElement).value)}>
          {AUTHENTICATORS.map((id) => (
            <option key={id} value={id}>
              {t(`clients.authenticator.${id}`)}
            </option>
          ))}
        </select>
      </Field>
      {secret.error ? <ErrorMessage message={secret.error} /> : null}
      <Field id="client-secret" label={t('clients.secret')}>
        <div role="group" class="input-with-button">
          <input id="client-secret" data-testid="client-secret" readOnly type={(shown ? 'text' : 'password') as 'text'} value={secret.data?.value ?? ''} autocomplete="off" />
          <button type="button" class="secondary outline" aria-pressed={shown} data-testid="client-secret-show" onClick={() => setShown(!shown)}>
            {shown ? t('clients.hideSecret') : t('clients.showSecret')}
          </button>
        </div>
      </Field>
      {manage ? (
        <ConfirmButton
          testId="client-secret-regenerate"
          label={t('clients.regenerateSecret')}
          title={t('clients.regenerateSecretTitle')}
          message={t('clients.regenerateSecretMessage')}
          confirmLabel={t('clients.regenerate')}
          done={t('clients.secretRegenerated')}
          onConfirm={async () => {
            await api.post(`${base}/client-secret`);
            secret.reload();
          }}
        />
      ) : null}
    </section>
  );
}
