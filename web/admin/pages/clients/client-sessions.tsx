/**
 * The sessions of a client, online or offline (`user-sessions` / `offline-sessions`, paged on the
 * server), with the user, IP, start and last access; an online session can be signed out.
 */
import { useState } from 'preact/hooks';
import { api, realmPath } from '../../api.ts';
import { t } from '../../i18n.ts';
import { href } from '../../router.ts';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { PagedTable } from '../../components/paged-table.tsx';
import type { ClientRep, UserSessionRep } from './types.ts';

const when = (ms: number) => (ms ? new Date(ms).toLocaleString() : '—');

export function ClientSessions({ realm, client, manage }: { realm: string; client: ClientRep; manage: boolean }) {
  const [offline, setOffline] = useState(false);
  const [round, setRound] = useState(0);
  const base = realmPath(realm, 'clients', client.id);
  return (
    <section aria-labelledby="client-sessions-heading">
      <h2 id="client-sessions-heading">{t('clients.tabSessions')}</h2>
      <PagedTable<UserSessionRep>
        testId="client-sessions-table"
        caption={t('clients.tabSessions')}
        reloadKey={`${offline}/${round}`}
        rowKey={(s) => s.id}
        load={({ first, max }) => api.get<UserSessionRep[]>(`${base}/${offline ? 'offline-sessions' : 'user-sessions'}`, { first, max })}
        count={() => api.get<{ count: number }>(`${base}/${offline ? 'offline-session-count' : 'session-count'}`).then((c) => c.count)}
        toolbar={
          <label>
            <input type="checkbox" role="switch" checked={offline} onChange={(e) => setOffline((e.target as HTMLInputElement).checked)} />
            {t('clients.offlineSessions')}
          </label>
        }
        columns={[
          { id: 'user', header: t('clients.sessionUser'), cell: (s) => <a href={href(realm, 'users', s.userId)}>{s.username}</a> },
          { id: 'ip', header: t('clients.sessionIp'), cell: (s) => s.ipAddress },
          { id: 'start', header: t('clients.sessionStarted'), cell: (s) => when(s.start) },
          { id: 'last', header: t('clients.sessionLastAccess'), cell: (s) => when(s.lastAccess) },
          {
            id: 'actions',
            header: t('clients.actions'),
            cell: (s) =>
              manage && !offline ? (
                <ConfirmButton
                  testId={`session-signout-${s.id}`}
                  label={t('doSignOut')}
                  title={t('clients.sessionSignOutTitle', s.username)}
                  message={t('clients.sessionSignOutMessage')}
                  done={t('clients.sessionSignedOut')}
                  onConfirm={async () => {
                    await api.del(realmPath(realm, 'sessions', s.id));
                    setRound((n) => n + 1);
                  }}
                />
              ) : null,
          },
        ]}
      />
    </section>
  );
}
