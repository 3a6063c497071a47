/**
 * Realm settings, one tab per concern as in Keycloak's console (`#/{realm}/realm-settings/{tab}`),
 * most read from and saved to `/admin/realms/{realm}` (Keys and Events have their own endpoints),
 * with partial import and export as the page's actions. Admins without manage-realm see the
 * values but no Save.
 */
import { api, realmPath } from '../../api.ts';
import { useAccess } from '../../access.ts';
import { t } from '../../i18n.ts';
import { href } from '../../router.ts';
import { Tabs } from '../../components/tabs.tsx';
import { useAsync } from '../../components/use-async.ts';
import { AsyncStatus } from '../../components/status.tsx';
import type { PageProps } from '../section.ts';
import { SettingsForm } from './settings-form.tsx';
import { EmailTab } from './email-tab.tsx';
import type { SettingGroup } from './setting-fields.ts';
import { EventsConfigTab } from './events-config-tab.tsx';
import { KeysTab } from './keys-tab.tsx';
import { PartialExportButton } from './partial-export.tsx';
import { PartialImportButton } from './partial-import.tsx';
import { GENERAL, LOGIN, SESSIONS, THEMES, TOKENS } from './tab-fields.ts';

const FORMS: Record<string, SettingGroup[]> = { general: GENERAL, login: LOGIN, themes: THEMES, sessions: SESSIONS, tokens: TOKENS };
const TABS = ['general', 'login', 'email', 'themes', 'keys', 'sessions', 'tokens', 'events'];

export function RealmSettings({ realm, rest }: PageProps) {
  const access = useAccess();
  const tab = TABS.includes(rest[0] ?? '') ? rest[0] : 'general';
  const rep = useAsync(() => api.get<Record<string, unknown>>(realmPath(realm)), [realm]);
  const canManage = access.can(realm, 'manage-realm');
  let body;
  if (rep.error || !rep.data) body = <AsyncStatus of={rep} />;
  else if (tab === 'keys') body = <KeysTab realm={realm} view={rest[1]} canManage={canManage} />;
  else if (tab === 'events') body = <EventsConfigTab realm={realm} canManage={access.can(realm, 'manage-events')} />;
  else if (tab === 'email') body = <EmailTab realm={realm} rep={rep.data} canManage={canManage} onSaved={rep.reload} />;
  else body = <SettingsForm key={tab} realm={realm} rep={rep.data} groups={FORMS[tab]} canManage={canManage} onSaved={rep.reload} testId={`realm-${tab}-form`} />;
  return (
    <article>
      <header class="page-header">
        <h1>{t('realmSettings.title')}</h1>
        <div class="toolbar-actions" role="group" aria-label={t('realmSettings.actions')}>
          {canManage ? <PartialImportButton realm={realm} /> : null}
          <PartialExportButton realm={realm} canViewClients={access.can(realm, 'view-clients')} />
        </div>
      </header>
      <Tabs label={t('realmSettings.tabs')} active={tab} tabs={TABS.map((id) => ({ id, label: t(`realmSettings.tab.${id}`), href: href(realm, 'realm-settings', id) }))} />
      {body}
    </article>
  );
}
