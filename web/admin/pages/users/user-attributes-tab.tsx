/**
 * The user's attributes as name/value rows (a name may repeat for several values), saved with
 * the rest of the user in one PUT, as Keycloak's console does. The profile's own fields are not
 * attributes here (they live on the Details tab).
 */
import { useState } from 'preact/hooks';
import { api, messageOf } from '../../api.ts';
import { t } from '../../i18n.ts';
import { notify } from '../../components/alerts.tsx';
import { ErrorMessage } from '../../components/status.tsx';
import type { UserTabProps } from './tab-props.ts';
import { userPath } from './types.ts';

const PROFILE = new Set(['username', 'email', 'firstName', 'lastName']);

function rowsOf(attributes: Record<string, string[]> = {}): Array<[string, string]> {
  return Object.entries(attributes)
    .filter(([name]) => !PROFILE.has(name))
    .flatMap(([name, values]) => values.map((v): [string, string] => [name, v]));
}

export function UserAttributesTab({ realm, user, manage, reload }: UserTabProps) {
  const [rows, setRows] = useState(() => rowsOf(user.attributes));
  const [error, setError] = useState<string>();
  const set = (i: number, col: 0 | 1, value: string) => setRows(rows.map((r, j) => (j === i ? ((col === 0 ? [value, r[1]] : [r[0], value]) as [string, string]) : r)));
  const save = async (event: Event) => {
    event.preventDefault();
    const attributes: Record<string, string[]> = {};
    for (const [name, value] of rows) if (name.trim() !== '') (attributes[name.trim()] ??= []).push(value);
    setError(undefined);
    try {
      const { username, email, firstName, lastName, enabled, emailVerified, requiredActions } = user;
      await api.put(userPath(realm, user.id), { username, email, firstName, lastName, enabled, emailVerified, requiredActions, attributes });
      notify('success', t('users.saved'));
      reload();
    } catch (e) {
      setError(messageOf(e));
    }
  };
  return (
    <form onSubmit={save} data-testid="user-attributes">
      {error ? <ErrorMessage message={error} /> : null}
      <table>
        <thead>
          <tr>
            <th scope="col">{t('users.attributeName')}</th>
            <th scope="col">{t('users.attributeValue')}</th>
            <th scope="col">
              <span class="visually-hidden">{t('users.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([name, value], i) => (
            <tr key={i}>
              <td data-label={t('users.attributeName')}>
                <input aria-label={t('users.attributeName')} value={name} readOnly={!manage} onInput={(e) => set(i, 0, (e.target as HTMLInputElement).value)} />
              </td>
              <td data-label={t('users.attributeValue')}>
                <input aria-label={t('users.attributeValue')} value={value} readOnly={!manage} onInput={(e) => set(i, 1, (e.target as HTMLInputElement).value)} />
              </td>
              <td>
                {manage ? (
                  <button type="button" class="secondary outline" onClick={() => setRows(rows.filter((_, j) => j !== i))}>
                    {t('users.removeAttribute')}
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {manage ? (
        <div class="toolbar">
          <button type="button" class="secondary" onClick={() => setRows([...rows, ['', '']])}>
            {t('users.addAttribute')}
          </button>
          <button type="submit">{t('doSave')}</button>
        </div>
      ) : null}
    </form>
  );
}
