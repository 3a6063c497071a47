/** The group's attributes as name/value rows, saved with the group (PUT keeps name and description). */
import { useState } from 'preact/hooks';
import { api, messageOf } from '../../api.ts';
import { t } from '../../i18n.ts';
import { notify } from '../../components/alerts.tsx';
import { ErrorMessage } from '../../components/status.tsx';
import { groupPath, type GroupRep } from './types.ts';

export function GroupAttributes({ realm, group, manage, onSaved }: { realm: string; group: GroupRep; manage: boolean; onSaved: () => void }) {
  const [rows, setRows] = useState<Array<[string, string]>>(() => Object.entries(group.attributes ?? {}).flatMap(([n, vs]) => vs.map((v): [string, string] => [n, v])));
  const [error, setError] = useState<string>();
  const set = (i: number, col: 0 | 1, value: string) => setRows(rows.map((r, j) => (j === i ? ((col === 0 ? [value, r[1]] : [r[0], value]) as [string, string]) : r)));
  const save = async (event: Event) => {
    event.preventDefault();
    const attributes: Record<string, string[]> = {};
    for (const [name, value] of rows) if (name.trim() !== '') (attributes[name.trim()] ??= []).push(value);
    setError(undefined);
    try {
      await api.put(groupPath(realm, group.id), { name: group.name, description: group.description, attributes });
      notify('success', t('groups.saved'));
      onSaved();
    } catch (e) {
      setError(messageOf(e));
    }
  };
  return (
    <form onSubmit={save} data-testid="group-attributes">
      {error ? <ErrorMessage message={error} /> : null}
      {rows.map(([name, value], i) => (
        <fieldset role="group" key={i}>
          <input aria-label={t('users.attributeName')} placeholder={t('users.attributeName')} value={name} readOnly={!manage} onInput={(e) => set(i, 0, (e.target as HTMLInputElement).value)} />
          <input aria-label={t('users.attributeValue')} placeholder={t('users.attributeValue')} value={value} readOnly={!manage} onInput={(e) => set(i, 1, (e.target as HTMLInputElement).value)} />
          {manage ? (
            <button type="button" class="secondary outline" onClick={() => setRows(rows.filter((_, j) => j !== i))}>
              {t('users.removeAttribute')}
            </button>
          ) : null}
        </fieldset>
      ))}
      {manage ? (
        <div class="toolbar">
          <button type="button" class="secondary" onClick={() => setRows([...rows, ['', '']])}>
            {t('users.addAttribute')}
          </button>
          <button type="submit">{t('doSave')}</button>
        </div>
      ) : null}
    </form>
  );
}
