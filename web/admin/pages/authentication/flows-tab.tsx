/**
 * The realm's authentication flows, read-only: holdfast's login steps are code, which the admin
 * API tells as Keycloak's built-in flows. The list says which realm binding uses each flow; a
 * flow's page lists its executions, sub-flows indented under their flow.
 */
import { api, realmPath } from '../../api.ts';
import { t } from '../../i18n.ts';
import { href } from '../../router.ts';
import { ListTable } from '../../components/list-table.tsx';
import { useAsync } from '../../components/use-async.ts';
import { AsyncStatus } from '../../components/status.tsx';

interface Flow {
  id: string;
  alias: string;
  description?: string;
  builtIn?: boolean;
}

interface Execution {
  id: string;
  displayName: string;
  description?: string;
  requirement: string;
  providerId?: string;
  authenticationFlow: boolean;
  level: number;
}

/** The realm fields that bind a flow, in the order Keycloak's console lists them. */
const BINDINGS = ['browserFlow', 'registrationFlow', 'directGrantFlow', 'resetCredentialsFlow', 'clientAuthenticationFlow', 'dockerAuthenticationFlow', 'firstBrokerLoginFlow'];

export function FlowsTab({ realm, alias }: { realm: string; alias?: string }) {
  return (
    <section>
      <p class="notice" data-testid="flows-fixed">
        {t('authentication.flowsFixed')}
      </p>
      {alias === undefined ? <FlowList realm={realm} /> : <FlowExecutions realm={realm} alias={alias} />}
    </section>
  );
}

function FlowList({ realm }: { realm: string }) {
  const data = useAsync(() => Promise.all([api.get<Flow[]>(realmPath(realm, 'authentication', 'flows')), api.get<Record<string, unknown>>(realmPath(realm))]), [realm]);
  if (data.error || !data.data) return <AsyncStatus of={data} />;
  const [flows, rep] = data.data;
  const usedBy = (flow: Flow) => BINDINGS.filter((field) => rep[field] === flow.alias).map((field) => t(`authentication.binding.${field}`));
  return (
    <ListTable<Flow>
      testId="flows-list"
      caption={t('authentication.tab.flows')}
      rows={flows}
      rowKey={(f) => f.id}
      rowTestId={(f) => `flow-${f.alias}`}
      columns={[
        { id: 'alias', header: t('authentication.flowName'), cell: (f) => <a href={href(realm, 'authentication', 'flows', f.alias)}>{f.alias}</a> },
        { id: 'usedBy', header: t('authentication.usedBy'), cell: (f) => <span data-testid="flow-used-by">{usedBy(f).join(', ') || t('authentication.notUsed')}</span> },
        { id: 'description', header: t('authentication.description'), cell: (f) => f.description ?? '—' },
      ]}
    />
  );
}

function FlowExecutions({ realm, alias }: { realm: string; alias: string }) {
  const executions = useAsync(() => api.get<Execution[]>(realmPath(realm, 'authentication', 'flows', alias, 'executions')), [realm, alias]);
  return (
    <>
      <h2>{t('authentication.flowTitle', alias)}</h2>
      <p>
        <a href={href(realm, 'authentication', 'flows')}>{t('authentication.backToFlows')}</a>
      </p>
      <AsyncStatus of={executions} />
      {executions.data ? (
        <ListTable<Execution>
          testId="flow-executions"
          caption={t('authentication.flowTitle', alias)}
          rows={executions.data}
          rowKey={(e) => e.id}
          columns={[
            {
              id: 'step',
              header: t('authentication.step'),
              cell: (e) => (
                <span class={`execution-level-${Math.min(e.level, 4)}`} title={e.description}>
                  {e.authenticationFlow ? <strong>{e.displayName}</strong> : e.displayName}
                </span>
              ),
            },
            { id: 'requirement', header: t('authentication.requirement'), cell: (e) => t(`authentication.requirement.${e.requirement}`) },
            { id: 'provider', header: t('authentication.providerId'), cell: (e) => <code>{e.providerId ?? '—'}</code> },
            { id: 'description', header: t('authentication.description'), cell: (e) => e.description ?? '—' },
          ]}
        />
      ) : null}
    </>
  );
}
