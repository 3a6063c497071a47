/** The group's attributes, saved with the group (PUT keeps name and description). */
import { api } from '../../api.ts';
import { t } from '../../i18n.ts';
import { notify } from '../../components/alerts.tsx';
import { AttributesEditor } from '../../components/attributes-editor.tsx';
import { groupPath, type GroupRep } from './types.ts';

export function GroupAttributes({ realm, group, manage, onSaved }: { realm: string; group: GroupRep; manage: boolean; onSaved: () => void }) {
  const save = async (attributes: Record<string, string[]>) => {
    await api.put(groupPath(realm, group.id), { name: group.name, description: group.description, attributes });
    notify('success', t('groups.saved'));
    onSaved();
  };
  return <AttributesEditor attributes={group.attributes} manage={manage} testId="group-attributes" onSave={save} />;
}
