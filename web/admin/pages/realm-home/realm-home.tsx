/** The landing page of a realm: its name, where its endpoints are, and what the admin may do there. */
import { api, realmPath } from '../../api.ts';
import { useAccess } from '../../access.ts';
import { environment } from '../../environment.ts';
import { t } from '../../i18n.ts';
import { useAsync } from '../../components/use-async.ts';
import { ErrorMessage, Loading } from '../../components/status.tsx';
import type { PageProps } from '../section.ts';

interface RealmSummary {
  realm: string;
  displayName?: string;
  enabled: boolean;
}

export function RealmHome({ realm }: PageProps) {
  const access = useAccess();
  const summary = useAsync(() => (access.can(realm, 'view-realm') ? api.get<RealmSummary>(realmPath(realm)) : Promise.resolve<RealmSummary>({ realm, enabled: true })), [realm]);
  if (summary.loading) return <Loading />;
  if (summary.error) return <ErrorMessage message={summary.error} />;
  const issuer = `${environment.authServerUrl}/realms/${encodeURIComponent(realm)}`;
  return (
    <article>
      <h1>{t('welcomeToRealm', summary.data?.displayName || realm)}</h1>
      <p>{t('realmHomeIntro')}</p>
      <dl>
        <dt>{t('issuer')}</dt>
        <dd>
          <code>{issuer}</code>
        </dd>
        <dt>{t('discovery')}</dt>
        <dd>
          <a href={`${issuer}/.well-known/openid-configuration`}>{`${issuer}/.well-known/openid-configuration`}</a>
        </dd>
        <dt>{t('yourRoles')}</dt>
        <dd>{(access.whoami.realm_access[realm] ?? []).join(', ') || '—'}</dd>
      </dl>
    </article>
  );
}
