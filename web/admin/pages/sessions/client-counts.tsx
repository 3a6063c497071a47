/**
 * Sessions per client (`client-session-stats`), online and offline, reloaded with the list. Asked
 * for only once opened, to keep the list's own requests few; the store keeps the counts
 * (migration 031), so opening it costs a few row reads, not a walk over the sessions.
 */
import { useState } from 'preact/hooks';
import { api, realmPath } from '../../api.ts';
import { t } from '../../i18n.ts';
import { useAsync } from '../../components/use-async.ts';
import { ErrorMessage } from '../../components/status.tsx';
import type { ClientSessionStats } from './session-types.ts';

export function ClientCounts({ realm, reloadKey }: { realm: string; reloadKey: unknown }) {
  const [open, setOpen] = useState(false);
  const stats = useAsync(() => (open ? api.get<ClientSessionStats[]>(realmPath(realm, 'client-session-stats')) : Promise.resolve([])), [realm, reloadKey, open]);
  return (
    <details data-testid="client-session-stats" onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>{t('sessions.perClient')}</summary>
      {stats.error ? <ErrorMessage message={stats.error} /> : null}
      <div class="table-scroll">
        <table aria-busy={stats.loading}>
          <thead>
            <tr>
              <th scope="col">{t('sessions.client')}</th>
              <th scope="col">{t('sessions.active')}</th>
              <th scope="col">{t('sessions.offline')}</th>
            </tr>
          </thead>
          <tbody>
            {(stats.data ?? []).map((row) => (
              <tr key={row.id}>
                <td data-label={t('sessions.client')}>{row.clientId}</td>
                <td data-label={t('sessions.active')}>{row.active}</td>
                <td data-label={t('sessions.offline')}>{row.offline}</td>
              </tr>
            ))}
            {!stats.loading && !stats.error && (stats.data ?? []).length === 0 ? (
              <tr>
                <td colSpan={3}>{t('sessions.none')}</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </details>
  );
}
