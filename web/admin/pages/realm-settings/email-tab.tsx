/**
 * The realm's SMTP server (Keycloak's `smtpServer` map, string values; the password comes back
 * masked and is kept unless retyped) with "test connection": `POST testSMTPConnection` with the
 * settings as typed, which sends a mail to the signed-in admin's own address.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, messageOf, realmPath } from '../../api.ts';
import { t } from '../../i18n.ts';
import { describedBy, Field } from '../../components/field.tsx';
import { notify } from '../../components/alerts.tsx';
import { ErrorMessage } from '../../components/status.tsx';

const TEXTS = ['host', 'port', 'from', 'fromDisplayName', 'replyTo', 'envelopeFrom'] as const;
const SWITCHES = ['ssl', 'starttls', 'auth'] as const;
const WITH_OWN_ERROR: readonly string[] = [...TEXTS, 'user', 'password'];

interface Props {
  realm: string;
  rep: Record<string, unknown>;
  canManage: boolean;
  onSaved: () => void;
}

export function EmailTab({ realm, rep, canManage, onSaved }: Props) {
  const stored = (rep.smtpServer ?? {}) as Record<string, string>;
  const [smtp, setSmtp] = useState<Record<string, string>>(stored);
  const [error, setError] = useState<{ field?: string; message: string }>();
  const [busy, setBusy] = useState<'save' | 'test'>();
  useEffect(() => setSmtp((rep.smtpServer ?? {}) as Record<string, string>), [rep]);
  const set = (name: string, value: string) => setSmtp({ ...smtp, [name]: value });
  // Settings left empty are left out, as Keycloak's console sends them.
  const body = () => Object.fromEntries(Object.entries(smtp).filter(([, value]) => value !== ''));

  const run = async (what: 'save' | 'test') => {
    setError(undefined);
    setBusy(what);
    try {
      if (what === 'save') {
        await api.put(realmPath(realm), { smtpServer: body() });
        notify('success', t('realmSettings.saved'));
        onSaved();
      } else {
        await api.post(realmPath(realm, 'testSMTPConnection'), body());
        notify('success', t('realmSettings.smtpTestSent'));
      }
    } catch (caught) {
      const field = caught instanceof ApiError ? caught.field?.replace(/^smtpServer\./, '') : undefined;
      setError({ field, message: messageOf(caught) });
    } finally {
      setBusy(undefined);
    }
  };

  const fieldError = (name: string) => (error?.field === name ? error.message : undefined);
  return (
    <form noValidate data-testid="realm-email-form" onSubmit={(e) => (e.preventDefault(), void run('save'))}>
      {error && !WITH_OWN_ERROR.includes(error.field ?? '') ? <ErrorMessage message={error.message} /> : null}
      <fieldset>
        <legend>
          <h2 class="settings-heading">{t('realmSettings.groupSmtp')}</h2>
        </legend>
        {TEXTS.map((name) => (
          <Field key={name} id={`smtp-${name}`} label={t(`realmSettings.smtp.${name}`)} error={fieldError(name)}>
            <input id={`smtp-${name}`} type="text" value={smtp[name] ?? ''} disabled={!canManage} {...describedBy(`smtp-${name}`, fieldError(name))} onInput={(e) => set(name, (e.target as HTMLInputElement).value)} />
          </Field>
        ))}
        {SWITCHES.map((name) => (
          <label key={name}>
            <input type="checkbox" role="switch" checked={smtp[name] === 'true'} disabled={!canManage} onChange={(e) => set(name, String((e.target as HTMLInputElement).checked))} />
            {t(`realmSettings.smtp.${name}`)}
          </label>
        ))}
        {smtp.auth === 'true'
          ? (['user', 'password'] as const).map((name) => (
              <Field key={name} id={`smtp-${name}`} label={t(`realmSettings.smtp.${name}`)} error={fieldError(name)}>
                {name === 'password' ? (
                  <input id="smtp-password" type="password" autoComplete="off" value={smtp.password ?? ''} disabled={!canManage} {...describedBy('smtp-password', fieldError(name))} onInput={(e) => set(name, (e.target as HTMLInputElement).value)} />
                ) : (
                  <input id="smtp-user" type="text" autoComplete="off" value={smtp.user ?? ''} disabled={!canManage} {...describedBy('smtp-user', fieldError(name))} onInput={(e) => set(name, (e.target as HTMLInputElement).value)} />
                )}
              </Field>
            ))
          : null}
      </fieldset>
      {canManage ? (
        <div class="toolbar">
          <button type="submit" aria-busy={busy === 'save'} disabled={busy !== undefined}>
            {t('doSave')}
          </button>
          <button type="button" class="secondary" aria-busy={busy === 'test'} disabled={busy !== undefined || !smtp.host} data-testid="smtp-test" onClick={() => void run('test')}>
            {t('realmSettings.smtpTest')}
          </button>
        </div>
      ) : null}
    </form>
  );
}
