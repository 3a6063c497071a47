/**
 * The user's active sessions (IP, started, last access, clients) with "sign out" for one
 * (DELETE /sessions/{id}) and for all (POST /users/{id}/logout, which also revokes offline tokens).
 */
import { api, realmPath } from '../../api.ts';
import { t } from '../../i18n.ts';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { ErrorMessage, Loading } from '../../components/status.tsx';
import { useAsync } from '../../components/use-async.ts';
import type { UserTabProps } from './tab-props.ts';
import { dateTime, userPath, type SessionRep } from './types.ts';

export function UserSessionsTab({ realm, user, manage }: UserTabProps) {
  const sessions = useAsync(() => api.get<SessionRep[]>(userPath(realm, user.id, 'sessions')), [realm, user.id]);
  const list = sessions.data ?? [];
  return (
    <section data-testid="user-sessions">
      <div class="toolbar">
        <button type="button" class="secondary outline" onClick={sessions.reload}>
          {t('doRefresh')}
        </button>
        {manage && list.length > 0 ? (
          <ConfirmButton
            testId="sign-out-all"
            label={t('users.signOutAll')}
            title={t('users.signOutAll')}
            message={t('users.signOutAllMessage', user.username)}
            done={t('users.signedOutAll')}
            onConfirm={async () => (await api.post(userPath(realm, user.id, 'logout')), sessions.reload())}
          />
        ) : null}
      </div>
      {sessions.loading && !sessions.data ? <Loading /> : null}
      {sessions.error ? <ErrorMessage message={sessions.error} /> : null}
      <div class="table-scroll">
        <table>
          <caption class="visually-hidden">{t('users.tab.sessions')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('users.ipAddress')}</th>
              <th scope="col">{t('users.started')}</th>
              <th scope="col">{t('users.lastAccess')}</th>
              <th scope="col">{t('users.clients')}</th>
              <th scope="col">{t('users.rememberMe')}</th>
              <th scope="col">
                <span class="visually-hidden">{t('users.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((s) => (
              <tr key={s.id} data-testid="session-row" data-session-id={s.id}>
                <td data-label={t('users.ipAddress')}>{s.ipAddress}</td>
                <td data-label={t('users.started')}>{dateTime(s.start)}</td>
                <td data-label={t('users.lastAccess')}>{dateTime(s.lastAccess)}</td>
                <td data-label={t('users.clients')}>{Object.values(s.clients).join(', ')}</td>
                <td data-label={t('users.rememberMe')}>{s.rememberMe ? t('doYes') : t('doNo')}</td>
                <td>
                  {manage ? (
                    <ConfirmButton
                      testId={`sign-out-${s.id}`}
                      label={t('doSignOut')}
                      title={t('users.signOutSession')}
                      message={t('users.signOutSessionMessage', s.ipAddress, dateTime(s.start))}
                      done={t('users.signedOut')}
                      onConfirm={async () => (await api.del(`${realmPath(realm, 'sessions', s.id)}`), sessions.reload())}
                    />
                  ) : null}
                </td>
              </tr>
            ))}
            {sessions.data && list.length === 0 ? (
              <tr>
                <td colSpan={6}>{t('users.noSessions')}</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}
