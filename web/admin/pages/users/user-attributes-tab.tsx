/**
 * The user's attributes, saved with the rest of the user in one PUT, as Keycloak's console does.
 * The profile's own fields are not attributes here (they live on the Details tab).
 */
import { api } from '../../api.ts';
import { t } from '../../i18n.ts';
import { notify } from '../../components/alerts.tsx';
import { AttributesEditor } from '../../components/attributes-editor.tsx';
import type { UserTabProps } from './tab-props.ts';
import { userPath } from './types.ts';

const PROFILE: ReadonlySet<string> = new Set(['username', 'email', 'firstName', 'lastName']);

export function UserAttributesTab({ realm, user, manage, reload }: UserTabProps) {
  const save = async (attributes: Record<string, string[]>) => {
    const { username, email, firstName, lastName, enabled, emailVerified, requiredActions } = user;
    await api.put(userPath(realm, user.id), { username, email, firstName, lastName, enabled, emailVerified, requiredActions, attributes });
    notify('success', t('users.saved'));
    reload();
  };
  return <AttributesEditor attributes={user.attributes} hidden={PROFILE} manage={manage} testId="user-attributes" onSave={save} />;
}
