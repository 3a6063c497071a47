/** The Events tab: which user and admin events are stored, and for how long (`events/config`, manage-events to change). */
import { api, realmPath } from '../../api.ts';
import { useAsync } from '../../components/use-async.ts';
import { AsyncStatus } from '../../components/status.tsx';
import { SettingsForm } from './settings-form.tsx';
import { EVENTS_CONFIG } from './tab-fields.ts';

export function EventsConfigTab({ realm, canManage }: { realm: string; canManage: boolean }) {
  const config = useAsync(() => api.get<Record<string, unknown>>(realmPath(realm, 'events', 'config')), [realm]);
  if (config.error || !config.data) return <AsyncStatus of={config} />;
  return <SettingsForm realm={realm} rep={config.data} groups={EVENTS_CONFIG} canManage={canManage} onSaved={config.reload} testId="realm-events-form" saveTo={['events', 'config']} />;
}
