/**
 * Renaming a group (PUT with the new name) and moving it: under another group (POST that
 * group's `children` with this one's id) or to the top level (POST `/groups` with the id).
 */
import { useState } from 'preact/hooks';
import { api, messageOf, realmPath } from '../../api.ts';
import { t } from '../../i18n.ts';
import { notify } from '../../components/alerts.tsx';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { Field, describedBy } from '../../components/field.tsx';
import { GroupPicker } from '../users/group-picker.tsx';
import { groupPath, type GroupRep } from './types.ts';

export function GroupSettings({ realm, group, manage, onSaved }: { realm: string; group: GroupRep; manage: boolean; onSaved: () => void }) {
  const [name, setName] = useState(group.name);
  const [description, setDescription] = useState(group.description ?? '');
  const [error, setError] = useState<string>();
  const save = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      await api.put(groupPath(realm, group.id), { name: name.trim(), description, attributes: group.attributes ?? {} });
      notify('success', t('groups.saved'));
      onSaved();
    } catch (e) {
      setError(messageOf(e));
    }
  };
  const moveTo = async (target?: GroupRep) => {
    await api.post(target ? groupPath(realm, target.id, 'children') : realmPath(realm, 'groups'), { id: group.id, name: group.name });
    notify('success', t('groups.moved'));
    onSaved();
  };
  return (
    <>
      <form onSubmit={save} data-testid="group-settings">
        <Field id="group-name" label={t('groups.name')} error={error}>
          <input id="group-name" required readOnly={!manage} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} {...describedBy('group-name', error)} />
        </Field>
        <Field id="group-description" label={t('roles.description')}>
          <textarea id="group-description" readOnly={!manage} value={description} onInput={(e) => setDescription((e.target as HTMLTextAreaElement).value)} />
        </Field>
        {manage ? (
          <button type="submit" data-testid="group-save">
            {t('doSave')}
          </button>
        ) : null}
      </form>
      {manage ? (
        <section>
          <h2>{t('groups.move')}</h2>
          {group.parentId ? (
            <ConfirmButton testId="group-move-top" label={t('groups.moveToTop')} title={t('groups.move')} message={t('groups.moveToTopMessage', group.path)} onConfirm={() => moveTo()} />
          ) : null}
          <GroupPicker realm={realm} exclude={[group.id, group.parentId ?? '']} actionLabel={t('groups.moveHere')} onPick={(target) => moveTo(target)} />
        </section>
      ) : null}
    </>
  );
}
