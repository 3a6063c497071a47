/**
 * Attributes as name/value rows (a name may repeat for several values), edited in place and
 * handed back as Keycloak's `Record<name, values[]>` to the owner, which saves them with the rest
 * of its representation (users and groups are PUT whole).
 */
import { useState } from 'preact/hooks';
import { messageOf } from '../api.ts';
import { t } from '../i18n.ts';
import { ErrorMessage } from './status.tsx';

type Row = [name: string, value: string];

export interface AttributesEditorProps {
  attributes?: Record<string, string[]>;
  /** Names kept out of the rows (e.g. the user profile's own fields). */
  hidden?: ReadonlySet<string>;
  manage: boolean;
  testId: string;
  onSave: (attributes: Record<string, string[]>) => Promise<void>;
}

function rowsOf(attributes: Record<string, string[]>, hidden?: ReadonlySet<string>): Row[] {
  return Object.entries(attributes)
    .filter(([name]) => !hidden?.has(name))
    .flatMap(([name, values]) => values.map((v): Row => [name, v]));
}

export function AttributesEditor({ attributes = {}, hidden, manage, testId, onSave }: AttributesEditorProps) {
  const [rows, setRows] = useState(() => rowsOf(attributes, hidden));
  const [error, setError] = useState<string>();
  const set = (i: number, col: 0 | 1, value: string) => setRows(rows.map((r, j) => (j === i ? ((col === 0 ? [value, r[1]] : [r[0], value]) as Row) : r)));
  const save = async (event: Event) => {
    event.preventDefault();
    const edited: Record<string, string[]> = {};
    for (const [name, value] of rows) if (name.trim() !== '') (edited[name.trim()] ??= []).push(value);
    setError(undefined);
    try {
      await onSave(edited);
    } catch (e) {
      setError(messageOf(e));
    }
  };
  return (
    <form onSubmit={save} data-testid={testId}>
      {error ? <ErrorMessage message={error} /> : null}
      <table>
        <thead>
          <tr>
            <th scope="col">{t('users.attributeName')}</th>
            <th scope="col">{t('users.attributeValue')}</th>
            <th scope="col">
              <span class="visually-hidden">{t('users.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([name, value], i) => (
            <tr key={i}>
              <td data-label={t('users.attributeName')}>
                <input aria-label={t('users.attributeName')} value={name} readOnly={!manage} onInput={(e) => set(i, 0, (e.target as HTMLInputElement).value)} />
              </td>
              <td data-label={t('users.attributeValue')}>
                <input aria-label={t('users.attributeValue')} value={value} readOnly={!manage} onInput={(e) => set(i, 1, (e.target as HTMLInputElement).value)} />
              </td>
              <td>
                {manage ? (
                  <button type="button" class="secondary outline" onClick={() => setRows(rows.filter((_, j) => j !== i))}>
                    {t('users.removeAttribute')}
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
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
