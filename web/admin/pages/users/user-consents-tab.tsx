/** The applications the user consented to or holds offline tokens for, each with revoke. */
import { api } from '../../api.ts';
import { t } from '../../i18n.ts';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { AsyncStatus } from '../../components/status.tsx';
import { useAsync } from '../../components/use-async.ts';
import type { UserTabProps } from './tab-props.ts';
import { dateTime, userPath, type ConsentRep } from './types.ts';

export function UserConsentsTab({ realm, user, manage }: UserTabProps) {
  const consents = useAsync(() => api.get<ConsentRep[]>(userPath(realm, user.id, 'consents')), [realm, user.id]);
  return (
    <section data-testid="user-consents">
      <AsyncStatus of={consents} />
      <table>
        <caption class="visually-hidden">{t('users.tab.consents')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('users.client')}</th>
            <th scope="col">{t('users.grantedScopes')}</th>
            <th scope="col">{t('users.createdAt')}</th>
            <th scope="col">
              <span class="visually-hidden">{t('users.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(consents.data ?? []).map((c) => (
            <tr key={c.clientId}>
              <td data-label={t('users.client')}>{c.clientId}</td>
              <td data-label={t('users.grantedScopes')}>{[...c.grantedClientScopes, ...c.additionalGrants.map((g) => g.key)].join(', ')}</td>
              <td data-label={t('users.createdAt')}>{dateTime(c.createdDate)}</td>
              <td>
                {manage ? (
                  <ConfirmButton
                    testId={`revoke-${c.clientId}`}
                    label={t('users.revoke')}
                    title={t('users.revoke')}
                    message={t('users.revokeMessage', c.clientId, user.username)}
                    done={t('users.revoked')}
                    onConfirm={async () => (await api.del(userPath(realm, user.id, 'consents', c.clientId)), consents.reload())}
                  />
                ) : null}
              </td>
            </tr>
          ))}
          {consents.data?.length === 0 ? (
            <tr>
              <td colSpan={4}>{t('users.noConsents')}</td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </section>
  );
}
