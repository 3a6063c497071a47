/**
 * The user's sessions, online and offline (type, IP, started, last access, clients): an online
 * one is signed out (DELETE /sessions/{id}), an offline one revoked (its clients' offline access,
 * user-sessions.ts), all at once with POST /users/{id}/logout, which also revokes offline tokens.
 */
import { api, realmPath } from '../../api.ts';
import { t } from '../../i18n.ts';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { AsyncStatus } from '../../components/status.tsx';
import { useAsync } from '../../components/use-async.ts';
import type { UserTabProps } from './tab-props.ts';
import { dateTime, userPath } from './types.ts';
import { loadUserSessions, revokeOfflineSession, type UserSession } from './user-sessions.ts';

export function UserSessionsTab({ realm, user, manage }: UserTabProps) {
  const sessions = useAsync(() => loadUserSessions(realm, user.id), [realm, user.id]);
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
      <AsyncStatus of={sessions} />
      <div class="table-scroll">
        <table>
          <caption class="visually-hidden">{t('users.tab.sessions')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('sessions.type')}</th>
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
              <tr key={`${s.type}:${s.id}`} data-testid="session-row" data-session-id={s.id} data-session-type={s.type}>
                <td data-label={t('sessions.type')}>{s.type === 'OFFLINE' ? t('sessions.typeOffline') : t('sessions.typeRegular')}</td>
                <td data-label={t('users.ipAddress')}>{s.ipAddress}</td>
                <td data-label={t('users.started')}>{dateTime(s.start)}</td>
                <td data-label={t('users.lastAccess')}>{dateTime(s.lastAccess)}</td>
                <td data-label={t('users.clients')}>{Object.values(s.clients).join(', ')}</td>
                <td data-label={t('users.rememberMe')}>{s.rememberMe ? t('doYes') : t('doNo')}</td>
                <td>
                  {manage ? <SessionAction realm={realm} userId={user.id} session={s} done={sessions.reload} /> : null}
                </td>
              </tr>
            ))}
            {sessions.data && list.length === 0 ? (
              <tr>
                <td colSpan={7}>{t('users.noSessions')}</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function SessionAction({ realm, userId, session, done }: { realm: string; userId: string; session: UserSession; done: () => void }) {
  if (session.type === 'OFFLINE') {
    return (
      <ConfirmButton
        testId={`revoke-${session.id}`}
        label={t('sessions.revoke')}
        title={t('sessions.revokeTitle')}
        message={t('users.revokeOfflineMessage', Object.values(session.clients).join(', '))}
        done={t('users.revoked')}
        onConfirm={async () => (await revokeOfflineSession(realm, userId, session), done())}
      />
    );
  }
  return (
    <ConfirmButton
      testId={`sign-out-${session.id}`}
      label={t('doSignOut')}
      title={t('users.signOutSession')}
      message={t('users.signOutSessionMessage', session.ipAddress, dateTime(session.start))}
      done={t('users.signedOut')}
      onConfirm={async () => (await api.del(`${realmPath(realm, 'sessions', session.id)}`), done())}
    />
  );
}
