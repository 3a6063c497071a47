/**
 * The realm's client scopes with their realm default type, changed in place, and deletion after
 * confirmation. A realm holds a handful of scopes and Keycloak's API lists them whole; the search
 * filters the loaded list by name.
 */
import { useState } from 'preact/hooks';
import { api, messageOf, realmPath } from '../../api.ts';
import { useAccess } from '../../access.ts';
import { t } from '../../i18n.ts';
import { href } from '../../router.ts';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { PagedTable } from '../../components/paged-table.tsx';
import { notify } from '../../components/alerts.tsx';
import type { ClientScopeRep } from '../clients/types.ts';
import { realmDefaultTypes, setRealmDefaultType, type DefaultType } from './realm-default-type.ts';

interface ScopeRow extends ClientScopeRep {
  type: DefaultType;
}

export function ClientScopeList({ realm }: { realm: string }) {
  const access = useAccess();
  const manage = access.can(realm, 'manage-clients');
  const [round, setRound] = useState(0);
  const changeType = async (row: ScopeRow, to: DefaultType) => {
    try {
      await setRealmDefaultType(realm, row.id, row.type, to);
      notify('success', t('clientScopes.typeChanged'));
    } catch (error) {
      notify('error', messageOf(error));
    }
    setRound((n) => n + 1);
  };
  return (
    <article>
      <h1>{t('clientScopes.title')}</h1>
      <p>{t('clientScopes.intro')}</p>
      <PagedTable<ScopeRow>
        testId="client-scopes-list"
        caption={t('clientScopes.title')}
        reloadKey={round}
        rowKey={(s) => s.id}
        searchLabel={t('clientScopes.search')}
        load={async ({ first, max, search }) => {
          const [scopes, types] = await Promise.all([api.get<ClientScopeRep[]>(realmPath(realm, 'client-scopes')), realmDefaultTypes(realm)]);
          const needle = search.toLowerCase();
          return scopes
            .filter((s) => s.name.toLowerCase().includes(needle))
            .sort((a, b) => a.name.localeCompare(b.name))
            .slice(first, first + max)
            .map((s) => ({ ...s, type: types.get(s.id) ?? 'none' }));
        }}
        toolbar={
          manage ? (
            <a role="button" href={href(realm, 'client-scopes', 'new')} data-testid="client-scope-create">
              {t('clientScopes.create')}
            </a>
          ) : null
        }
        columns={[
          { id: 'name', header: t('clients.scopeName'), cell: (s) => <a href={href(realm, 'client-scopes', s.id, 'settings')}>{s.name}</a> },
          {
            id: 'type',
            header: t('clientScopes.realmDefaultType'),
            cell: (s) => (
              <select aria-label={t('clientScopes.realmDefaultTypeOf', s.name)} value={s.type} disabled={!manage} onChange={(e) => changeType(s, (e.target as HTMLSelectElement).value as DefaultType)} data-testid={`scope-type-${s.name}`}>
                <option value="default">{t('clients.scopeLink.default')}</option>
                <option value="optional">{t('clients.scopeLink.optional')}</option>
                <option value="none">{t('clients.scopeLink.none')}</option>
              </select>
            ),
          },
          { id: 'protocol', header: t('clientScopes.protocol'), cell: (s) => s.protocol ?? 'openid-connect' },
          { id: 'description', header: t('clients.description'), cell: (s) => s.description || '—' },
          {
            id: 'actions',
            header: t('clients.actions'),
            cell: (s) =>
              manage ? (
                <ConfirmButton
                  testId={`scope-delete-${s.name}`}
                  label={t('doDelete')}
                  title={t('clientScopes.deleteTitle', s.name)}
                  message={t('clientScopes.deleteMessage')}
                  done={t('clientScopes.deleted')}
                  onConfirm={async () => {
                    await api.del(realmPath(realm, 'client-scopes', s.id));
                    setRound((n) => n + 1);
                  }}
                />
              ) : null,
          },
        ]}
      />
    </article>
  );
}
