/**
 * Partial import (Realm settings → Action), as Keycloak's dialog: a realm JSON file is read in the
 * browser, the admin picks which of its resources to import (with their counts) and what to do
 * when one exists already (FAIL, SKIP, OVERWRITE), and `POST partialImport` answers the counts
 * and one row per resource, shown here with whatever the server did not honour.
 */
import { useRef, useState } from 'preact/hooks';
import { api, messageOf, realmPath } from '../../api.ts';
import { t } from '../../i18n.ts';
import { ErrorMessage } from '../../components/status.tsx';
import { ListTable } from '../../components/list-table.tsx';

type Json = Record<string, unknown>;
type Policy = 'FAIL' | 'SKIP' | 'OVERWRITE';

interface Finding {
  path: string;
  reason: string;
}

interface ImportResult {
  added: number;
  skipped: number;
  overwritten: number;
  results: Array<{ action: string; resourceType: string; resourceName: string; id: string }>;
  notHonoured?: Finding[];
  ignored?: Finding[];
}

/** The API reads the whole file; the page refuses what it could not sensibly hold. */
const MAX_FILE_BYTES = 100 * 1024 * 1024;

/** The resources a partial import takes, each with how to count it in a file and how to send it. */
const RESOURCES = [
  { id: 'users', count: (f: Json) => list(f.users).length, pick: (f: Json) => ({ users: f.users }) },
  { id: 'groups', count: (f: Json) => list(f.groups).length, pick: (f: Json) => ({ groups: f.groups }) },
  { id: 'clients', count: (f: Json) => list(f.clients).length, pick: (f: Json) => ({ clients: f.clients }) },
  { id: 'realmRoles', count: (f: Json) => list(roles(f).realm).length, pick: (f: Json) => ({ realm: roles(f).realm }) },
  { id: 'clientRoles', count: (f: Json) => Object.values(object(roles(f).client)).flatMap(list).length, pick: (f: Json) => ({ client: roles(f).client }) },
] as const;
type ResourceId = (typeof RESOURCES)[number]['id'];

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const object = (value: unknown): Json => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {});
const roles = (file: Json): Json => object(file.roles);

/** The body for the chosen resources: realm and client roles travel together under `roles`. */
function bodyOf(file: Json, chosen: Set<ResourceId>, policy: Policy): Json {
  const body: Json = { ifResourceExists: policy };
  const roleParts: Json = {};
  for (const resource of RESOURCES) {
    if (!chosen.has(resource.id)) continue;
    if (resource.id === 'realmRoles' || resource.id === 'clientRoles') Object.assign(roleParts, resource.pick(file));
    else Object.assign(body, resource.pick(file));
  }
  if (Object.keys(roleParts).length > 0) body.roles = roleParts;
  return body;
}

export function PartialImportButton({ realm }: { realm: string }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [file, setFile] = useState<Json>();
  const [chosen, setChosen] = useState<Set<ResourceId>>(new Set());
  const [policy, setPolicy] = useState<Policy>('FAIL');
  const [error, setError] = useState<string>();
  const [result, setResult] = useState<ImportResult>();
  const [busy, setBusy] = useState(false);

  const open = () => {
    setFile(undefined);
    setChosen(new Set());
    setError(undefined);
    setResult(undefined);
    dialog.current?.showModal();
  };
  const read = async (input: HTMLInputElement) => {
    setError(undefined);
    setFile(undefined);
    const picked = input.files?.[0];
    if (!picked) return;
    if (picked.size > MAX_FILE_BYTES) return setError(t('partialImport.tooLarge'));
    try {
      const parsed = JSON.parse(await picked.text()) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      setFile(parsed as Json);
      setChosen(new Set(RESOURCES.filter((r) => r.count(parsed as Json) > 0).map((r) => r.id)));
    } catch {
      setError(t('partialImport.notJson'));
    }
  };
  const toggle = (id: ResourceId, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(id);
    else next.delete(id);
    setChosen(next);
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!file || chosen.size === 0) return;
    setBusy(true);
    setError(undefined);
    try {
      setResult(await api.post<ImportResult>(realmPath(realm, 'partialImport'), bodyOf(file, chosen, policy)));
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button type="button" class="secondary outline" data-testid="partial-import-open" onClick={open}>
        {t('partialImport.title')}
      </button>
      <dialog ref={dialog} aria-labelledby="partial-import-title">
        <article>
          <h2 id="partial-import-title">{t('partialImport.title')}</h2>
          {result ? (
            <ImportResultView result={result} />
          ) : (
            <form id="partial-import-form" noValidate onSubmit={submit}>
              <label>
                {t('partialImport.file')}
                <input type="file" accept="application/json,.json" data-testid="partial-import-file" onChange={(e) => void read(e.target as HTMLInputElement)} />
              </label>
              {file ? (
                <fieldset>
                  <legend>{t('partialImport.resources')}</legend>
                  {RESOURCES.map((r) => (
                    <label key={r.id}>
                      <input type="checkbox" checked={chosen.has(r.id)} disabled={r.count(file) === 0} data-testid={`partial-import-${r.id}`} onChange={(e) => toggle(r.id, (e.target as HTMLInputElement).checked)} />
                      {t(`partialImport.resource.${r.id}`, r.count(file))}
                    </label>
                  ))}
                </fieldset>
              ) : null}
              <label>
                {t('partialImport.ifExists')}
                <select value={policy} data-testid="partial-import-policy" onChange={(e) => setPolicy((e.target as HTMLSelectElement).value as Policy)}>
                  {(['FAIL', 'SKIP', 'OVERWRITE'] as const).map((p) => (
                    <option key={p} value={p}>
                      {t(`partialImport.policy.${p}`)}
                    </option>
                  ))}
                </select>
              </label>
            </form>
          )}
          {error ? <ErrorMessage message={error} /> : null}
          <footer>
            <button type="button" class="secondary" onClick={() => dialog.current?.close()}>
              {result ? t('keys.close') : t('doCancel')}
            </button>
            {result ? null : (
              <button type="submit" form="partial-import-form" aria-busy={busy} disabled={busy || !file || chosen.size === 0} data-testid="partial-import-submit">
                {t('partialImport.import')}
              </button>
            )}
          </footer>
        </article>
      </dialog>
    </>
  );
}

function ImportResultView({ result }: { result: ImportResult }) {
  const findings = [...(result.notHonoured ?? []), ...(result.ignored ?? [])];
  return (
    <section data-testid="partial-import-result">
      <p role="status" data-testid="partial-import-counts">
        {t('partialImport.counts', result.added, result.skipped, result.overwritten)}
      </p>
      <ListTable
        caption={t('partialImport.results')}
        rows={result.results}
        rowKey={(r) => `${r.resourceType}/${r.id}`}
        columns={[
          { id: 'action', header: t('partialImport.action'), cell: (r) => r.action },
          { id: 'type', header: t('partialImport.type'), cell: (r) => r.resourceType },
          { id: 'name', header: t('partialImport.name'), cell: (r) => r.resourceName },
        ]}
      />
      {findings.length > 0 ? (
        <>
          <h3>{t('partialImport.notHonoured')}</h3>
          <ul>
            {findings.map((f) => (
              <li key={f.path}>
                <code>{f.path}</code>: {f.reason}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
