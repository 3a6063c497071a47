/**
 * The realm's required actions in priority order (`/authentication/required-actions`): each
 * turned on or off, made a default action (given to every new user; only an enabled action can
 * be), and moved up or down with Keycloak's `raise-priority` / `lower-priority`.
 */
import { api, messageOf, realmPath } from '../../api.ts';
import { t } from '../../i18n.ts';
import { notify } from '../../components/alerts.tsx';
import { ListTable } from '../../components/list-table.tsx';
import { RowSwitch } from '../../components/switch.tsx';
import { useAsync } from '../../components/use-async.ts';
import { AsyncStatus } from '../../components/status.tsx';

interface RequiredAction {
  alias: string;
  name: string;
  providerId: string;
  enabled: boolean;
  defaultAction: boolean;
  priority: number;
  config?: Record<string, string>;
}

export function RequiredActionsTab({ realm, canManage }: { realm: string; canManage: boolean }) {
  const actions = useAsync(() => api.get<RequiredAction[]>(realmPath(realm, 'authentication', 'required-actions')), [realm]);
  if (actions.error || !actions.data) return <AsyncStatus of={actions} />;
  const list = actions.data;
  const path = (action: RequiredAction, ...more: string[]) => realmPath(realm, 'authentication', 'required-actions', action.alias, ...more);
  const run = async (call: Promise<unknown>) => {
    try {
      await call;
      notify('success', t('authentication.actionSaved'));
    } catch (error) {
      notify('error', messageOf(error));
    }
    actions.reload();
  };
  const toggle = (action: RequiredAction, name: 'enabled' | 'defaultAction', on: boolean) => run(api.put(path(action), { ...action, [name]: on }));

  return (
    <ListTable<RequiredAction>
      testId="required-actions"
      caption={t('authentication.tab.requiredActions')}
      rows={list}
      rowKey={(a) => a.alias}
      rowTestId={(a) => `required-action-${a.alias}`}
      columns={[
        { id: 'name', header: t('authentication.actionName'), cell: (a) => a.name },
        {
          id: 'enabled',
          header: t('authentication.enabled'),
          cell: (a) => <RowSwitch checked={a.enabled} label={t('authentication.enabledOf', a.name)} disabled={!canManage} testId="action-enabled" onChange={(on) => toggle(a, 'enabled', on)} />,
        },
        {
          id: 'default',
          header: t('authentication.defaultAction'),
          cell: (a) => <RowSwitch checked={a.defaultAction} label={t('authentication.defaultActionOf', a.name)} disabled={!canManage || !a.enabled} testId="action-default" onChange={(on) => toggle(a, 'defaultAction', on)} />,
        },
        {
          id: 'order',
          header: t('authentication.order'),
          cell: (a) => {
            const i = list.indexOf(a);
            return canManage ? (
              <div class="toolbar-actions">
                <button type="button" class="secondary outline" disabled={i === 0} aria-label={t('authentication.moveUp', a.name)} data-testid="action-up" onClick={() => run(api.post(path(a, 'raise-priority')))}>
                  ↑
                </button>
                <button type="button" class="secondary outline" disabled={i === list.length - 1} aria-label={t('authentication.moveDown', a.name)} data-testid="action-down" onClick={() => run(api.post(path(a, 'lower-priority')))}>
                  ↓
                </button>
              </div>
            ) : (
              String(i + 1)
            );
          },
        },
      ]}
    />
  );
}
