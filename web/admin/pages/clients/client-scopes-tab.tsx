/**
 * The client scopes linked to a client, as default (always in its tokens) or optional (on
 * request with `scope`), with linking a realm scope of the same protocol and unlinking one.
 * A realm has few scopes, so the lists are whole, as in Keycloak's console.
 */
import { useState } from 'preact/hooks';
import { api, messageOf, realmPath } from '../../api.ts';
import { t } from '../../i18n.ts';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { Field } from '../../components/field.tsx';
import { useAsync } from '../../components/use-async.ts';
import { AsyncStatus } from '../../components/status.tsx';
import { notify } from '../../components/alerts.tsx';
import type { ClientRep, ClientScopeRep } from './types.ts';

type Link = 'default' | 'optional';

export function ClientScopesTab({ realm, client, manage }: { realm: string; client: ClientRep; manage: boolean }) {
  const base = realmPath(realm, 'clients', client.id);
  const data = useAsync(async () => {
    const [all, defaults, optional] = await Promise.all([
      api.get<ClientScopeRep[]>(realmPath(realm, 'client-scopes')),
      api.get<ClientScopeRep[]>(`${base}/default-client-scopes`),
      api.get<ClientScopeRep[]>(`${base}/optional-client-scopes`),
    ]);
    return { all, defaults, optional };
  }, [base]);
  const [choice, setChoice] = useState('');
  const [link, setLink] = useState<Link>('default');
  const [error, setError] = useState<string>();
  if (data.error || !data.data) return <AsyncStatus of={data} />;
  const linked = new Set([...data.data.defaults, ...data.data.optional].map((s) => s.id));
  const available = data.data.all.filter((s) => !linked.has(s.id) && (s.protocol ?? 'openid-connect') === (client.protocol ?? 'openid-connect'));
  const rows = [...data.data.defaults.map((s) => ({ scope: s, link: 'default' as Link })), ...data.data.optional.map((s) => ({ scope: s, link: 'optional' as Link }))].sort((a, b) => a.scope.name.localeCompare(b.scope.name));
  const path = (l: Link, id: string) => `${base}/${l}-client-scopes/${encodeURIComponent(id)}`;

  const add = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      await api.put(path(link, choice));
      notify('success', t('clients.scopeLinked'));
      setChoice('');
      data.reload();
    } catch (e) {
      setError(messageOf(e));
    }
  };

  return (
    <section aria-labelledby="client-scopes-heading">
      <h2 id="client-scopes-heading">{t('clients.tabClientScopes')}</h2>
      <div class="table-scroll">
        <table data-testid="client-scopes-table">
          <caption class="visually-hidden">{t('clients.tabClientScopes')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('clients.scopeName')}</th>
              <th scope="col">{t('clients.scopeLink')}</th>
              <th scope="col">{t('clients.description')}</th>
              <th scope="col">{t('clients.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ scope, link: l }) => (
              <tr key={scope.id}>
                <td data-label={t('clients.scopeName')}>{scope.name}</td>
                <td data-label={t('clients.scopeLink')}>{t(`clients.scopeLink.${l}`)}</td>
                <td data-label={t('clients.description')}>{scope.description || '—'}</td>
                <td data-label={t('clients.actions')}>
                  {manage ? (
                    <ConfirmButton
                      testId={`scope-unlink-${scope.name}`}
                      label={t('clients.scopeUnlink')}
                      title={t('clients.scopeUnlinkTitle', scope.name)}
                      message={t('clients.scopeUnlinkMessage')}
                      done={t('clients.scopeUnlinked')}
                      onConfirm={async () => {
                        await api.del(path(l, scope.id));
                        data.reload();
                      }}
                    />
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {manage && available.length > 0 ? (
        <form onSubmit={add} class="inline-form" aria-labelledby="scope-link-heading">
          <h3 id="scope-link-heading">{t('clients.scopeAdd')}</h3>
          <Field id="scope-choice" label={t('clients.scopeName')} error={error}>
            <select id="scope-choice" value={choice} onChange={(e) => setChoice((e.target as HTMLSelectElement).value)}>
              <option value="">{t('clients.mapperChoose')}</option>
              {available.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </Field>
          <Field id="scope-link" label={t('clients.scopeLink')}>
            <select id="scope-link" value={link} onChange={(e) => setLink((e.target as HTMLSelectElement).value as Link)}>
              <option value="default">{t('clients.scopeLink.default')}</option>
              <option value="optional">{t('clients.scopeLink.optional')}</option>
            </select>
          </Field>
          <button type="submit" disabled={choice === ''} data-testid="scope-link-add">
            {t('clients.scopeAdd')}
          </button>
        </form>
      ) : null}
    </section>
  );
}
