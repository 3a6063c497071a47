/**
 * The user's profile fields (username, email, names, enabled, email verified), for creating and
 * editing. The server's user-profile checks decide; its error is shown next to the field it
 * names, or above the form when it names none.
 */
import { useState } from 'preact/hooks';
import { ApiError, messageOf } from '../../api.ts';
import { t } from '../../i18n.ts';
import { Field, describedBy } from '../../components/field.tsx';
import { ErrorMessage } from '../../components/status.tsx';
import type { UserRep } from './types.ts';

export type UserFields = Pick<UserRep, 'username' | 'email' | 'firstName' | 'lastName' | 'enabled' | 'emailVerified'>;

interface Props {
  initial: UserFields;
  submitLabel: string;
  readOnly?: boolean;
  onSubmit: (fields: UserFields) => Promise<void>;
}

const TEXT_FIELDS = [
  ['username', 'username'],
  ['email', 'email'],
  ['firstName', 'firstName'],
  ['lastName', 'lastName'],
] as const;

export function UserForm({ initial, submitLabel, readOnly, onSubmit }: Props) {
  const [fields, setFields] = useState<UserFields>(initial);
  const [error, setError] = useState<{ field?: string; message: string }>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await onSubmit(fields);
    } catch (e) {
      setError({ field: e instanceof ApiError ? e.field : undefined, message: messageOf(e) });
    } finally {
      setBusy(false);
    }
  };
  const fieldError = (name: string) => (error?.field === name ? error.message : undefined);
  return (
    <form onSubmit={submit} data-testid="user-form">
      {error && !TEXT_FIELDS.some(([name]) => name === error.field) ? <ErrorMessage message={error.message} /> : null}
      {TEXT_FIELDS.map(([name, label]) => (
        <Field key={name} id={`user-${name}`} label={t(label)} error={fieldError(name)}>
          <input
            id={`user-${name}`}
            name={name}
            type={(name === 'email' ? 'email' : 'text') as 'text'}
            required={name === 'username'}
            readOnly={readOnly}
            autoComplete="off"
            value={fields[name] ?? ''}
            onInput={(e) => setFields({ ...fields, [name]: (e.target as HTMLInputElement).value })}
            {...describedBy(`user-${name}`, fieldError(name))}
          />
        </Field>
      ))}
      <fieldset>
        {(['enabled', 'emailVerified'] as const).map((name) => (
          <label key={name}>
            <input type="checkbox" role="switch" name={name} disabled={readOnly} checked={fields[name] === true} onChange={(e) => setFields({ ...fields, [name]: (e.target as HTMLInputElement).checked })} />
            {t(`users.${name}`)}
          </label>
        ))}
      </fieldset>
      {readOnly ? null : (
        <button type="submit" aria-busy={busy} disabled={busy} data-testid="user-save">
          {submitLabel}
        </button>
      )}
    </form>
  );
}
