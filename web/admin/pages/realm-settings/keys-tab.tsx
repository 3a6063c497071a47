/**
 * The Keys tab: the realm's keys (`GET /keys`) with their provider, priority and status, the
 * public key or certificate shown for copying; and, under "Providers", the key provider
 * components that make them (key-providers.tsx).
 */
import { useRef, useState } from 'preact/hooks';
import { api, realmPath } from '../../api.ts';
import { t } from '../../i18n.ts';
import { href } from '../../router.ts';
import { Tabs } from '../../components/tabs.tsx';
import { ListTable } from '../../components/list-table.tsx';
import { useAsync } from '../../components/use-async.ts';
import { AsyncStatus } from '../../components/status.tsx';
import { KeyProviders } from './key-providers.tsx';
import { KEY_PROVIDER_TYPE, type KeyMetadata, type KeyProvider, type KeysMetadata } from './key-types.ts';

interface Props {
  realm: string;
  view?: string;
  canManage: boolean;
}

export function KeysTab({ realm, view, canManage }: Props) {
  const shown = view === 'providers' ? 'providers' : 'list';
  return (
    <section>
      <Tabs
        label={t('keys.views')}
        active={shown}
        tabs={[
          { id: 'list', label: t('keys.list'), href: href(realm, 'realm-settings', 'keys') },
          { id: 'providers', label: t('keys.providers'), href: href(realm, 'realm-settings', 'keys', 'providers') },
        ]}
      />
      {shown === 'providers' ? <KeyProviders realm={realm} canManage={canManage} /> : <KeyList realm={realm} />}
    </section>
  );
}

function KeyList({ realm }: { realm: string }) {
  const data = useAsync(
    () => Promise.all([api.get<KeysMetadata>(realmPath(realm, 'keys')), api.get<KeyProvider[]>(realmPath(realm, 'components'), { type: KEY_PROVIDER_TYPE })]),
    [realm],
  );
  const [material, setMaterial] = useState<{ title: string; text: string }>();
  const dialog = useRef<HTMLDialogElement>(null);
  if (data.error || !data.data) return <AsyncStatus of={data} />;
  const [keys, providers] = data.data;
  const names = new Map(providers.map((p) => [p.id, p.name]));
  const show = (title: string, text: string) => {
    setMaterial({ title, text });
    dialog.current?.showModal();
  };
  const copy = () => void navigator.clipboard?.writeText(material?.text ?? '').catch(() => undefined);
  return (
    <>
      <ListTable<KeyMetadata>
        testId="keys-list"
        caption={t('keys.list')}
        rows={keys.keys}
        rowKey={(k) => k.kid}
        rowTestId={(k) => `key-${k.kid}`}
        columns={[
          { id: 'algorithm', header: t('keys.algorithm'), cell: (k) => k.algorithm },
          { id: 'type', header: t('keys.type'), cell: (k) => k.type },
          { id: 'kid', header: t('keys.kid'), cell: (k) => <code>{k.kid}</code> },
          { id: 'use', header: t('keys.use'), cell: (k) => k.use },
          { id: 'provider', header: t('keys.provider'), cell: (k) => names.get(k.providerId) ?? k.providerId },
          { id: 'priority', header: t('keys.priority'), cell: (k) => String(k.providerPriority) },
          { id: 'status', header: t('keys.status'), cell: (k) => <span data-testid="key-status">{t(`keys.status.${k.status}`)}</span> },
          { id: 'validTo', header: t('keys.validTo'), cell: (k) => (k.validTo ? new Date(k.validTo).toLocaleDateString() : '—') },
          {
            id: 'material',
            header: t('keys.publicKeys'),
            cell: (k) => (
              <div class="toolbar-actions">
                {k.publicKey ? (
                  <button type="button" class="secondary outline" onClick={() => show(t('keys.publicKeyOf', k.kid), k.publicKey!)}>
                    {t('keys.publicKey')}
                  </button>
                ) : null}
                {k.certificate ? (
                  <button type="button" class="secondary outline" onClick={() => show(t('keys.certificateOf', k.kid), k.certificate!)}>
                    {t('keys.certificate')}
                  </button>
                ) : null}
              </div>
            ),
          },
        ]}
      />
      <dialog ref={dialog} aria-labelledby="key-material-title">
        <article>
          <h2 id="key-material-title">{material?.title}</h2>
          <textarea readOnly rows={8} aria-labelledby="key-material-title" value={material?.text ?? ''} />
          <footer>
            <button type="button" class="secondary" onClick={copy}>
              {t('keys.copy')}
            </button>
            <button type="button" onClick={() => dialog.current?.close()}>
              {t('keys.close')}
            </button>
          </footer>
        </article>
      </dialog>
    </>
  );
}
