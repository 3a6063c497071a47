/**
 * One realm settings tab as a form: the tab's fields from the realm's representation, saved with
 * a partial `PUT /admin/realms/{realm}` (or the tab's own endpoint) of those fields only. The server is the judge of what is
 * valid; its message goes next to the field it names (or above the form when it names none).
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, messageOf, realmPath } from '../../api.ts';
import { t } from '../../i18n.ts';
import { describedBy, Field } from '../../components/field.tsx';
import { notify } from '../../components/alerts.tsx';
import { ErrorMessage } from '../../components/status.tsx';
import { fromDraft, toDraft, type Draft, type SettingField, type SettingGroup, type TimeValue } from './setting-fields.ts';
import { TimeInput } from './time-input.tsx';

interface Props {
  realm: string;
  rep: Record<string, unknown>;
  groups: SettingGroup[];
  canManage: boolean;
  onSaved: () => void;
  testId: string;
  /** Where the form saves, under the realm: the realm itself unless given (e.g. `events/config`). */
  saveTo?: string[];
}

function Control({ field, id, value, set, disabled, aria }: { field: SettingField; id: string; value: unknown; set: (v: unknown) => void; disabled: boolean; aria: Record<string, string | boolean> }) {
  const label = t(`realmSettings.${field.name}`);
  switch (field.kind) {
    case 'time':
      return <TimeInput id={id} label={label} value={value as TimeValue} onChange={set} disabled={disabled} aria={aria} />;
    case 'switch':
      return <input id={id} type="checkbox" role="switch" checked={value as boolean} disabled={disabled} data-testid={id} {...aria} onChange={(e) => set((e.target as HTMLInputElement).checked)} />;
    case 'select':
      return (
        <select id={id} value={value as string} disabled={disabled} data-testid={id} {...aria} onChange={(e) => set((e.target as HTMLSelectElement).value)}>
          {field.options.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
      );
    default:
      return <input id={id} type="text" inputMode={field.kind === 'number' ? 'numeric' : undefined} value={value as string} disabled={disabled} data-testid={id} {...aria} onInput={(e) => set((e.target as HTMLInputElement).value)} />;
  }
}

export function SettingsForm({ realm, rep, groups, canManage, onSaved, testId, saveTo = [] }: Props) {
  const fields = groups.flatMap((g) => g.fields);
  const [draft, setDraft] = useState<Draft>(() => toDraft(fields, rep));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);
  useEffect(() => setDraft(toDraft(fields, rep)), [rep]);

  const save = async (event: Event) => {
    event.preventDefault();
    setFormError(undefined);
    const { body, errors: local } = fromDraft(fields, draft);
    if (Object.keys(local).length > 0) {
      setErrors(Object.fromEntries(Object.entries(local).map(([name, key]) => [name, t(key)])));
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      await api.put(realmPath(realm, ...saveTo), body);
      notify('success', t('realmSettings.saved'));
      onSaved();
    } catch (error) {
      const named = error instanceof ApiError && error.field && fields.some((f) => f.name === error.field);
      if (named) setErrors({ [(error as ApiError).field!]: messageOf(error) });
      else setFormError(messageOf(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={save} noValidate data-testid={testId}>
      {formError ? <ErrorMessage message={formError} /> : null}
      {groups.map((group) => (
        <fieldset key={group.heading}>
          <legend>
            <h2 class="settings-heading">{t(group.heading)}</h2>
          </legend>
          {group.fields
            .filter((field) => !field.shownWhen || field.shownWhen(draft))
            .map((field) => {
              const id = `realm-${field.name}`;
              const hint = field.hint ? t(`realmSettings.${field.name}.hint`) : undefined;
              return (
                <Field key={field.name} id={id} label={t(`realmSettings.${field.name}`)} hint={hint} error={errors[field.name]}>
                  <Control field={field} id={id} value={draft[field.name]} set={(v) => setDraft({ ...draft, [field.name]: v })} disabled={!canManage} aria={describedBy(id, errors[field.name], hint)} />
                </Field>
              );
            })}
        </fieldset>
      ))}
      {canManage ? (
        <button type="submit" aria-busy={busy} disabled={busy} data-testid={`${testId}-save`}>
          {t('doSave')}
        </button>
      ) : null}
    </form>
  );
}
