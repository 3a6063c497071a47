/**
 * `UPDATE_PROFILE`: Keycloak's "Update Account Information" page. Email, first and last name are
 * required, as in Keycloak 26's default user profile; the username only when the realm lets users
 * edit it. Validated in profile-check.ts; uniqueness is checked in the write's transaction.
 */
import type { User } from '../../realm/index.ts';
import type { LoginStep } from '../login-step.ts';
import { profileChange } from '../profile-check.ts';
import { neededWhenPending } from './pending.ts';

const FIELDS = [
  { id: 'email', label: 'email', missing: 'missingEmailMessage', type: 'email' as const, autocomplete: 'email' },
  { id: 'firstName', label: 'firstName', missing: 'missingFirstNameMessage', autocomplete: 'given-name' },
  { id: 'lastName', label: 'lastName', missing: 'missingLastNameMessage', autocomplete: 'family-name' },
] as const;

export const updateProfile: LoginStep = {
  id: 'UPDATE_PROFILE',
  kind: 'required-action',
  needed: neededWhenPending,
  async page(flow, actionUrl, message) {
    const user = flow.user!;
    const username = flow.realm.realm.settings.editUsernameAllowed ? [{ name: 'username', label: 'username', type: 'text', autocomplete: 'username', value: user.username }] : [];
    const fields = [...username, ...FIELDS.map((f) => ({ name: f.id, label: f.label, type: 'type' in f ? f.type : 'text', autocomplete: f.autocomplete, value: user[f.id] ?? '' }))];
    return { template: 'login-update-profile', title: 'loginProfileTitle', data: { action: actionUrl, fields }, message };
  },
  async submit(flow, fields) {
    const user = flow.user!;
    const values: Record<string, string> = {};
    for (const name of ['username', 'email', 'firstName', 'lastName']) values[name] = (fields.get(name) ?? '').trim();
    const editUsername = flow.realm.realm.settings.editUsernameAllowed;
    if (editUsername && values.username === '') return { kind: 'again', message: { error: 'missingUsernameMessage', field: 'username', values } };
    for (const f of FIELDS) if (values[f.id] === '') return { kind: 'again', message: { error: f.missing, field: f.id, values } };
    const updated: User = {
      ...user,
      username: editUsername ? values.username.toLowerCase() : user.username,
      email: values.email.toLowerCase(),
      emailVerified: values.email.toLowerCase() === user.email ? user.emailVerified : false,
      firstName: values.firstName,
      lastName: values.lastName,
    };
    return profileChange(flow, updated, values);
  },
};
