/**
 * Creating a realm: a name and whether it is enabled, or a realm file (Keycloak's JSON export)
 * whose name the form may override. `POST /admin/realms`, the same import as `holdfast import`;
 * afterwards the admin's roles are read again (the new realm brings new ones) and the new realm's
 * settings open.
 */
import { useState } from 'preact/hooks';
import { api, messageOf } from '../../api.ts';
import { useAccess } from '../../access.ts';
import { t } from '../../i18n.ts';
import { href, navigate } from '../../router.ts';
import { describedBy, Field } from '../../components/field.tsx';
import { notify } from '../../components/alerts.tsx';
import type { PageProps } from '../section.ts';

/** Larger files are refused before reading: the browser would hold them in memory. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

export function AddRealm(_props: PageProps) {
  const access = useAccess();
  const [name, setName] = useState('');
  const [enabled, setEnabled] = useState(true);
  const [file, setFile] = useState<Record<string, unknown>>();
  const [fileError, setFileError] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  if (!access.whoami.createRealm) return <p role="alert">{t('noPermission')}</p>;

  const readFile = async (input: HTMLInputElement) => {
    setFile(undefined);
    setFileError(undefined);
    const chosen = input.files?.[0];
    if (!chosen) return;
    if (chosen.size > MAX_FILE_BYTES) return setFileError(t('addRealm.fileTooLarge'));
    try {
      const parsed: unknown = JSON.parse(await chosen.text());
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      setFile(parsed as Record<string, unknown>);
      if (!name && typeof (parsed as { realm?: unknown }).realm === 'string') setName((parsed as { realm: string }).realm);
    } catch {
      setFileError(t('addRealm.fileNotJson'));
    }
  };

  const create = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    const realm = name.trim();
    if (!realm) return setError(t('addRealm.nameRequired'));
    setBusy(true);
    try {
      await api.post('', { ...(file ?? {}), realm, enabled });
      notify('success', t('addRealm.created', realm));
      await access.refresh();
      navigate(href(realm, 'realm-settings'));
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <article>
      <h1>{t('createRealm')}</h1>
      <form noValidate onSubmit={create} data-testid="add-realm-form">
        <Field id="add-realm-file" label={t('addRealm.file')} hint={t('addRealm.fileHint')} error={fileError}>
          <input id="add-realm-file" type="file" accept="application/json,.json" {...describedBy('add-realm-file', fileError, t('addRealm.fileHint'))} onChange={(e) => void readFile(e.target as HTMLInputElement)} />
        </Field>
        <Field id="add-realm-name" label={t('addRealm.name')} error={error}>
          <input id="add-realm-name" type="text" required value={name} data-testid="add-realm-name" {...describedBy('add-realm-name', error)} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </Field>
        <label>
          <input type="checkbox" role="switch" checked={enabled} data-testid="add-realm-enabled" onChange={(e) => setEnabled((e.target as HTMLInputElement).checked)} />
          {t('addRealm.enabled')}
        </label>
        <button type="submit" aria-busy={busy} disabled={busy} data-testid="add-realm-create">
          {t('doCreate')}
        </button>
      </form>
    </article>
  );
}
