/**
 * `UPDATE_EMAIL` (disabled on a new realm, as in Keycloak): the new address is taken at once and
 * marked unverified. Keycloak sends a confirmation link first when the realm verifies e-mail;
 * that part comes with e-mail sending.
 */
import type { LoginStep } from '../login-step.ts';
import { profileChange } from '../profile-check.ts';
import { neededWhenPending } from './pending.ts';

export const updateEmail: LoginStep = {
  id: 'UPDATE_EMAIL',
  kind: 'required-action',
  needed: neededWhenPending,
  async page(flow, actionUrl, message) {
    return { template: 'update-email', title: 'updateEmailTitle', data: { action: actionUrl, email: flow.user!.email ?? '' }, message };
  },
  async submit(flow, fields) {
    const email = (fields.get('email') ?? '').trim().toLowerCase();
    const values = { email };
    if (email === '') return { kind: 'again', message: { error: 'missingEmailMessage', field: 'email', values } };
    const updated = { ...flow.user!, email, emailVerified: email === flow.user!.email && flow.user!.emailVerified };
    return profileChange(flow, updated, values);
  },
};
