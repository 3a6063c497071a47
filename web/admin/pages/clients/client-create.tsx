/** Creating an OpenID Connect client; on success the new client's settings open. */
import { api, realmPath } from '../../api.ts';
import { t } from '../../i18n.ts';
import { href, navigate } from '../../router.ts';
import { notify } from '../../components/alerts.tsx';
import { ClientForm, NEW_CLIENT } from './client-form.tsx';
import type { ClientRep } from './types.ts';

export function ClientCreate({ realm }: { realm: string }) {
  return (
    <article>
      <nav aria-label={t('clients.breadcrumb')}>
        <a href={href(realm, 'clients')}>{t('clients.title')}</a>
      </nav>
      <h1>{t('clients.create')}</h1>
      <ClientForm
        initial={NEW_CLIENT}
        creating
        readOnly={false}
        onSave={async (draft) => {
          await api.post(realmPath(realm, 'clients'), draft);
          const [created] = await api.get<ClientRep[]>(realmPath(realm, 'clients'), { clientId: draft.clientId });
          notify('success', t('clients.created'));
          navigate(href(realm, 'clients', created.id, 'settings'));
        }}
      />
    </article>
  );
}
