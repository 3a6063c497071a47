/**
 * The realm's sessions (issue #15.1): online and offline, searched and paged on the server with
 * the total from the kept count, each signed out on its own, or every active one at once; the
 * list reloads with a button or, when asked, on an interval.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, realmPath } from '../../api.ts';
import { useAccess } from '../../access.ts';
import { t } from '../../i18n.ts';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { PagedTable, type Column, type PageRequest } from '../../components/paged-table.tsx';
import type { PageProps } from '../section.ts';
import { ClientCounts } from './client-counts.tsx';
import type { RealmSession, SessionType } from './session-types.ts';

/** How often the list reloads when live refresh is on. */
const LIVE_REFRESH_MS = 10_000;

const when = (ms: number): string => new Date(ms).toLocaleString();

export function SessionsPage({ realm }: PageProps) {
  const access = useAccess();
  const canManage = access.can(realm, 'manage-users');
  const [type, setType] = useState<SessionType>('ALL');
  const [reloadKey, setReloadKey] = useState(0);
  const [live, setLive] = useState(false);
  const reload = () => setReloadKey((k) => k + 1);
  useEffect(() => {
    if (!live) return undefined;
    const timer = setInterval(reload, LIVE_REFRESH_MS);
    return () => clearInterval(timer);
  }, [live]);

  const load = ({ first, max, search }: PageRequest) => api.get<RealmSession[]>(realmPath(realm, 'ui-ext', 'sessions'), { type, first, max, search });
  // A search has no kept count: the pager then only says whether there is a next page.
  const count = (search: string) => (search === '' ? api.get<number>(realmPath(realm, 'ui-ext', 'sessions', 'count'), { type }) : Promise.resolve(undefined as unknown as number));

  const signOut = (session: RealmSession) =>
    api.del(realmPath(realm, 'sessions', session.id), undefined, session.type === 'OFFLINE' ? { isOffline: true } : undefined).then(reload);

  const columns: Column<RealmSession>[] = [
    { id: 'user', header: t('sessions.user'), cell: (s) => s.username },
    { id: 'type', header: t('sessions.type'), cell: (s) => (s.type === 'OFFLINE' ? t('sessions.typeOffline') : t('sessions.typeRegular')) },
    { id: 'ip', header: t('sessions.ipAddress'), cell: (s) => s.ipAddress },
    { id: 'start', header: t('sessions.started'), cell: (s) => when(s.start) },
    { id: 'lastAccess', header: t('sessions.lastAccess'), cell: (s) => when(s.lastAccess) },
    { id: 'clients', header: t('sessions.clients'), cell: (s) => Object.values(s.clients).join(', ') || '—' },
    { id: 'rememberMe', header: t('sessions.rememberMe'), cell: (s) => (s.rememberMe ? t('sessions.yes') : t('sessions.no')) },
  ];
  if (canManage) {
    columns.push({
      id: 'actions',
      header: t('sessions.actions'),
      cell: (s) => (
        <ConfirmButton
          label={s.type === 'OFFLINE' ? t('sessions.revoke') : t('doSignOut')}
          title={s.type === 'OFFLINE' ? t('sessions.revokeTitle') : t('sessions.signOutTitle')}
          message={t('sessions.signOutMessage', s.username, s.ipAddress)}
          class="secondary outline"
          testId={`sign-out-${s.id}`}
          done={t('sessions.signedOut')}
          onConfirm={() => signOut(s)}
        />
      ),
    });
  }

  return (
    <article>
      <h1>{t('sessions.title')}</h1>
      <PagedTable<RealmSession>
        caption={t('sessions.title')}
        testId="realm-sessions"
        columns={columns}
        rowKey={(s) => `${s.type}:${s.id}`}
        load={load}
        count={count}
        searchLabel={t('sessions.search')}
        emptyText={t('sessions.none')}
        reloadKey={`${type}:${reloadKey}`}
        toolbar={
          <div class="toolbar-actions">
            <label>
              {t('sessions.filter')}
              <select data-testid="session-type" value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value as SessionType)}>
                <option value="ALL">{t('sessions.typeAll')}</option>
                <option value="REGULAR">{t('sessions.typeRegular')}</option>
                <option value="OFFLINE">{t('sessions.typeOffline')}</option>
              </select>
            </label>
            <button type="button" class="secondary" data-testid="sessions-refresh" onClick={reload}>
              {t('doRefresh')}
            </button>
            <label>
              <input type="checkbox" role="switch" checked={live} onChange={(e) => setLive((e.target as HTMLInputElement).checked)} />
              {t('sessions.liveRefresh')}
            </label>
            {canManage ? (
              <ConfirmButton
                label={t('sessions.signOutAll')}
                title={t('sessions.signOutAll')}
                message={t('sessions.signOutAllMessage', realm)}
                testId="sign-out-all"
                done={t('sessions.signedOutAll')}
                onConfirm={() => api.post(realmPath(realm, 'logout-all')).then(reload)}
              />
            ) : null}
          </div>
        }
      />
      <ClientCounts realm={realm} reloadKey={reloadKey} />
    </article>
  );
}
