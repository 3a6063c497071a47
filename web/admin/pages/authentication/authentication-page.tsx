/**
 * The Authentication section (`#/{realm}/authentication/{tab}`): the login flows, which holdfast
 * runs as fixed code and shows read-only with the realm's bindings (flows-tab.tsx), and the
 * required actions, which an admin with manage-realm enables, makes default and orders
 * (required-actions-tab.tsx).
 */
import { useAccess } from '../../access.ts';
import { t } from '../../i18n.ts';
import { href } from '../../router.ts';
import { Tabs } from '../../components/tabs.tsx';
import type { PageProps } from '../section.ts';
import { FlowsTab } from './flows-tab.tsx';
import { RequiredActionsTab } from './required-actions-tab.tsx';

export function AuthenticationPage({ realm, rest }: PageProps) {
  const access = useAccess();
  const tab = rest[0] === 'required-actions' ? 'required-actions' : 'flows';
  return (
    <article>
      <h1>{t('authentication.title')}</h1>
      <Tabs
        label={t('authentication.tabs')}
        active={tab}
        tabs={[
          { id: 'flows', label: t('authentication.tab.flows'), href: href(realm, 'authentication', 'flows') },
          { id: 'required-actions', label: t('authentication.tab.requiredActions'), href: href(realm, 'authentication', 'required-actions') },
        ]}
      />
      {tab === 'flows' ? <FlowsTab realm={realm} alias={rest[1]} /> : <RequiredActionsTab realm={realm} canManage={access.can(realm, 'manage-realm')} />}
    </article>
  );
}
