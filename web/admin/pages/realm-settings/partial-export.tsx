/**
 * Partial export (Realm settings → Action), as Keycloak's dialog: the realm without users or
 * keys and with secrets masked (`POST partial-export`), groups and roles and clients included
 * when asked, downloaded as `realm-export.json`. The file is made in the page from the API's
 * answer, so no token ever travels in a URL.
 */
import { useRef, useState } from 'preact/hooks';
import { api, messageOf, realmPath } from '../../api.ts';
import { t } from '../../i18n.ts';
import { ErrorMessage } from '../../components/status.tsx';

export function PartialExportButton({ realm, canViewClients }: { realm: string; canViewClients: boolean }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [groupsAndRoles, setGroupsAndRoles] = useState(false);
  const [clients, setClients] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const exportRealm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const exported = await api.post<unknown>(realmPath(realm, 'partial-export'), undefined, { exportGroupsAndRoles: groupsAndRoles, exportClients: clients });
      const url = URL.createObjectURL(new Blob([JSON.stringify(exported, null, 2)], { type: 'application/json' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = 'realm-export.json';
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      dialog.current?.close();
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" class="secondary outline" data-testid="partial-export-open" onClick={() => (setError(undefined), dialog.current?.showModal())}>
        {t('partialExport.title')}
      </button>
      <dialog ref={dialog} aria-labelledby="partial-export-title">
        <article>
          <h2 id="partial-export-title">{t('partialExport.title')}</h2>
          <p>{t('partialExport.intro')}</p>
          <label>
            <input type="checkbox" role="switch" checked={groupsAndRoles} data-testid="partial-export-groups" onChange={(e) => setGroupsAndRoles((e.target as HTMLInputElement).checked)} />
            {t('partialExport.groupsAndRoles')}
          </label>
          <label>
            <input type="checkbox" role="switch" checked={clients} disabled={!canViewClients} data-testid="partial-export-clients" onChange={(e) => setClients((e.target as HTMLInputElement).checked)} />
            {t('partialExport.clients')}
          </label>
          {error ? <ErrorMessage message={error} /> : null}
          <footer>
            <button type="button" class="secondary" onClick={() => dialog.current?.close()}>
              {t('doCancel')}
            </button>
            <button type="button" aria-busy={busy} disabled={busy} data-testid="partial-export-submit" onClick={() => void exportRealm()}>
              {t('partialExport.export')}
            </button>
          </footer>
        </article>
      </dialog>
    </>
  );
}
