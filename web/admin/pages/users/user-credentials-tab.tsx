/**
 * The user's credentials (type, label, created) with delete, and setting a password: PUT
 * reset-password with `temporary` (the user must change it at next login). The realm's password
 * policy answers through the API; its message shows next to the field.
 */
import { useState } from 'preact/hooks';
import { api, messageOf } from '../../api.ts';
import { t } from '../../i18n.ts';
import { notify } from '../../components/alerts.tsx';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { Field, describedBy } from '../../components/field.tsx';
import { AsyncStatus } from '../../components/status.tsx';
import { useAsync } from '../../components/use-async.ts';
import type { UserTabProps } from './tab-props.ts';
import { dateTime, userPath, type CredentialRep } from './types.ts';

function SetPassword({ realm, user, onDone }: { realm: string; user: UserTabProps['user']; onDone: () => void }) {
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [temporary, setTemporary] = useState(true);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (password !== confirmation) return setError(t('users.passwordMismatch'));
    setBusy(true);
    setError(undefined);
    try {
      await api.put(userPath(realm, user.id, 'reset-password'), { type: 'password', value: password, temporary });
      setPassword('');
      setConfirmation('');
      notify('success', t('users.passwordSet'));
      onDone();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} data-testid="set-password">
      <h2>{t('users.setPassword')}</h2>
      <Field id="new-password" label={t('password')} error={error}>
        <input id="new-password" type="password" autoComplete="new-password" required value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} {...describedBy('new-password', error)} />
      </Field>
      <Field id="new-password-confirm" label={t('passwordConfirm')}>
        <input id="new-password-confirm" type="password" autoComplete="new-password" required value={confirmation} onInput={(e) => setConfirmation((e.target as HTMLInputElement).value)} />
      </Field>
      <label>
        <input type="checkbox" role="switch" name="temporary" checked={temporary} onChange={(e) => setTemporary((e.target as HTMLInputElement).checked)} />
        {t('users.temporary')}
      </label>
      <button type="submit" aria-busy={busy} disabled={busy} data-testid="set-password-submit">
        {t('users.setPassword')}
      </button>
    </form>
  );
}

export function UserCredentialsTab({ realm, user, manage, reload }: UserTabProps) {
  const credentials = useAsync(() => api.get<CredentialRep[]>(userPath(realm, user.id, 'credentials')), [realm, user.id]);
  return (
    <>
      <AsyncStatus of={credentials} />
      <table data-testid="credentials-table">
        <caption class="visually-hidden">{t('users.tab.credentials')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('users.credentialType')}</th>
            <th scope="col">{t('users.credentialLabel')}</th>
            <th scope="col">{t('users.createdAt')}</th>
            <th scope="col">
              <span class="visually-hidden">{t('users.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(credentials.data ?? []).map((c) => (
            <tr key={c.id}>
              <td data-label={t('users.credentialType')}>{c.type}</td>
              <td data-label={t('users.credentialLabel')}>{c.userLabel ?? ''}</td>
              <td data-label={t('users.createdAt')}>{dateTime(c.createdDate)}</td>
              <td>
                {manage ? (
                  <ConfirmButton
                    testId={`delete-credential-${c.type}`}
                    label={t('doDelete')}
                    title={t('users.deleteCredential')}
                    message={t('users.deleteCredentialMessage', c.type, user.username)}
                    done={t('users.credentialDeleted')}
                    onConfirm={async () => (await api.del(userPath(realm, user.id, 'credentials', c.id)), credentials.reload())}
                  />
                ) : null}
              </td>
            </tr>
          ))}
          {credentials.data?.length === 0 ? (
            <tr>
              <td colSpan={4}>{t('users.noCredentials')}</td>
            </tr>
          ) : null}
        </tbody>
      </table>
      {manage ? (
        <SetPassword
          realm={realm}
          user={user}
          onDone={() => {
            credentials.reload();
            reload();
          }}
        />
      ) : null}
    </>
  );
}
